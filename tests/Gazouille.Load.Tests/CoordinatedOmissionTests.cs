namespace Gazouille.Load.Tests;

/// <summary>A server that answers in 1 ms but stalls once for 500 ms. At 100 req/s, the 50 requests that should have
/// gone out during the stall were delayed by it: measured from their intended start they are slow, as their users
/// would see them; measured from when the driver finally sent them (what a closed loop reports) they look fast.</summary>
public class CoordinatedOmissionTests
{
    private static readonly TimeSpan Ms1 = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    private static async Task<LatencyRecorder> RunAsync(ISchedule schedule, VirtualClock clock, Func<long, TimeSpan?> stall) =>
        await LoadRun.RunLaneAsync(0, schedule, clock, clock.Server(Ms1, stall), Duration, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Fixed_rate_charges_the_stall_to_every_request_it_delayed()
    {
        var clock = new VirtualClock();
        var r = await RunAsync(new FixedRateSchedule(100, 1, 0), clock, i => i == 50 ? Stall : null);

        Assert.Equal(200, r.Completed); // every request the schedule asked for was sent once the server came back
        var corrected = Percentiles.Of(r.FromIntended);
        var service = Percentiles.Of(r.FromSend);
        Assert.InRange(corrected.Max, 500, 502);
        // ≈ 55 of 200 requests waited behind the stall (the 50th largest waited ≈ 58 ms), so p75 is far above 1 ms…
        Assert.InRange(corrected.P90, 100, 500);
        Assert.True(corrected.P90 > 50 * service.P90, $"corrected p90 {corrected.P90} ms vs service p90 {service.P90} ms");
        // …while the service time saw one slow request in 200: its p90 and p99 stay at 1 ms.
        Assert.InRange(service.P99, 0.9, 1.1);
        Assert.InRange(service.Max, 500, 501);
        Assert.InRange(Percentiles.Of(r.Lag).Max, 490, 500);
    }

    [Fact]
    public async Task Closed_loop_hides_the_stall_one_slow_sample_among_many()
    {
        var clock = new VirtualClock();
        var r = await RunAsync(new ClosedLoopSchedule(), clock, i => i == 50 ? Stall : null);

        Assert.Equal(1501, r.Completed); // 1,500 ms of 1 ms answers plus the stalled one
        var p = Percentiles.Of(r.FromIntended);
        Assert.InRange(p.P99, 0.9, 1.1);
        Assert.InRange(p.Max, 500, 501);
        Assert.Equal(0, Percentiles.Of(r.Lag).Max);
    }

    [Fact]
    public async Task A_server_that_keeps_up_shows_its_service_time_from_the_intended_start_too()
    {
        var clock = new VirtualClock();
        var r = await RunAsync(new FixedRateSchedule(100, 1, 0), clock, _ => null);

        Assert.Equal(200, r.Completed);
        Assert.InRange(Percentiles.Of(r.FromIntended).Max, 0.9, 1.1);
        Assert.Equal(0, r.Non2xx + r.Failed + r.NotSent);
    }

    [Fact]
    public async Task A_lane_still_behind_after_the_grace_stops_sending_and_counts_the_rest_as_not_sent_and_slow()
    {
        var clock = new VirtualClock();
        // A server that needs 50 ms per request, asked for 100 per second during 2 s with 1 s of grace.
        var r = await LoadRun.RunLaneAsync(0, new FixedRateSchedule(100, 1, 0), clock, clock.Server(TimeSpan.FromMilliseconds(50)),
            Duration, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Equal(61, r.Completed); // sent back to back until 3 s had passed
        Assert.Equal(200 - 61, r.NotSent);
        Assert.Equal(200, r.FromIntended.TotalCount);
        Assert.Equal(61, r.FromSend.TotalCount);
        Assert.True(Percentiles.Of(r.FromIntended).P50 > 1000, "not-sent requests waited at least until the stop");
    }

    [Fact]
    public async Task Failures_and_non_2xx_answers_are_counted_apart()
    {
        var clock = new VirtualClock();
        var bad = new SendRequest((_, i, _) =>
        {
            clock.Advance(Ms1);
            return i % 10 == 0 ? throw new HttpRequestException("reset") : Task.FromResult(new Outcome(i % 10 == 1 ? 503 : 200));
        });
        var r = await LoadRun.RunLaneAsync(0, new FixedRateSchedule(100, 1, 0), clock, bad, Duration, TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(200, r.Completed);
        Assert.Equal(20, r.Failed);
        Assert.Equal(20, r.Non2xx);
        Assert.Equal(160, r.Statuses[200]);
        Assert.Equal(20, r.Statuses[503]);
    }
}
