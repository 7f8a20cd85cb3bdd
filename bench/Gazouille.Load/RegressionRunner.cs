using System.Globalization;
using System.Text;

namespace Gazouille.Load;

public sealed record ScenarioResult(string Scenario, double? Baseline, double Ratio, IReadOnlyList<double> Rounds, double Rate, long Errors, Verdict Verdict);

/// <summary>The measuring part of the CI check: closed-loop slices of each scenario interleaved with slices of the
/// trivial endpoint (T A T B T …), repeated for a few rounds; a scenario that looks regressed is measured again
/// before it fails, so one noisy slice on a shared machine does not fail CI.</summary>
public sealed class RegressionRunner(Uri url, string[] tokens, int connections, TimeSpan slice, TimeSpan timeout)
{
    private const string Trivial = "trivial";
    private readonly Dictionary<string, HttpSender> _senders = [];

    public async Task<List<ScenarioResult>> RunAsync(IReadOnlyList<string> names, int rounds, Baseline? reference, double factor, CancellationToken ct)
    {
        try
        {
            foreach (var name in names.Prepend(Trivial)) await SliceAsync(name, ct); // warm-up: JIT, caches, connections
            var ratios = names.ToDictionary(n => n, _ => new List<double>());
            var rates = names.ToDictionary(n => n, _ => new List<double>());
            var errors = names.ToDictionary(n => n, _ => 0L);
            for (var round = 0; round < rounds; round++)
            {
                var (before, _) = await SliceAsync(Trivial, ct);
                foreach (var name in names)
                {
                    var (rate, bad) = await SliceAsync(name, ct);
                    var (after, _) = await SliceAsync(Trivial, ct);
                    ratios[name].Add(RegressionCheck.Ratio(rate, before, after));
                    rates[name].Add(rate);
                    errors[name] += bad;
                    before = after;
                }
            }
            var results = new List<ScenarioResult>();
            foreach (var name in names)
            {
                double? expected = reference?.Ratios.TryGetValue(name, out var b) == true ? b : null;
                var verdict = RegressionCheck.Judge(expected, RegressionCheck.Median(ratios[name]), factor, errors[name]);
                for (var again = 0; verdict == Verdict.Regressed && again < rounds; again++)
                {
                    // Confirm: a real regression stays; a slice that met a burst of other work does not.
                    var (before, _) = await SliceAsync(Trivial, ct);
                    var (rate, bad) = await SliceAsync(name, ct);
                    var (after, _) = await SliceAsync(Trivial, ct);
                    ratios[name].Add(RegressionCheck.Ratio(rate, before, after));
                    rates[name].Add(rate);
                    errors[name] += bad;
                    verdict = RegressionCheck.Judge(expected, RegressionCheck.Median(ratios[name]), factor, errors[name]);
                }
                results.Add(new ScenarioResult(name, expected, RegressionCheck.Median(ratios[name]), ratios[name], RegressionCheck.Median(rates[name]), errors[name], verdict));
            }
            return results;
        }
        finally
        {
            foreach (var sender in _senders.Values) sender.Dispose();
        }
    }

    /// <summary>One closed-loop slice: 2xx answers per second, and how many answers were not 2xx.</summary>
    private async Task<(double Rate, long Errors)> SliceAsync(string name, CancellationToken ct)
    {
        if (!_senders.TryGetValue(name, out var sender))
            _senders[name] = sender = new HttpSender(url, Scenario.Known[name], tokens, connections, perLane: false, timeout);
        var lanes = Enumerable.Range(0, connections).Select(_ => (ISchedule)new ClosedLoopSchedule()).ToArray();
        var r = await LoadRun.RunAsync(lanes, new StopwatchClock(), sender.SendAsync, slice, TimeSpan.Zero, ct);
        var ok = r.Completed - r.Non2xx - r.Failed;
        return (ok / Math.Max(slice.TotalSeconds, r.LastEnd.TotalSeconds), r.Non2xx + r.Failed);
    }

    public static string Table(IEnumerable<ScenarioResult> results, double factor)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | req/s (median) | ratio to trivial (rounds) | baseline | change | verdict |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var x in results)
        {
            var change = x.Baseline is { } b && b > 0 ? $"×{RunReport.F(x.Ratio / b, 2)}" : "";
            var verdict = x.Verdict switch
            {
                Verdict.Pass => "ok",
                Verdict.Regressed => $"**REGRESSED** (more than {RunReport.F(factor, 1)}× slower relative to trivial)",
                Verdict.Errors => $"**FAILED**: {x.Errors} answers were not 2xx",
                _ => x.Baseline is null ? "no baseline" : "?",
            };
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {x.Scenario} | {RunReport.F(x.Rate, 1)} | {RunReport.F(x.Ratio, 3)} ({string.Join(", ", x.Rounds.Select(v => RunReport.F(v, 3)))}) | " +
                $"{(x.Baseline is { } bb ? RunReport.F(bb, 3) : "–")} | {change} | {verdict} |");
        }
        return sb.ToString().TrimEnd();
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
