using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Gazouille.Load;

// A fixed-rate (open model) load driver for Gazouille: latency measured from each request's intended start, as wrk2.
//   gazouille-load run --url http://127.0.0.1:5092 --scenario check --authors 50 --think 300-500 --tokens T --duration 20
//   gazouille-load run --url … --scenario home --rate 150 --connections 32 --tokens T
//   gazouille-load regress --url … --tokens T --baseline bench/load/baseline.json   (CI: fails on a 2× regression)
var url = new Option<string>("--url") { Description = "Base URL of the server, e.g. http://127.0.0.1:5092", Required = true };
var tokens = new Option<string?>("--tokens") { Description = "File of 'username token' lines (gazouille admin generate --tokens-file)" };
var timeout = new Option<double>("--timeout") { Description = "Seconds before a request counts as failed", DefaultValueFactory = _ => 10 };

var scenario = new Option<string?>("--scenario") { Description = $"One of: {string.Join(", ", Scenario.Known.Keys)}" };
var method = new Option<string>("--method") { Description = "Method of a custom scenario", DefaultValueFactory = _ => "GET" };
var path = new Option<string[]>("--path") { Description = "Path of a custom scenario, repeatable (rotated per request)" };
var body = new Option<string?>("--body") { Description = "JSON body template: {n}, {text}, {audience}, {query}" };
var texts = new Option<string?>("--texts") { Description = "File of texts for {text}, one per line" };
var header = new Option<string[]>("--header") { Description = "Extra header 'Name: value', repeatable" };
var anonymous = new Option<bool>("--anonymous") { Description = "Custom scenario without a bearer token" };
var rate = new Option<double>("--rate") { Description = "Requests per second for all connections together; 0 = closed loop (as wrk)" };
var connections = new Option<int>("--connections") { Description = "Connections (lanes), each one request at a time", DefaultValueFactory = _ => 16 };
var authors = new Option<int>("--authors") { Description = "People typing: one lane, token and text sequence each (replaces --rate and --connections)" };
var think = new Option<string>("--think") { Description = "With --authors: pause between two requests of one person, MIN-MAX ms", DefaultValueFactory = _ => "300-500" };
var duration = new Option<double>("--duration") { Description = "Seconds", DefaultValueFactory = _ => 20 };
var warmup = new Option<double>("--warmup") { Description = "Seconds of closed-loop warm-up on 4 connections first (JIT, caches)", DefaultValueFactory = _ => 3 };
var grace = new Option<double>("--grace") { Description = "Seconds after the duration a late lane may still send", DefaultValueFactory = _ => 5 };
var label = new Option<string?>("--label") { Description = "Name of the row in the report" };
var seed = new Option<int>("--seed") { Description = "Seed of the think-time draws", DefaultValueFactory = _ => 1 };

