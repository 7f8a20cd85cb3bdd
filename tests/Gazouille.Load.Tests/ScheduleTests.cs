namespace Gazouille.Load.Tests;

public class ScheduleTests
{
    private static List<TimeSpan> Take(ISchedule s, TimeSpan until)
    {
        var times = new List<TimeSpan>();
        for (var t = s.Next(TimeSpan.Zero); t < until; t = s.Next(t)) times.Add(t);
        return times;
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(125, 50)]
    [InlineData(1000, 16)]
    public void Fixed_rate_lanes_together_send_rate_times_duration_requests_evenly_spaced(double rate, int lanes)
    {
        var duration = TimeSpan.FromSeconds(4);
        var all = Enumerable.Range(0, lanes).SelectMany(i => Take(new FixedRateSchedule(rate, lanes, i), duration)).Order().ToList();

        Assert.Equal((int)(rate * duration.TotalSeconds), all.Count);
        Assert.Equal(TimeSpan.Zero, all[0]);
        var gap = TimeSpan.FromSeconds(1 / rate);
        for (var i = 1; i < all.Count; i++)
            Assert.InRange((all[i] - all[i - 1]).Ticks, gap.Ticks - 1, gap.Ticks + 1);
    }

    [Fact]
    public void Fixed_rate_does_not_wait_for_the_server_the_next_intended_time_ignores_now()
    {
        var s = new FixedRateSchedule(10, 1, 0);
        Assert.Equal(TimeSpan.Zero, s.Next(TimeSpan.Zero));
        // The previous answer came 5 s late: the schedule still wants the next request at 100 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.Next(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Closed_loop_intends_each_request_when_the_lane_is_free()
    {
        var s = new ClosedLoopSchedule();
        Assert.Equal(TimeSpan.FromSeconds(3), s.Next(TimeSpan.FromSeconds(3)));
        Assert.False(s.IsOpen);
    }

    [Fact]
    public void An_author_pauses_between_min_and_max_and_fifty_of_them_offer_about_125_requests_per_second()
    {
        var min = TimeSpan.FromMilliseconds(300);
        var max = TimeSpan.FromMilliseconds(500);
        var random = new Random(42);
        var duration = TimeSpan.FromSeconds(60);
        var lanes = Enumerable.Range(0, 50).Select(_ => Take(new ThinkTimeSchedule(min, max, new Random(random.Next())), duration)).ToList();

        foreach (var times in lanes)
        {
            Assert.InRange(times[0], TimeSpan.Zero, max);
            for (var i = 1; i < times.Count; i++) Assert.InRange(times[i] - times[i - 1], min, max);
        }
        var perSecond = lanes.Sum(l => l.Count) / duration.TotalSeconds;
        Assert.InRange(perSecond, 120, 130);
        Assert.Equal(125, ThinkTimeSchedule.OfferedRate(50, min, max), 6);
        // The pauses are drawn, not constant: people do not type in step.
        Assert.True(lanes[0].Zip(lanes[0].Skip(1), (a, b) => b - a).Distinct().Count() > 10);
    }
}
