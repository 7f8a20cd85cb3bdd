using System.Diagnostics;
using System.Threading.RateLimiting;

namespace Gazouille.Features.RateLimits;

/// <summary>
/// One caller's fixed window: the counting is .NET's <see cref="FixedWindowRateLimiter"/>; this wrapper only knows when
/// the window started, so that every answer can say when it resets (Mastodon's <c>X-RateLimit-Reset</c>), which the
/// built-in limiter does not expose. The window restarts lazily at the first request after it ended.
/// </summary>
internal sealed class WindowLimiter : RateLimiter
{
    public static readonly MetadataName<WindowState> State = new("gazouille.window");

    private readonly FixedWindowRateLimiter _inner;
    private readonly TimeSpan _window;
    private readonly int _limit;
    private readonly Lock _gate = new();
    // Stopwatch ticks, taken after the inner limiter's own replenishment time, so "our window ended" implies "its window ended".
    private long _windowStart;

    public WindowLimiter(int limit, TimeSpan window)
    {
        _limit = limit;
        _window = window;
        _inner = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit, Window = window, QueueLimit = 0, AutoReplenishment = false,
        });
        _windowStart = Stopwatch.GetTimestamp();
    }

    // A window that ended without a new request is idle, so the partitioned limiter forgets this caller after a while.
    public override TimeSpan? IdleDuration
    {
        get
        {
            var elapsed = Stopwatch.GetElapsedTime(Volatile.Read(ref _windowStart));
            return elapsed >= _window ? elapsed - _window : _inner.IdleDuration;
        }
    }

    public override RateLimiterStatistics? GetStatistics() => _inner.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        TimeSpan left;
        lock (_gate)
        {
            if (Stopwatch.GetElapsedTime(_windowStart) >= _window)
            {
                _inner.TryReplenish();
                _windowStart = Stopwatch.GetTimestamp();
            }
            left = _window - Stopwatch.GetElapsedTime(_windowStart);
        }
        var lease = _inner.AttemptAcquire(permitCount);
        var remaining = (int)Math.Max(0, _inner.GetStatistics()?.CurrentAvailablePermits ?? 0);
        return new WindowLease(lease, new WindowState(_limit, remaining, left < TimeSpan.Zero ? TimeSpan.Zero : left));
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    private sealed class WindowLease(RateLimitLease inner, WindowState state) : RateLimitLease
    {
        public override bool IsAcquired => inner.IsAcquired;

        public override IEnumerable<string> MetadataNames => [State.Name, MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == State.Name) { metadata = state; return true; }
            if (metadataName == MetadataName.RetryAfter.Name && !inner.IsAcquired) { metadata = state.ResetsIn; return true; }
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>What a caller's window looks like after a request: Mastodon's three X-RateLimit headers.</summary>
internal sealed record WindowState(int Limit, int Remaining, TimeSpan ResetsIn);
