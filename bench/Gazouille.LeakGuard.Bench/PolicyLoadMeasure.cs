using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// Loading a 100k-term policy: parse + validate + build the matcher. Reports wall time (split into policy and engine),
/// managed bytes allocated during the load, and the managed memory the loaded engine keeps.
/// </summary>
internal static class PolicyLoadMeasure
{
    public static void Run()
    {
        var json = BenchData.PolicyJson(100_000);
        var path = Path.Combine(Path.GetTempPath(), "gazouille-100k-policy.json");
        File.WriteAllText(path, json);
        _ = new LeakGuardEngine(LeakPolicy.Parse("{}")); // warm the lexicon and gitleaks rules, which every policy shares
        for (var run = 0; run < 5; run++)
        {
            Console.WriteLine($"run {run + 1}: 100k terms ({json.Length / 1024} KB file) " + LoadOnce(path));
        }

        File.Delete(path);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string LoadOnce(string path)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var allocated = GC.GetTotalAllocatedBytes(true);
        var watch = Stopwatch.StartNew();
        var policy = LeakPolicy.Load(path);
        var parsed = watch.Elapsed.TotalMilliseconds;
        var engine = new LeakGuardEngine(policy);
        watch.Stop();
        var allocatedMb = (GC.GetTotalAllocatedBytes(true) - allocated) / (1024 * 1024.0);
        var retainedMb = (GC.GetTotalMemory(true) - before) / (1024 * 1024.0);
        GC.KeepAlive(engine);
        return $"loaded in {watch.ElapsedMilliseconds} ms (policy {parsed:0} ms, matcher {watch.Elapsed.TotalMilliseconds - parsed:0} ms), "
            + $"{allocatedMb:0} MB allocated, {retainedMb:0.0} MB retained by the engine, working set {Environment.WorkingSet / (1024 * 1024)} MB";
    }
}
