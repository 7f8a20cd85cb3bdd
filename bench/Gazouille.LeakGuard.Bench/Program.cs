using BenchmarkDotNet.Running;
using Gazouille.LeakGuard;
using Gazouille.LeakGuard.Bench;
using Gazouille.LeakGuard.Cli;
using Gazouille.LeakGuard.Evaluation;

// evaluate [out.md]      writes the evaluation report (default docs/leak-guard-evaluation.md)
// try "text" [audience]  explains one text with the corpus policy, for tuning by hand
// load-policy            measures loading a 100k-term policy (time and memory)
// latency                per-call median and p99 of the whole pipeline
// snapshot out.txt      every candidate and verdict over the corpora, to diff before/after a change
// stages [NAME]          time and allocation of each pipeline stage (best batch), then the dictionary stage; with NAME, only the stages whose name contains it
// dictionary             the dictionary stage alone: 10k terms over 1 MB (synthetic and realistic term lists)
// count STAGE N         runs a stage N times untimed (for perf stat: dictionary-synthetic|-realistic, normalize-leaky|-harmless, check-leaky|-harmless)
// ab DIR [rounds]       A/B in one process: this build against the Gazouille.LeakGuard.dll in DIR, alternating batches
// anything else          runs BenchmarkDotNet (e.g. --filter * --job short)
switch (args.FirstOrDefault())
{
    case "evaluate":
        var root = RepoPaths.Root();
        var path = args.Length > 1 ? args[1] : Path.Combine(root, "docs", "leak-guard-evaluation.md");
        var report = EvaluationReport.Build();
        File.WriteAllText(path, report);
        Console.WriteLine(report);
        Console.WriteLine($"Written to {path}");
        return 0;
    case "try":
        var policy = LeakPolicy.Load(Path.Combine(RepoPaths.CorpusDir(), "policy.json"));
        return ExplainRunner.Run(args[1], Console.Out, policy, args.Length > 2 ? args[2] : "public", "en", Console.Error);
    case "latency":
        LatencyMeasure.Run();
        return 0;
    case "snapshot":
        Snapshot.Run(args.Length > 1 ? args[1] : "leak-guard-snapshot.txt");
        return 0;
    case "stages":
        StageProfile.Run(args.Length > 1 ? args[1] : null);
        return 0;
    case "dictionary":
        StageProfile.Dictionary();
        return 0;
    case "count":
        FixedCount.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    case "ab":
        AbCompare.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40);
        return 0;
    case "load-policy":
        PolicyLoadMeasure.Run();
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
        return 0;
}
