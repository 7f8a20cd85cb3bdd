using System.Globalization;

namespace Gazouille.Load;

/// <summary>What a run measured, printed for people and as one Markdown table row (prefixed "ROW ") for the scripts
/// that append to docs/benchmarks.md.</summary>
public sealed record RunReport(string Label, string Offered, TimeSpan Duration, LatencyRecorder Recorder)
{
    public const string MarkdownHeader =
        "| scenario | offered | achieved req/s | p50 | p90 | p99 | p99.9 | max | service p99 | non-2xx / failed / not sent |\n" +
        "|---|---|---|---|---|---|---|---|---|---|";

    /// <summary>Answers per second over the run (its duration, or until the last answer when that came later).</summary>
    public double Achieved => Recorder.Completed / Math.Max(Duration.TotalSeconds, Recorder.LastEnd.TotalSeconds);

    public Percentiles Corrected => Percentiles.Of(Recorder.FromIntended);
    public Percentiles Service => Percentiles.Of(Recorder.FromSend);
    public Percentiles Lag => Percentiles.Of(Recorder.Lag);

    public string MarkdownRow()
    {
        var c = Corrected;
        return $"| {Label} | {Offered} | {F(Achieved, 1)} | {Ms(c.P50)} | {Ms(c.P90)} | {Ms(c.P99)} | {Ms(c.P999)} | {Ms(c.Max)} | " +
               $"{Ms(Service.P99)} | {Recorder.Non2xx} / {Recorder.Failed} / {Recorder.NotSent} |";
    }

    public string Text()
    {
        var r = Recorder;
        var statuses = string.Join(", ", r.Statuses.Select(s => s.Key == 0 ? $"{s.Value} failed" : $"{s.Value} × {s.Key}"));
        return $"""
            {Label}: offered {Offered}, {F(Duration.TotalSeconds, 0)} s
              achieved {F(Achieved, 1)} req/s: {r.Completed} answers ({statuses}), {r.NotSent} not sent
              latency from the intended start (coordinated omission corrected): {Line(Corrected)}
              service time (from the actual send):                              {Line(Service)}
              schedule lag (actual send − intended start):                      {Line(Lag)}
            """;
    }

    private static string Line(Percentiles p) =>
        $"p50 {Ms(p.P50)}  p90 {Ms(p.P90)}  p99 {Ms(p.P99)}  p99.9 {Ms(p.P999)}  max {Ms(p.Max)}  mean {Ms(p.Mean)}";

    public static string Ms(double ms) => ms >= 1000 ? F(ms / 1000, 2) + " s" : F(ms, ms >= 100 ? 0 : 2) + " ms";
    public static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
