using BenchmarkDotNet.Attributes;
using Gazouille.Data;

namespace Gazouille.Bench;

/// <summary>The home timeline without HTTP on data set S (BENCH_DATA, default /tmp/gazouille-bench-S).</summary>
[MemoryDiagnoser]
public class HomeTimelineBenchmarks
{
    private ServerWorld world = null!;
    private int next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        world = await ServerWorld.OpenAsync(Environment.GetEnvironmentVariable("BENCH_DATA") ?? "/tmp/gazouille-bench-S");
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await world.DisposeAsync();

    [Benchmark(Description = "viewer load")]
    public async Task<Viewer> Viewer()
    {
        await using var scope = world.Scope();
        return await ServerWorld.ViewerAsync(scope, world.Viewer(next++));
    }

    [Benchmark(Description = "home timeline page (viewer + ids + render)")]
    public async Task<int> Home()
    {
        await using var scope = world.Scope();
        var viewer = await ServerWorld.ViewerAsync(scope, world.Viewer(next++));
        return await ServerWorld.HomeAsync(scope, viewer);
    }
}