var run = new Command("run", "Drive one scenario at a fixed rate (or closed loop) and print latency percentiles")
{
    url, tokens, timeout, scenario, method, path, body, texts, header, anonymous, rate, connections, authors, think, duration, warmup, grace, label, seed,
};
run.SetAction(async (r, ct) =>
{
    try
    {
        var s = ChooseScenario(r.GetValue(scenario), r.GetValue(method)!, r.GetValue(path) ?? [], r.GetValue(body), r.GetValue(texts), r.GetValue(anonymous));
        var tokenList = HttpSender.ReadTokens(r.GetValue(tokens));
        var people = r.GetValue(authors);
        var (min, max) = ParseRange(r.GetValue(think)!);
        var lanes = people > 0 ? people : r.GetValue(connections);
        if (lanes <= 0) throw new ArgumentException("--connections (or --authors) must be at least 1.");
        var perSecond = r.GetValue(rate);
        if (perSecond < 0) throw new ArgumentException("--rate must be positive, or 0 for a closed loop.");
        var random = new Random(r.GetValue(seed));
        ISchedule[] schedules = people > 0 ? [.. Enumerable.Range(0, lanes).Select(_ => new ThinkTimeSchedule(min, max, new Random(random.Next())))]
            : perSecond > 0 ? [.. Enumerable.Range(0, lanes).Select(i => new FixedRateSchedule(perSecond, lanes, i))]
            : [.. Enumerable.Range(0, lanes).Select(_ => new ClosedLoopSchedule())];
        var offered = people > 0 ? $"{people} authors, one request every {min.TotalMilliseconds:F0}–{max.TotalMilliseconds:F0} ms (≈ {ThinkTimeSchedule.OfferedRate(people, min, max):F0} req/s)"
            : perSecond > 0 ? $"{perSecond.ToString(CultureInfo.InvariantCulture)} req/s on {lanes} connections" : $"closed loop, {lanes} connections";

        using var sender = new HttpSender(new Uri(r.GetValue(url)!), s, tokenList, lanes, perLane: people > 0, TimeSpan.FromSeconds(r.GetValue(timeout)), r.GetValue(header));
        if (r.GetValue(warmup) > 0)
            await LoadRun.RunAsync([.. Enumerable.Range(0, 4).Select(_ => new ClosedLoopSchedule())], new StopwatchClock(), sender.SendAsync, TimeSpan.FromSeconds(r.GetValue(warmup)), TimeSpan.Zero, ct);
        var time = TimeSpan.FromSeconds(r.GetValue(duration));
        var recorder = await LoadRun.RunAsync(schedules, new StopwatchClock(), sender.SendAsync, time, TimeSpan.FromSeconds(r.GetValue(grace)), ct);
        var report = new RunReport(r.GetValue(label) ?? s.Description, offered, time, recorder);
        Console.WriteLine(report.Text());
        Console.WriteLine("ROW " + report.MarkdownRow());
        return recorder.Completed - recorder.Failed - recorder.Non2xx > 0 ? 0 : 1; // nothing answered 2xx: say so to the script
    }
    catch (Exception e) when (e is ArgumentException or FileNotFoundException or FormatException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
});

var baseline = new Option<string>("--baseline") { Description = "Baseline ratios (JSON)", DefaultValueFactory = _ => "bench/load/baseline.json" };
var writeBaseline = new Option<bool>("--write-baseline") { Description = "Write this run's ratios as the new baseline instead of comparing" };
var scenarios = new Option<string>("--scenarios") { Description = "Comma-separated scenarios", DefaultValueFactory = _ => "markers,home,search,webhome,publish,check" };
var slice = new Option<double>("--slice") { Description = "Seconds per measured slice", DefaultValueFactory = _ => 2 };
var rounds = new Option<int>("--rounds") { Description = "Rounds of interleaved slices (the median ratio counts)", DefaultValueFactory = _ => 3 };
var factor = new Option<double>("--factor") { Description = "Fail when a ratio fell by more than this factor", DefaultValueFactory = _ => 2 };
var merge = new Option<bool>("--merge") { Description = "With --write-baseline: merge into the existing file (lowest ratio, highest CPU cost per scenario)" };
var serverPid = new Option<int?>("--server-pid") { Description = "The server's process id: judge answers per server CPU second (robust on a shared machine)" };
var regressConnections = new Option<int>("--connections") { Description = "Connections (closed loop)", DefaultValueFactory = _ => 8 };
var regress = new Command("regress", "Throughput of each scenario as a ratio to the trivial endpoint, against a baseline (CI)")
{
    url, tokens, timeout, baseline, writeBaseline, scenarios, slice, rounds, factor, regressConnections, serverPid, merge,
};
regress.SetAction(async (r, ct) =>
{
    var names = r.GetValue(scenarios)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = names.Where(n => !Scenario.Known.ContainsKey(n) || n == "trivial").ToArray();
    if (unknown.Length > 0) { Console.Error.WriteLine($"Unknown scenario(s): {string.Join(", ", unknown)}."); return 2; }
    var check = new RegressionRunner(new Uri(r.GetValue(url)!), HttpSender.ReadTokens(r.GetValue(tokens)), r.GetValue(regressConnections),
        TimeSpan.FromSeconds(r.GetValue(slice)), TimeSpan.FromSeconds(r.GetValue(timeout)), r.GetValue(serverPid));
    if (r.GetValue(serverPid) is { } pid && ServerCpu.Read(pid) is null) { Console.Error.WriteLine($"Cannot read the CPU time of process {pid}."); return 2; }
    var metric = r.GetValue(serverPid) is null ? Metrics.PerWallSecond : Metrics.PerCpuSecond;
    var file = r.GetValue(baseline)!;
    Baseline? reference;
    try
    {
        reference = r.GetValue(writeBaseline) ? null : File.Exists(file) ? Baseline.Read(file) : null;
    }
    catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or IOException)
    {
        Console.Error.WriteLine($"Cannot read the baseline {file}: {e.Message}");
        return 2;
    }
    if (!r.GetValue(writeBaseline) && reference is null) { Console.Error.WriteLine($"No baseline at {file}; make one with --write-baseline."); return 2; }
    if (reference is not null && reference.Metric != metric)
    {
        Console.Error.WriteLine($"The baseline counts {reference.Metric}, this run {metric}: give --server-pid as when it was made, or write a new one.");
        return 2;
    }
    var clock = Stopwatch.StartNew();
    var results = await check.RunAsync(names, r.GetValue(rounds), reference, r.GetValue(factor), ct);
    Console.WriteLine(RegressionRunner.Table(results, r.GetValue(factor)));
    Console.WriteLine($"({clock.Elapsed.TotalSeconds:F0} s, {r.GetValue(rounds)} rounds of {r.GetValue(slice)} s slices, {r.GetValue(regressConnections)} connections, load average {RegressionRunner.LoadAverage()})");
    if (r.GetValue(writeBaseline))
    {
        var measured = new Baseline($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {RegressionRunner.LoadAverage()}", metric, r.GetValue(regressConnections), r.GetValue(slice),
            new SortedDictionary<string, double>(results.ToDictionary(x => x.Scenario, x => Math.Round(x.Ratio, 4))),
            results.All(x => !double.IsNaN(x.CpuMsPerRequest)) ? new SortedDictionary<string, double>(results.ToDictionary(x => x.Scenario, x => Math.Round(x.CpuMsPerRequest, 2))) : null);
        (r.GetValue(merge) && File.Exists(file) ? Baseline.Read(file).Merge(measured) : measured).Write(file);
        Console.WriteLine($"Wrote {file}.");
        return 0;
    }
    var failed = results.Count(x => x.Verdict is Verdict.Regressed or Verdict.Errors or Verdict.NoBaseline);
    Console.WriteLine($"Performance regression check: {results.Count - failed} passed, {failed} failed");
    return failed == 0 ? 0 : 1;
});

