using System.Diagnostics;
using Gazouille.LeakGuard.Decision;
using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;
using Gazouille.LeakGuard.Tests;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// Time and allocation of each pipeline stage on the 280-char posts, best of several batches (the least disturbed by
/// other processes on shared cores), to see where a Check call spends its time.
/// </summary>
internal static class StageProfile
{
    /// <param name="only">Runs only the stages whose name contains this (all when null), and skips the dictionary pass.</param>
    public static void Run(string? only = null)
    {
        s_only = only;
        var engine = new LeakGuardEngine(LeakPolicy.Parse(BenchData.PolicyJson(10_000)));
        var dictionaries = new TermMatcher(engine.Policy.Terms);
        var posts = new[] { ("leaky", BenchData.Post(engine.Policy.Terms[17].Term)), ("harmless", BenchData.Chatter(280)) };

        // The whole check first, until the tiered JIT is done with it (most stages are its parts); each stage then
        // warms up again on its own (see TieredWarmup), so that no batch below runs code the JIT is still replacing.
        foreach (var (name, post) in posts)
        {
            Console.WriteLine($"Check of the {name} post: {TieredWarmup.Run(() => engine.Check(post, LeakAudience.Partners))}");
        }

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
            Stage("lexicon context", () => Ctx(), "(lexicon alone)");
            var reused = Ctx();
            Stage("contacts alone", () => { reused.Candidates.Clear(); ContactDetector.Detect(reused); }, "(contacts alone)");
            Stage("quantities alone", () => { reused.Candidates.Clear(); QuantityDetector.Detect(reused); }, "(quantities alone)");
            Stage("money alone", () => { reused.Candidates.Clear(); QuantityDetector.DetectMoney(reused, normalized.Folded); }, "(money alone)");
            Stage("counts alone", () => { reused.Candidates.Clear(); QuantityDetector.DetectCounts(reused); }, "(counts alone)");
            Stage("teams alone", () => { reused.Candidates.Clear(); QuantityDetector.DetectTeams(reused); }, "(teams alone)");
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

        if (only is null)
        {
            Dictionary();
        }
    }

    private static string? s_only;

    /// <summary>
    /// The dictionary stage alone over 1 MB of folded chatter, best of 20 passes, with the adversarial syllable terms
    /// (the original measurement) and with a realistic list of people, companies and projects.
    /// </summary>
    public static void Dictionary()
    {
        var text = TextNormalizer.Normalize(BenchData.Chatter(1 << 20)).Skeleton.Text;
        var wordStarts = 0;
        for (var i = 0; i < text.Length; i++)
        {
            wordStarts += i == 0 || !char.IsLetterOrDigit(text[i - 1]) ? 1 : 0;
        }

        foreach (var (name, terms) in new[] { ("synthetic syllable", BenchData.Terms(10_000)), ("realistic name", BenchData.RealisticTerms(10_000)) })
        {
            var entries = terms.Select(t => new TermEntry("client", t)).ToList();
            var matcher = new TermMatcher(entries);
            var baseline = new SearchValuesTermMatcher(entries);
            Measure($"10k {name} terms, word-start scan", text, wordStarts, matcher.FindAll);
            Measure($"10k {name} terms, SearchValues<string> scan (before)", text, wordStarts, baseline.FindAll);
        }
    }

    private delegate void Scan(ReadOnlySpan<char> text, List<TermHit> hits);

    private static void Measure(string name, string text, int wordStarts, Scan scan)
    {
        var hits = new List<TermHit>(1024);

        // Calls for a while, a pause, calls again: the tiered JIT waits 100 ms after the last new method before it
        // counts calls, and compiles optimized code on a background thread that a loaded machine may starve.
        for (var round = 0; round < 3; round++)
        {
            var warmUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 4);
            while (Stopwatch.GetTimestamp() < warmUntil)
            {
                hits.Clear();
                scan(text.AsSpan(0, 4096), hits);
            }

            Thread.Sleep(200);
        }

        var best = double.MaxValue;
        var bestCpu = double.MaxValue;
        long bytes = 0;
        for (var run = 0; run < 20; run++)
        {
            hits.Clear();
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ThreadCpu.Nanoseconds();
            var start = Stopwatch.GetTimestamp();
            scan(text, hits);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            bestCpu = Math.Min(bestCpu, (ThreadCpu.Nanoseconds() - cpu) / 1e6);
            bytes = GC.GetAllocatedBytesForCurrentThread() - alloc;
        }

        Console.WriteLine($"dictionary stage, {name}, 1 MB folded chatter ({wordStarts} word starts): best {best:0.00} ms = "
            + $"{text.Length / best / 1e6:0.00} G chars/s (thread CPU time: best {bestCpu:0.00} ms = {text.Length / bestCpu / 1e6:0.00} G chars/s), "
            + $"{best * 1e6 / wordStarts:0.0} ns per word start, {bytes} B allocated, {hits.Count} hits");
    }

    private static void Stage(string name, Action action, string? label = null)
    {
        if (s_only is not null && !(label ?? name).Contains(s_only, StringComparison.Ordinal))
        {
            return;
        }

        TieredWarmup.Run(action, batchCalls: 2000, pause: 120, stableRounds: 3, maxRounds: 25);
        var best = double.MaxValue;
        var bestCpu = double.MaxValue;
        long bytes = 0;
        for (var batch = 0; batch < 20; batch++)
        {
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ThreadCpu.Nanoseconds();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < 2000; i++)
            {
                action();
            }

            var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 2000;
            bestCpu = Math.Min(bestCpu, (ThreadCpu.Nanoseconds() - cpu) / 2000.0);
            bytes = (GC.GetAllocatedBytesForCurrentThread() - alloc) / 2000;
            best = Math.Min(best, ns);
        }

        Console.WriteLine($"  {label ?? name,-24} {best,10:0} ns {bytes,8} B   (thread CPU {bestCpu:0} ns)");
    }
}
