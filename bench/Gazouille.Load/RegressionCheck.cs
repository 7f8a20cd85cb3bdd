using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gazouille.Load;

/// <summary>The committed reference (bench/load/baseline.json): each scenario's throughput as a ratio to the trivial
/// endpoint measured in the same run, so that a slower or busier machine moves both and the ratio stays.
/// <see cref="Metric"/> says whether answers were counted per server CPU second or per wall second;
/// <see cref="CpuMsPerRequest"/> is the server's CPU time per request, when it was measured.</summary>
public sealed record Baseline(
    [property: JsonPropertyName("measured")] string Measured,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("slice_seconds")] double SliceSeconds,
    [property: JsonPropertyName("ratios")] SortedDictionary<string, double> Ratios,
    [property: JsonPropertyName("cpu_ms_per_request")] SortedDictionary<string, double>? CpuMsPerRequest = null)
{
    /// <summary>Several runs into one conservative reference: per scenario the lowest ratio and the highest CPU cost
    /// seen, so that the check flags only what is clearly worse than every run it was made from.</summary>
    public Baseline Merge(Baseline other) => this with
    {
        Measured = $"{other.Measured}; {Measured}",
        Ratios = Combine(Ratios, other.Ratios, Math.Min)!,
        CpuMsPerRequest = Combine(CpuMsPerRequest, other.CpuMsPerRequest, Math.Max),
    };

    private static SortedDictionary<string, double>? Combine(SortedDictionary<string, double>? a, SortedDictionary<string, double>? b, Func<double, double, double> pick)
    {
        if (a is null || b is null) return a ?? b;
        var all = new SortedDictionary<string, double>(a);
        foreach (var (k, v) in b) all[k] = all.TryGetValue(k, out var w) ? pick(v, w) : v;
        return all;
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static Baseline Read(string path) =>
        JsonSerializer.Deserialize<Baseline>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path} is empty.");

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Options) + "\n");
}

public static class Metrics
{
    public const string PerCpuSecond = "answers per server CPU second";
    public const string PerWallSecond = "answers per wall second";
}

public enum Verdict { Pass, Regressed, NoBaseline, Errors }

/// <summary>The pure part of the CI check: ratios of interleaved slices, their median, and the verdict.</summary>
public static class RegressionCheck
{
    /// <summary>A scenario's ratio in one round: its rate over the mean of the trivial slices just before and after
    /// it, so that a change of load during the round moves the reference too.</summary>
    public static double Ratio(double scenarioRate, double trivialBefore, double trivialAfter)
    {
        var trivial = (trivialBefore + trivialAfter) / 2;
        return trivial > 0 ? scenarioRate / trivial : 0;
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Fails only when the ratio fell by more than <paramref name="factor"/> (2 in CI) and, when both CPU costs
    /// are known, the server's CPU time per request also grew by more than that factor; or when the scenario answered
    /// anything but 2xx (a scenario that answers 401 fast must not pass). The two tests move apart when only the
    /// machine's load changes (more load inflates the trivial endpoint's cost most, so ratios rise while costs rise;
    /// a quiet machine makes the trivial endpoint cheapest, so ratios fall while costs fall), and together when the
    /// scenario's own work grows, so requiring both keeps a shared machine from failing CI.</summary>
    public static Verdict Judge(double? baseline, double measured, double factor, long errors, double? baselineCost = null, double? measuredCost = null)
    {
        if (errors > 0) return Verdict.Errors;
        if (baseline is not { } b || b <= 0) return Verdict.NoBaseline;
        var ratioFell = measured * factor < b;
        var costGrew = baselineCost is not { } c || measuredCost is not { } m || double.IsNaN(m) || m > c * factor;
        return ratioFell && costGrew ? Verdict.Regressed : Verdict.Pass;
    }
}
