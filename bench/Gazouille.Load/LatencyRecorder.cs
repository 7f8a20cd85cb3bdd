using HdrHistogram;

namespace Gazouille.Load;

/// <summary>The outcome of one request: its HTTP status, or 0 when it failed without one (refused, reset, timeout).</summary>
public readonly record struct Outcome(int Status)
{
    public bool IsSuccess => Status is >= 200 and < 300;
    public static Outcome Failed => new(0);
}

/// <summary>Latencies of one lane (or of a whole run once lanes are merged) in microseconds: from the intended start
/// (corrected for coordinated omission), from the actual send (service time as the client saw it), and the lag
/// between the two (how late the request went out: a busy server or a late timer).</summary>
public sealed class LatencyRecorder
{
    /// <summary>One minute: anything slower is recorded as one minute.</summary>
    public const long HighestMicroseconds = 60_000_000;

    public LongHistogram FromIntended { get; } = new(HighestMicroseconds, 3);
    public LongHistogram FromSend { get; } = new(HighestMicroseconds, 3);
    public LongHistogram Lag { get; } = new(HighestMicroseconds, 3);
    public long Completed { get; private set; }
    public long Failed { get; private set; }
    public long Non2xx { get; private set; }

    /// <summary>Requests the schedule asked for but that were never sent: the lane was still behind when the run's
    /// grace period ended. Their latency is recorded from the intended start to then, a lower bound.</summary>
    public long NotSent { get; private set; }
    public TimeSpan LastEnd { get; private set; }
    public SortedDictionary<int, long> Statuses { get; } = [];

    public void Record(TimeSpan intended, TimeSpan sent, TimeSpan end, Outcome outcome)
    {
        FromIntended.RecordValue(Micros(end - intended));
        FromSend.RecordValue(Micros(end - sent));
        Lag.RecordValue(Micros(sent - intended));
        Completed++;
        if (outcome.Status == 0) Failed++;
        else if (!outcome.IsSuccess) Non2xx++;
        Statuses[outcome.Status] = Statuses.GetValueOrDefault(outcome.Status) + 1;
        if (end > LastEnd) LastEnd = end;
    }

    public void RecordNotSent(TimeSpan intended, TimeSpan now)
    {
        FromIntended.RecordValue(Micros(now - intended));
        NotSent++;
    }

    public void Add(LatencyRecorder other)
    {
        FromIntended.Add(other.FromIntended);
        FromSend.Add(other.FromSend);
        Lag.Add(other.Lag);
        Completed += other.Completed;
        Failed += other.Failed;
        Non2xx += other.Non2xx;
        NotSent += other.NotSent;
        foreach (var (status, count) in other.Statuses) Statuses[status] = Statuses.GetValueOrDefault(status) + count;
        if (other.LastEnd > LastEnd) LastEnd = other.LastEnd;
    }

    private static long Micros(TimeSpan t) => Math.Clamp(t.Ticks / 10, 0, HighestMicroseconds);
}

/// <summary>Percentiles of a histogram of microseconds, in milliseconds.</summary>
public sealed record Percentiles(double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static Percentiles Of(HistogramBase h) => h.TotalCount == 0
        ? new Percentiles(0, 0, 0, 0, 0, 0)
        : new Percentiles(Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(90)), Ms(h.GetValueAtPercentile(99)),
            Ms(h.GetValueAtPercentile(99.9)), Ms(h.GetMaxValue()), h.GetMean() / 1000);

    private static double Ms(long micros) => micros / 1000.0;
}