var followers = new Option<string>("--followers") { Description = "Comma-separated follower counts, one author each", DefaultValueFactory = _ => "10,100,1000,10000" };
var fanPosts = new Option<int>("--posts") { Description = "Posts measured per follower count and path", DefaultValueFactory = _ => 3 };
var fanConnections = new Option<int>("--connections") { Description = "Connections for follows and home reads", DefaultValueFactory = _ => 32 };
var noStreams = new Option<bool>("--no-streams") { Description = "Leave out the user streams" };
var noHomes = new Option<bool>("--no-homes") { Description = "Leave out the home timeline reads" };
var fanout = new Command("fanout", "Time until a post reaches the last of N followers: their home timelines and their open user streams")
{
    url, tokens, followers, fanPosts, fanConnections, noStreams, noHomes,
};
fanout.SetAction(async (r, ct) =>
{
    try
    {
        var sizes = r.GetValue(followers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--followers lists whole numbers, not '{x}'.")).ToArray();
        var posts = r.GetValue(fanPosts);
        if (posts < 1) throw new ArgumentException("--posts must be at least 1.");
        var tokenList = HttpSender.ReadTokens(r.GetValue(tokens));
        var plan = FanOut.Plan(sizes, tokenList.Length);
        using var driver = new FanOut(new Uri(r.GetValue(url)!), tokenList, Math.Max(1, r.GetValue(fanConnections)), Console.Out);
        var rows = new List<FanOutResult>();
        var number = 0;
        foreach (var (size, author) in plan)
        {
            Console.WriteLine($"== {size:N0} followers");
            await driver.FollowAsync(author, size, ct);
            if (!r.GetValue(noStreams))
            {
                await using var streams = await driver.OpenStreamsAsync(size, ct);
                await Task.Delay(1000, ct);
                for (var i = 0; i < posts; i++)
                {
                    var (id, sent, answered) = await driver.PublishAsync(author, ++number, ct);
                    var wait = Stopwatch.StartNew();
                    while (streams.ArrivalsOf(id).Any(a => a == 0) && wait.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20, ct);
                    var lost = streams.Lost > 0 ? $"{streams.Lost} stream(s) closed" : "";
                    rows.Add(FanOutResult.Of(size, "user stream", sent, answered, streams.ArrivalsOf(id), lost));
                    Console.WriteLine(rows[^1].MarkdownRow());
                    await Task.Delay(1000, ct);
                }
            }
            for (var i = 0; i < (r.GetValue(noHomes) ? 0 : posts); i++)
            {
                var (id, sent, answered) = await driver.PublishAsync(author, ++number, ct);
                var reading = Stopwatch.StartNew();
                var (seenAt, reread) = await driver.ReadHomesAsync(id, size, TimeSpan.FromSeconds(10), ct);
                var note = $"{size - reread:N0} of {size:N0} had it on their first read; {size / reading.Elapsed.TotalSeconds:F0} reads/s";
                rows.Add(FanOutResult.Of(size, "home timeline read", sent, answered, seenAt, note));
                Console.WriteLine(rows[^1].MarkdownRow());
            }
        }
        Console.WriteLine();
        Console.WriteLine(FanOutResult.MarkdownHeader);
        foreach (var row in rows) Console.WriteLine("ROW " + row.MarkdownRow());
        return rows.All(x => x.Missing == 0) ? 0 : 1;
    }
    catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidOperationException or HttpRequestException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
});

var root = new RootCommand("gazouille-load: fixed-rate load driver and CI regression check for Gazouille") { run, regress, fanout };
return await root.Parse(args).InvokeAsync();

static Scenario ChooseScenario(string? name, string method, string[] paths, string? body, string? textsFile, bool anonymous)
{
    if (name is not null)
        return Scenario.Known.TryGetValue(name, out var known) ? known
            : throw new ArgumentException($"Unknown scenario '{name}': use one of {string.Join(", ", Scenario.Known.Keys)}, or --path.");
    if (paths.Length == 0) throw new ArgumentException("Give --scenario NAME or at least one --path.");
    var custom = new Scenario("custom", $"{method.ToUpperInvariant()} {string.Join(", ", paths)}", new HttpMethod(method.ToUpperInvariant()), paths, body, anonymous);
    return textsFile is null ? custom : custom with { Texts = [.. File.ReadLines(textsFile).Where(l => l.Length > 0)] };
}

static (TimeSpan Min, TimeSpan Max) ParseRange(string range)
{
    var parts = range.Split('-', 2);
    var min = double.Parse(parts[0], CultureInfo.InvariantCulture);
    var max = parts.Length == 2 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : min;
    if (min <= 0 || max < min) throw new ArgumentException($"--think is MIN-MAX milliseconds with 0 < MIN ≤ MAX, not '{range}'.");
    return (TimeSpan.FromMilliseconds(min), TimeSpan.FromMilliseconds(max));
}
