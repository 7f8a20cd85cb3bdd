namespace Gazouille.Load;

/// <summary>Sends one request (the lane's <c>index</c>-th) and answers its outcome; a thrown exception counts as a
/// failed request, except cancellation at the end of the run.</summary>
public delegate Task<Outcome> SendRequest(int lane, long index, CancellationToken ct);

/// <summary>Runs lanes, each one request at a time on its own schedule, until the schedule passes the duration.</summary>
public static class LoadRun
{
    public static async Task<LatencyRecorder> RunAsync(
        IReadOnlyList<ISchedule> lanes, IRunClock clock, SendRequest send, TimeSpan duration, TimeSpan grace, CancellationToken ct = default)
    {
        var recorders = await Task.WhenAll(lanes.Select((schedule, lane) => Task.Run(() => RunLaneAsync(lane, schedule, clock, send, duration, grace, ct), ct)));
        var total = new LatencyRecorder();
        foreach (var r in recorders) total.Add(r);
        return total;
    }

    /// <summary>One lane: wait for the intended time, send, record from the intended time. A lane that falls behind
    /// sends back to back until it has caught up, as wrk2 does; requests intended at or after the duration are not
    /// sent, so every recorded latency belongs to a request the schedule asked for. A lane still behind after the
    /// duration plus <paramref name="grace"/> stops sending and records the rest as not sent.</summary>
    public static async Task<LatencyRecorder> RunLaneAsync(
        int lane, ISchedule schedule, IRunClock clock, SendRequest send, TimeSpan duration, TimeSpan grace, CancellationToken ct = default)
    {
        var recorder = new LatencyRecorder();
        for (long index = 0; !ct.IsCancellationRequested; index++)
        {
            var intended = schedule.Next(clock.Elapsed);
            if (intended >= duration) break;
            if (clock.Elapsed > duration + grace)
            {
                recorder.RecordNotSent(intended, clock.Elapsed);
                continue;
            }
            await clock.WaitUntilAsync(intended, ct);
            var sent = clock.Elapsed;
            Outcome outcome;
            try
            {
                outcome = await send(lane, index, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                outcome = Outcome.Failed;
            }
            recorder.Record(intended, sent, clock.Elapsed, outcome);
        }
        return recorder;
    }
}
