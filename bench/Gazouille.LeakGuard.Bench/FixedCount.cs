using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// One stage run a fixed number of times, nothing timed: run it under <c>perf stat -e instructions:u</c> with two
/// counts and divide the difference, a figure that other processes on shared cores do not move (unlike times).
/// </summary>
internal static class FixedCount
{
    public static void Run(string stage, int count)
    {
        Action action;
        switch (stage)
        {
            case "dictionary-synthetic" or "dictionary-realistic":
                var text = TextNormalizer.Normalize(BenchData.Chatter(1 << 20)).Skeleton.Text;
                var terms = stage == "dictionary-synthetic" ? BenchData.Terms(10_000) : BenchData.RealisticTerms(10_000);
                var matcher = new TermMatcher(terms.Select(t => new TermEntry("client", t)));
                var hits = new List<TermHit>();
                action = () => { hits.Clear(); matcher.FindAll(text, hits); };
                break;
            default:
                var engine = new LeakGuardEngine(LeakPolicy.Parse(BenchData.PolicyJson(10_000)));
                var post = stage.EndsWith("harmless", StringComparison.Ordinal) ? BenchData.Chatter(280) : BenchData.Post(engine.Policy.Terms[17].Term);
                action = stage.StartsWith("normalize", StringComparison.Ordinal)
                    ? () => TextNormalizer.Normalize(post)
                    : () => engine.Check(post, LeakAudience.Partners);
                break;
        }

        // Enough calls, with pauses, for the tiered JIT to finish optimizing before the counted calls.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 200; i++)
            {
                action();
            }

            Thread.Sleep(300);
        }

        for (var i = 0; i < count; i++)
        {
            action();
        }
    }
}
