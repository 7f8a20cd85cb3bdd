using System.Diagnostics;
using BenchmarkDotNet.Running;
using Gazouille.Api;
using Gazouille.Bench;
using Gazouille.Features.Statuses;
using Gazouille.Features.Timelines;
using Microsoft.Extensions.DependencyInjection;

// dotnet run -c Release --project bench/Gazouille.Bench -- stages [DATA] : per-stage mean time of a home timeline request
// dotnet run -c Release --project bench/Gazouille.Bench -- [BenchmarkDotNet arguments] : the BenchmarkDotNet suite
if (args is ["stages", ..])
{
    var data = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("BENCH_DATA") ?? "/tmp/gazouille-bench-S";
    await using var world = await ServerWorld.OpenAsync(data);
    var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 300;
    var viewerIds = Enumerable.Range(0, rounds).Select(i => world.Viewer(i)).ToArray();
    double viewerMs = 0, idsMs = 0, loadMs = 0, renderMs = 0;
    var cpuStart = TimeSpan.Zero;
    var passes = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 2;
    for (var pass = 0; pass < passes; pass++) // the first pass warms the JIT and SQLite's page cache
    {
        viewerMs = idsMs = loadMs = renderMs = 0;
        cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var id in viewerIds)
        {
            await using var scope = world.Scope();
            var t = Stopwatch.GetTimestamp();
            var viewer = await ServerWorld.ViewerAsync(scope, id);
            viewerMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds; t = Stopwatch.GetTimestamp();
            var ids = await scope.ServiceProvider.GetRequiredService<TimelineReader>().HomeAsync(viewer, new PageRequest(null, null, null, 20), default);
            idsMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds; t = Stopwatch.GetTimestamp();
            var renderer = scope.ServiceProvider.GetRequiredService<StatusRenderer>();
            var rows = await renderer.LoadAsync(ids);
            loadMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds; t = Stopwatch.GetTimestamp();
            await renderer.RenderManyAsync(viewer, rows);
            renderMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
    }
    Console.WriteLine($"home timeline stages over {rounds} viewers (mean ms): viewer {viewerMs / rounds:F3}, page of ids {idsMs / rounds:F3}, " +
                      $"load rows {loadMs / rounds:F3}, render {renderMs / rounds:F3}, total {(viewerMs + idsMs + loadMs + renderMs) / rounds:F3}; " +
                      $"process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / rounds:F3} ms per request " +
                      "(page of ids through the page cache unless Gazouille__Caching__Pages=false; rows and render never cached here)");

    // The whole page as the API reads it (ids and rendered page through the page cache), read a second time: what a
    // reader coming back to an unchanged home costs after authentication.
    foreach (var id in viewerIds)
    {
        await using var scope = world.Scope();
        await ServerWorld.PageAsync(scope, await ServerWorld.ViewerAsync(scope, id));
    }
    double pageMs = 0;
    cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
    foreach (var id in viewerIds)
    {
        await using var scope = world.Scope();
        var viewer = await ServerWorld.ViewerAsync(scope, id);
        var t = Stopwatch.GetTimestamp();
        await ServerWorld.PageAsync(scope, viewer);
        pageMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }
    Console.WriteLine($"home page read again through the page cache: {pageMs / rounds:F3} ms mean after the viewer; " +
                      $"process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / rounds:F3} ms per request, viewer included");
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(HomeTimelineBenchmarks).Assembly).Run(args);
return 0;
