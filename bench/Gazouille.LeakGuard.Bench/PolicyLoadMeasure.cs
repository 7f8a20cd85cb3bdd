using System.Diagnostics;

namespace Gazouille.LeakGuard.Bench;

/// <summary>Loading a 100k-term policy: parse + validate + build the matcher, wall time and managed memory retained.</summary>
internal static class PolicyLoadMeasure
{
    public static void Run()
    {
        var json = BenchData.PolicyJson(100_000);
        var path = Path.Combine(Path.GetTempPath(), "gazouille-100k-policy.json");
        File.WriteAllText(path, json);
        _ = new LeakGuardEngine(LeakPolicy.Parse("{}")); // warm the lexicon and gitleaks rules, which every policy shares
        LeakGuardEngine? engine = null;
        for (var run = 0; run < 3; run++)
        {
            engine = null;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var before = GC.GetTotalMemory(true);
            var watch = Stopwatch.StartNew();
            engine = new LeakGuardEngine(LeakPolicy.Load(path));
            watch.Stop();
            var after = GC.GetTotalMemory(true);
            Console.WriteLine($"run {run + 1}: 100k terms ({json.Length / 1024} KB file) loaded in {watch.ElapsedMilliseconds} ms, {(after - before) / (1024 * 1024.0):0.0} MB retained");
            GC.KeepAlive(engine);
        }

        File.Delete(path);
    }
}
