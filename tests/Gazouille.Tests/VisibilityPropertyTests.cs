using System.Diagnostics;
using CsCheck;
using Gazouille.Tests.Worlds;

namespace Gazouille.Tests;

/// <summary>
/// DESIGN.md's invariants over random worlds (issue 4, item 8). CsCheck generates a <see cref="WorldPlan"/>: 3 teams,
/// 3 partner orgs, 3–4 employees, 2–3 guests, memberships, grants, follows, team follows, posts to every audience
/// (replies, guest replies, held posts, mentions, a hashtag), boosts, favourites and a revocation. The world is built
/// in-process through the product's services (<see cref="WorldBuilder"/>), with a WebSocket per person listening
/// (<see cref="WorldStreams"/>); then every viewer, anonymous and refused ones included, reads every read path over
/// HTTP (<see cref="WorldReads"/>) and each answer is compared with the oracle of <see cref="World"/>.
/// All worlds live in one server and database, each under its own prefix, so a world costs its writes and reads only.
/// GAZOUILLE_PROPERTY_WORLDS sets how many worlds (default 200 on SQLite, 50 on PostgreSQL); a failure is shrunk by
/// CsCheck and printed as the world in words with the seed to replay it (CsCheck_Seed=… in the environment).
/// </summary>
public sealed class VisibilityPropertyTests(ITestOutputHelper output)
{
    private static int Worlds =>
        int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_PROPERTY_WORLDS"), out var n) && n > 0 ? n : TestData.OnPostgres ? 50 : 200;

    [Fact]
    public async Task Every_read_path_shows_exactly_what_the_audience_rules_allow()
    {
        await using var factory = await GazouilleFactory.StartAsync(new() { ["Gazouille:Audiences:PublicEnabled"] = "true" });
        var built = 0;
        var clock = Stopwatch.StartNew();
        await WorldPlan.Generator.SampleAsync(async plan => await CheckWorldAsync(factory, plan, Interlocked.Increment(ref built)),
            iter: Worlds, threads: 1, writeLine: output.WriteLine, print: plan => plan.ToString());
        output.WriteLine($"{built} worlds on {TestData.ProviderName} in {clock.Elapsed.TotalSeconds:F1} s, {_requests} read requests");
    }

    private static int _requests;

    private static async Task CheckWorldAsync(GazouilleFactory factory, WorldPlan plan, int number)
    {
        var world = new World($"w{number}") { Seed = World.StableHash(plan.ToString()) };
        var builder = new WorldBuilder(factory, plan, world);
        var violations = new List<string>();
        try
        {
            await builder.BuildPeopleAsync();
            var reads = new WorldReads(factory, world);
            await using (var streams = new WorldStreams(factory, world))
            {
                await streams.OpenAsync();
                // Timelines are read (and cached) halfway through the writes and before the revocation: what follows must show.
                await builder.WriteAsync(afterPosts: reads.WarmAsync);
                violations.AddRange(await streams.CheckUpToAsync(await builder.PostSentinelAsync("before revocation")));
                await reads.WarmAsync();
                await builder.RevokeAsync();
                violations.AddRange(await streams.CheckUpToAsync(await builder.PostSentinelAsync("after revocation")));
            }
            await reads.CheckAsync();
            violations.AddRange(reads.Violations);
            Interlocked.Add(ref _requests, reads.Requests);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException)
        {
            violations.Add(e.Message);
        }
        if (violations.Count == 0) return;
        throw new WorldViolation(
            $"World {world.Prefix} breaks the audience rules ({violations.Count} violations):\n" +
            string.Join("\n", violations.Distinct().Take(15).Select(v => "  - " + v)) +
            (violations.Count > 15 ? $"\n  - … and {violations.Count - 15} more" : "") +
            $"\nThe world:\n{world.Describe()}");
    }

    private sealed class WorldViolation(string message) : Exception(message);
}
