using BenchmarkDotNet.Attributes;
using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Bench;

/// <summary>The whole pipeline on a 280-character post, with a 10k-term policy and every detector on.</summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private LeakGuardEngine _engine = null!;
    private string _post = null!;
    private string _harmless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new LeakGuardEngine(LeakPolicy.Parse(BenchData.PolicyJson(10_000)));
        var client = _engine.Policy.Terms[17].Term;
        _post = BenchData.Post(client);
        _harmless = BenchData.Chatter(280);
        _engine.Check(_post, LeakAudience.Partners);
    }

    [Benchmark(Description = "Check: 280-char post full of leaks, 10k terms")]
    public LeakVerdict CheckLeakyPost() => _engine.Check(_post, LeakAudience.Partners);

    [Benchmark(Description = "Check: 280-char harmless post, 10k terms")]
    public LeakVerdict CheckHarmlessPost() => _engine.Check(_harmless, LeakAudience.Partners);

    [Benchmark(Description = "Normalize: 280-char post")]
    public NormalizedText Normalize() => TextNormalizer.Normalize(_post);
}

/// <summary>The dictionary stage alone: 10k terms over 1 MB of folded text. Throughput = 1 MB / mean time.</summary>
[MemoryDiagnoser]
public class DictionaryBenchmarks
{
    private TermMatcher _matcher = null!;
    private string _text = null!;
    private readonly List<TermHit> _hits = new(1024);

    [GlobalSetup]
    public void Setup()
    {
        _matcher = new TermMatcher(BenchData.Terms(10_000).Select(t => new TermEntry("client", t)));
        _text = TextNormalizer.Normalize(BenchData.Chatter(1 << 20)).Skeleton.Text;
    }

    [Benchmark(Description = "Dictionary stage: 1 MB, 10k terms (FindAll, reused list)")]
    public int FindAll()
    {
        _hits.Clear();
        _matcher.FindAll(_text, _hits);
        return _hits.Count;
    }
}
