using System.Diagnostics;
using System.Runtime;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// Warms code up until the tiered JIT has finished with it, so that a measurement sees the steady state rather than
/// the JIT still at work. The JIT compiles a method first without optimizations (with TieredPGO, then again with
/// instrumentation), counts calls only once no new method has been compiled for 100 ms, and installs the optimized
/// code from a background thread: a warm-up of a fixed number of calls can end before that, and the first calls
/// measured then carry the slow code and the compilations (the 150 ms stalls and p99 of 200 µs seen at 04:22 UTC on
/// 2026-11-27 with the default JIT, against 55–63 µs with <c>DOTNET_TieredPGO=0</c>). Here batches of calls alternate
/// with pauses until no method has been compiled for several rounds and the batch time has stopped improving.
/// </summary>
internal static class TieredWarmup
{
    public sealed record Report(TimeSpan Elapsed, int Rounds, long MethodsCompiled, double FirstBatchNs, double LastBatchNs, bool Settled)
    {
        public override string ToString() =>
            $"warm-up {Elapsed.TotalSeconds:0.0} s, {Rounds} rounds, {MethodsCompiled} methods compiled meanwhile, "
            + $"batch {FirstBatchNs / 1000:0.0} → {LastBatchNs / 1000:0.0} µs per call{(Settled ? string.Empty : " (NOT settled: round limit reached)")}";
    }

    /// <param name="call">One call of the code to warm.</param>
    /// <param name="batchCalls">Calls per round.</param>
    /// <param name="pause">Pause after each round (the tiering delay is 100 ms; the background compiler needs a core).</param>
    /// <param name="stableRounds">Rounds in a row with no method compiled and no batch 2% faster than the best so far.</param>
    /// <param name="maxRounds">Give up after this many rounds (the report says so).</param>
    public static Report Run(Action call, int batchCalls = 2000, int pause = 150, int stableRounds = 4, int maxRounds = 80)
    {
        var started = Stopwatch.GetTimestamp();
        var compiledAtStart = JitInfo.GetCompiledMethodCount();
        var best = double.MaxValue;
        var first = 0.0;
        var last = 0.0;
        var stable = 0;
        var rounds = 0;
        while (rounds < maxRounds)
        {
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            var cpu = ThreadCpu.Nanoseconds();
            for (var i = 0; i < batchCalls; i++)
            {
                call();
            }

            // Thread CPU: on shared cores a preempted batch would otherwise read as slower code.
            var ns = (double)(ThreadCpu.Nanoseconds() - cpu) / batchCalls;
            rounds++;
            first = rounds == 1 ? ns : first;
            last = ns;
            Thread.Sleep(pause);
            var compiled = JitInfo.GetCompiledMethodCount() != compiledBefore;
            var improved = ns < best * 0.98;
            best = Math.Min(best, ns);
            stable = compiled || improved ? 0 : stable + 1;
            if (stable >= stableRounds)
            {
                return new Report(Stopwatch.GetElapsedTime(started), rounds, JitInfo.GetCompiledMethodCount() - compiledAtStart, first, last, true);
            }
        }

        return new Report(Stopwatch.GetElapsedTime(started), rounds, JitInfo.GetCompiledMethodCount() - compiledAtStart, first, last, false);
    }
}
