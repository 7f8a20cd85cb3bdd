using System.Diagnostics;

namespace Gazouille.Load;

/// <summary>Time since the start of the run, and waiting until an offset of it; tests use a virtual clock.</summary>
public interface IRunClock
{
    TimeSpan Elapsed { get; }
    ValueTask WaitUntilAsync(TimeSpan when, CancellationToken ct);
}

public sealed class StopwatchClock : IRunClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    public async ValueTask WaitUntilAsync(TimeSpan when, CancellationToken ct)
    {
        // Timers fire about a millisecond late at best; the lateness is measured (schedule lag) and charged to latency.
        var wait = when - Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
    }
}
