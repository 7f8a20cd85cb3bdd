using System.Diagnostics;
using Gazouille.LeakGuard.Decision;
using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// Time and allocation of each pipeline stage on the 280-char posts, best of several batches (the least disturbed by
/// other processes on shared cores), to see where a Check call spends its time.
/// </summary>
internal static class StageProfile
{
    public static void Run()
    {
        var engine = new LeakGuardEngine(LeakPolicy.Parse(BenchData.PolicyJson(10_000)));
        var dictionaries = new TermMatcher(engine.Policy.Terms);
        var posts = new[] { ("leaky", BenchData.Post(engine.Policy.Terms[17].Term)), ("harmless", BenchData.Chatter(280)) };
        foreach (var (name, post) in posts)
        {
            Console.WriteLine($"{name} 280-char post, 10k terms (best batch of 20 × 2000 calls, ns per call, bytes per call):");
            var normalized = TextNormalizer.Normalize(post);
            ScanContext Ctx()
            {
                var ctx = new ScanContext(normalized, engine.Policy);
                WordListDetector.DetectLexicon(ctx);
                return ctx;
            }

            var lexCtx = Ctx();
            Stage("normalize", () => TextNormalizer.Normalize(post));
            Stage("lexicon", () => WordListDetector.DetectLexicon(new ScanContext(normalized, engine.Policy)));
            Stage("dictionaries", () => WordListDetector.DetectDictionaries(new ScanContext(normalized, engine.Policy) { }, dictionaries));
            Stage("secrets", () => SecretDetector.Detect(new ScanContext(normalized, engine.Policy), true));
            Stage("identifiers", () => IdentifierDetector.Detect(new ScanContext(normalized, engine.Policy)));
            Stage("contacts", () => ContactDetector.Detect(Ctx()), "contacts (+lexicon)");
            Stage("network", () => NetworkDetector.Detect(new ScanContext(normalized, engine.Policy)));
            Stage("quantities", () => QuantityDetector.Detect(Ctx()), "quantities (+lexicon)");
            var full = Ctx();
            foreach (var d in new Action<ScanContext>[] { c => WordListDetector.DetectDictionaries(c, dictionaries), c => SecretDetector.Detect(c, true),
                         IdentifierDetector.Detect, ContactDetector.Detect, NetworkDetector.Detect, QuantityDetector.Detect })
            {
                d(full);
            }

            Stage("combine", () => Combiner.Combine(full, null));
            Stage("Check (whole)", () => engine.Check(post, LeakAudience.Partners));
        }

        Dictionary();
    }

    /// <summary>The dictionary stage alone over 1 MB of folded chatter (no term in it), best of 10 passes.</summary>
    public static void Dictionary()
    {
        var matcher = new TermMatcher(BenchData.Terms(10_000).Select(t => new TermEntry("client", t)));
        var text = TextNormalizer.Normalize(BenchData.Chatter(1 << 20)).Skeleton.Text;
        var hits = new List<TermHit>(1024);
        var best = double.MaxValue;
        long bytes = 0;
        for (var run = 0; run < 10; run++)
        {
            hits.Clear();
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            matcher.FindAll(text, hits);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            bytes = GC.GetAllocatedBytesForCurrentThread() - alloc;
        }

        Console.WriteLine($"dictionary stage, 10k terms, 1 MB folded chatter: best {best:0.00} ms = {text.Length / best / 1e6:0.00} G chars/s, {bytes} B allocated, {hits.Count} hits");
    }

    private static void Stage(string name, Action action, string? label = null)
    {
        for (var i = 0; i < 2000; i++)
        {
            action();
        }

        var best = double.MaxValue;
        long bytes = 0;
        for (var batch = 0; batch < 20; batch++)
        {
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < 2000; i++)
            {
                action();
            }

            var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 2000;
            bytes = (GC.GetAllocatedBytesForCurrentThread() - alloc) / 2000;
            best = Math.Min(best, ns);
        }

        Console.WriteLine($"  {label ?? name,-24} {best,10:0} ns {bytes,8} B");
    }
}
