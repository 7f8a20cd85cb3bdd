using System.Globalization;
using System.Text;

namespace Gazouille.Load;

/// <summary>One scenario's outcome. <see cref="Ratio"/> is the judged one: per server CPU second when the server's
/// process is known, else per wall second (<see cref="WallRatio"/>, always shown).</summary>
public sealed record ScenarioResult(string Scenario, double? Baseline, double Ratio, IReadOnlyList<double> Rounds, double WallRatio,
    double Rate, double CpuMsPerRequest, double? BaselineCpuMs, long Errors, Verdict Verdict);

/// <summary>A slice: 2xx answers per wall second, per server CPU second (null without the server's process), errors.</summary>
public readonly record struct SliceResult(double Rate, double? PerCpuSecond, long Errors);

/// <summary>The measuring part of the CI check: closed-loop slices of each scenario interleaved with slices of the
/// trivial endpoint (T A T B T …), repeated for a few rounds; a scenario that looks regressed is measured twice more
/// before it fails, so one noisy slice on a shared machine does not fail CI. With the server's process id, each
/// slice also counts the server's CPU time, and the judged ratio is of answers per CPU second: other work on the
/// machine slows both the scenario and the trivial endpoint in wall time, but hardly changes what a request costs.</summary>
public sealed class RegressionRunner(Uri url, string[] tokens, int connections, TimeSpan slice, TimeSpan timeout, int? serverPid = null)
{
    private const string Trivial = "trivial";
    private readonly Dictionary<string, HttpSender> _senders = [];

    public async Task<List<ScenarioResult>> RunAsync(IReadOnlyList<string> names, int rounds, Baseline? reference, double factor, CancellationToken ct)
    {
        try
        {
            foreach (var name in names.Prepend(Trivial)) await SliceAsync(name, ct); // warm-up: JIT, caches, connections
            var cpu = names.ToDictionary(n => n, _ => new List<double>());
            var wall = names.ToDictionary(n => n, _ => new List<double>());
            var rates = names.ToDictionary(n => n, _ => new List<double>());
            var costs = names.ToDictionary(n => n, _ => new List<double>());
            var errors = names.ToDictionary(n => n, _ => 0L);
            async Task<SliceResult> MeasureAsync(string name, SliceResult before)
            {
                var x = await SliceAsync(name, ct);
                var after = await SliceAsync(Trivial, ct);
                wall[name].Add(RegressionCheck.Ratio(x.Rate, before.Rate, after.Rate));
                if (x.PerCpuSecond is { } e && before.PerCpuSecond is { } b && after.PerCpuSecond is { } a)
                {
                    cpu[name].Add(RegressionCheck.Ratio(e, b, a));
                    costs[name].Add(e > 0 ? 1000 / e : 0);
                }
                rates[name].Add(x.Rate);
                errors[name] += x.Errors;
                return after;
            }
            List<double> Judged(string name) => cpu[name].Count > 0 ? cpu[name] : wall[name];

            for (var round = 0; round < rounds; round++)
            {
                var before = await SliceAsync(Trivial, ct);
                foreach (var name in names) before = await MeasureAsync(name, before);
            }
            var results = new List<ScenarioResult>();
            foreach (var name in names)
            {
                double? expected = reference?.Ratios.TryGetValue(name, out var b) == true ? b : null;
                double? expectedCost = reference?.CpuMsPerRequest?.TryGetValue(name, out var c) == true ? c : null;
                double? Cost() => costs[name].Count > 0 ? RegressionCheck.Median(costs[name]) : null;
                var verdict = RegressionCheck.Judge(expected, RegressionCheck.Median(Judged(name)), factor, errors[name], expectedCost, Cost());
                for (var again = 0; verdict == Verdict.Regressed && again < 2; again++)
                {
                    // Confirm: a real regression stays; a slice that met a burst of other work does not.
                    await MeasureAsync(name, await SliceAsync(Trivial, ct));
                    verdict = RegressionCheck.Judge(expected, RegressionCheck.Median(Judged(name)), factor, errors[name], expectedCost, Cost());
                }
                results.Add(new ScenarioResult(name, expected, RegressionCheck.Median(Judged(name)), Judged(name), RegressionCheck.Median(wall[name]),
                    RegressionCheck.Median(rates[name]), Cost() ?? double.NaN, expectedCost, errors[name], verdict));
            }
            return results;
        }
        finally
        {
            foreach (var sender in _senders.Values) sender.Dispose();
        }
    }

    /// <summary>One closed-loop slice of a scenario.</summary>
    private async Task<SliceResult> SliceAsync(string name, CancellationToken ct)
    {
        if (!_senders.TryGetValue(name, out var sender))
            _senders[name] = sender = new HttpSender(url, Scenario.Known[name], tokens, connections, perLane: false, timeout);
        var lanes = Enumerable.Range(0, connections).Select(_ => (ISchedule)new ClosedLoopSchedule()).ToArray();
        var cpuBefore = ServerCpu.Read(serverPid);
        var r = await LoadRun.RunAsync(lanes, new StopwatchClock(), sender.SendAsync, slice, TimeSpan.Zero, ct);
        var cpuAfter = ServerCpu.Read(serverPid);
        var ok = r.Completed - r.Non2xx - r.Failed;
        double? perCpu = cpuBefore is { } c0 && cpuAfter is { } c1 && c1 > c0 ? ok / (c1 - c0).TotalSeconds : null;
        return new SliceResult(ok / Math.Max(slice.TotalSeconds, r.LastEnd.TotalSeconds), perCpu, r.Non2xx + r.Failed);
    }

    public static string Table(IEnumerable<ScenarioResult> results, double factor)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | req/s | server CPU ms per request (baseline) | ratio to trivial (rounds) | per wall second | baseline | change | verdict |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var x in results)
        {
            var change = x.Baseline is { } b && b > 0 ? $"×{RunReport.F(x.Ratio / b, 2)}" : "";
            var verdict = x.Verdict switch
            {
                Verdict.Pass => "ok",
                Verdict.Regressed => $"**REGRESSED** (more than {RunReport.F(factor, 1)}× slower relative to trivial, and in CPU per request)",
                Verdict.Errors => $"**FAILED**: {x.Errors} answers were not 2xx",
                _ => x.Baseline is null ? "no baseline" : "?",
            };
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {x.Scenario} | {RunReport.F(x.Rate, 1)} | {(double.IsNaN(x.CpuMsPerRequest) ? "–" : RunReport.F(x.CpuMsPerRequest, 2))}{(x.BaselineCpuMs is { } bc ? $" ({RunReport.F(bc, 2)})" : "")} | {RunReport.F(x.Ratio, 3)} ({string.Join(", ", x.Rounds.Select(v => RunReport.F(v, 3)))}) | {RunReport.F(x.WallRatio, 3)} | " +
                $"{(x.Baseline is { } bb ? RunReport.F(bb, 3) : "–")} | {change} | {verdict} |");
        }
        return sb.ToString().TrimEnd();
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
