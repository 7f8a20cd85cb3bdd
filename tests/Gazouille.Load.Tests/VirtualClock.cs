namespace Gazouille.Load.Tests;

/// <summary>Time that moves only when told: waiting jumps to the wanted instant, a simulated server advances it by its
/// service time. One lane at a time, so every run is exact and repeatable.</summary>
internal sealed class VirtualClock : IRunClock
{
    public TimeSpan Elapsed { get; private set; }

    public void Advance(TimeSpan by) => Elapsed += by;

    public ValueTask WaitUntilAsync(TimeSpan when, CancellationToken ct)
    {
        if (when > Elapsed) Elapsed = when;
        return ValueTask.CompletedTask;
    }

    /// <summary>A server that answers 200 after <paramref name="service"/>, except the requests that
    /// <paramref name="stall"/> says take longer.</summary>
    public SendRequest Server(TimeSpan service, Func<long, TimeSpan?>? stall = null, int status = 200) => (_, index, _) =>
    {
        Advance(stall?.Invoke(index) ?? service);
        return Task.FromResult(new Outcome(status));
    };
}
