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
        var leaky = BenchData.Post(engine.Policy.Terms[17].Term);

        // The same leaky post with a phone number never seen before on every call: what a post costs when the
        // phone verdict cache cannot help (the first check of a new number).
        var freshPhones = new string[55_000];
        for (var i = 0; i < freshPhones.Length; i++)
        {
            var n = 100_000 + (i * 7919 % 900_000);
            freshPhones[i] = leaky.Replace("06 12 34 56 78", $"06 {n / 10000 % 100:00} {n / 100 % 100:00} {n % 100:00} 78", StringComparison.Ordinal);
        }

        foreach (var (name, posts) in new[] { ("leaky", new[] { leaky }), ("leaky, new phone number each call,", freshPhones), ("harmless", new[] { BenchData.Chatter(280) }) })
        {
            var next = 0;
            string Next() => posts[next++ % posts.Length];
            // Batches with pauses until the tiered JIT has installed its optimized code (no method compiled for several
            // rounds, batch time no longer improving): the calls measured below then see the steady state.
            var warmup = TieredWarmup.Run(() => engine.Check(Next(), LeakAudience.Partners));
            Console.WriteLine($"{name}: {warmup}");

            var samples = new double[50_000];
            var gen0 = GC.CollectionCount(0);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ThreadCpu.Nanoseconds();
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            for (var i = 0; i < samples.Length; i++)
            {
                var post = Next();
                var start = Stopwatch.GetTimestamp();
                engine.Check(post, LeakAudience.Partners);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            var cpuPerCall = (ThreadCpu.Nanoseconds() - cpu) / 1e3 / samples.Length;
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiled;
            var bytesPerCall = (GC.GetAllocatedBytesForCurrentThread() - allocated) / samples.Length;
            gen0 = GC.CollectionCount(0) - gen0;

            // The first tenth apart: code the tiered JIT has not finished optimizing shows there, not in the rest.
            var head = samples[..(samples.Length / 10)];
            var tail = samples[(samples.Length / 10)..];
            Array.Sort(head);
            Array.Sort(tail);
            Array.Sort(samples);
            Console.WriteLine($"{name} 280-char post, 10k terms, {samples.Length} calls: "
                + $"median {samples[samples.Length / 2]:0.0} µs, p99 {samples[(int)(samples.Length * 0.99)]:0.0} µs, max {samples[^1]:0.0} µs; "
                + $"thread CPU {cpuPerCall:0.0} µs per call, {bytesPerCall} B per call, {gen0} gen0 GCs, {compiled} methods compiled during the calls; "
                + $"p99 of the first tenth {head[(int)(head.Length * 0.99)]:0.0} µs, of the rest {tail[(int)(tail.Length * 0.99)]:0.0} µs");
        }
    }
}
