namespace Gazouille.Load;

/// <summary>When a lane (one connection, or one author) intends to send its next request, as an offset from the start
/// of the run. Latency is measured from this intended time, not from when the request could actually go out, so a
/// stalled server is charged for every request it delayed (coordinated omission corrected, as wrk2 does).</summary>
public interface ISchedule
{
    /// <summary>The intended start of the next request; <paramref name="now"/> is when the lane became free.</summary>
    TimeSpan Next(TimeSpan now);

    /// <summary>False for a closed loop: the next request goes out when the previous one answered.</summary>
    bool IsOpen { get; }
}

/// <summary>Closed loop (what wrk does): the next request is intended as soon as the lane is free. It saturates the
/// server; its latency is service time plus queueing, and a stall hides the requests that were never sent.</summary>
public sealed class ClosedLoopSchedule : ISchedule
{
    public TimeSpan Next(TimeSpan now) => now;
    public bool IsOpen => false;
}

/// <summary>Fixed rate: <paramref name="lanes"/> lanes share <paramref name="rate"/> requests per second, each lane every
/// lanes/rate seconds, lane k shifted by k/rate so the requests of all lanes are evenly spaced 1/rate apart.</summary>
public sealed class FixedRateSchedule : ISchedule
{
    private readonly long _periodTicks;
    private readonly long _offsetTicks;
    private long _index;

    public FixedRateSchedule(double rate, int lanes, int lane)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lanes);
        if (lane < 0 || lane >= lanes) throw new ArgumentOutOfRangeException(nameof(lane));
        _periodTicks = (long)Math.Round(lanes * TimeSpan.TicksPerSecond / rate);
        _offsetTicks = (long)Math.Round(lane * TimeSpan.TicksPerSecond / rate);
    }

    public TimeSpan Next(TimeSpan now) => TimeSpan.FromTicks(_offsetTicks + _index++ * _periodTicks);
    public bool IsOpen => true;
}

/// <summary>A person typing: each check is intended a random pause (uniform between min and max) after the previous
/// intended one, whatever the server did meanwhile; the first one falls anywhere in the first pause.</summary>
public sealed class ThinkTimeSchedule(TimeSpan min, TimeSpan max, Random random) : ISchedule
{
    private TimeSpan? _last;

    public TimeSpan Next(TimeSpan now)
    {
        _last = _last is { } last
            ? last + TimeSpan.FromTicks(min.Ticks + (long)(random.NextDouble() * (max.Ticks - min.Ticks)))
            : TimeSpan.FromTicks((long)(random.NextDouble() * max.Ticks));
        return _last.Value;
    }

    public bool IsOpen => true;

    /// <summary>The rate that <paramref name="lanes"/> such people offer on average, in requests per second.</summary>
    public static double OfferedRate(int lanes, TimeSpan min, TimeSpan max) => lanes / ((min + max).TotalSeconds / 2);
}
