using System.Diagnostics;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// Per-call latency percentiles of the whole pipeline (BenchmarkDotNet reports means and medians of batches; the
/// issue also asks for p99 of single calls, which only timing each call shows).
/// </summary>
internal static class LatencyMeasure
{
    public static void Run()
    {
        var engine = new LeakGuardEngine(LeakPolicy.Parse(BenchData.PolicyJson(10_000)));
        var posts = new[] { BenchData.Post(engine.Policy.Terms[17].Term), BenchData.Chatter(280) };
        foreach (var post in posts)
        {
            for (var i = 0; i < 5_000; i++)
            {
                engine.Check(post, LeakAudience.Partners);
            }

            var samples = new double[50_000];
            for (var i = 0; i < samples.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                engine.Check(post, LeakAudience.Partners);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            Array.Sort(samples);
            Console.WriteLine($"{(post == posts[0] ? "leaky" : "harmless")} 280-char post, 10k terms, {samples.Length} calls: "
                + $"median {samples[samples.Length / 2]:0.0} µs, p99 {samples[(int)(samples.Length * 0.99)]:0.0} µs, max {samples[^1]:0.0} µs");
        }
    }
}
