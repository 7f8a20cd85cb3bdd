using System.Net;
using Gazouille.Data;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gazouille.Tests;

/// <summary>
/// A bad day: the database restarts, Redis stops. Gazouille keeps answering clearly (503 with a Mastodon error while
/// the database is away, never a 500) and comes back by itself, without being restarted.
/// </summary>
public sealed class FaultTests
{
    /// <summary>
    /// On a PostgreSQL cluster of its own (so the other tests' database never stops), in both provider runs of the suite.
    /// Pooling is on, as in production: the pool's dead connections must not turn into 500s after the restart either.
    /// </summary>
    [Fact]
    public async Task A_PostgreSQL_restart_answers_503_meanwhile_and_recovers_without_restarting_Gazouille()
    {
        var cluster = await PostgresCluster.StartPrivateAsync();
        try
        {
            await cluster.ExecuteAsync("CREATE DATABASE gz_fault");
            var connection = new NpgsqlConnectionStringBuilder(cluster.ConnectionTo("gz_fault")) { Pooling = true, Timeout = 5 }.ConnectionString;
            var dir = Path.Combine(Path.GetTempPath(), "gazouille-tests", Guid.NewGuid().ToString("N"));
            await using var data = TestData.At(DataLocation.Resolve(dir, "postgres", connection));
            await using var f = await GazouilleFactory.StartAsync(data: data);
            var (_, alice) = await f.SignedInAsync("alice");
            var before = (await alice.PostStatusAsync("Avant le redémarrage", "company")).Id();

            await cluster.PauseAsync();
            foreach (var (method, url) in new[] { (HttpMethod.Post, "/api/v1/statuses"), (HttpMethod.Get, "/api/v1/timelines/home"), (HttpMethod.Get, $"/api/v1/statuses/{before}") })
            {
                using var request = new HttpRequestMessage(method, url);
                if (method == HttpMethod.Post) request.Content = ApiAssert.Form(("status", "Pendant le redémarrage"));
                var response = await alice.SendAsync(request);
                var error = await response.ErrorAsync(HttpStatusCode.ServiceUnavailable);
                Assert.Equal(DatabaseOutage.Unavailable, error);
                Assert.NotNull(response.Headers.RetryAfter);
            }

            await cluster.ResumeAsync();
            // Back within a few attempts; until then every answer is a 503, never a 500.
            HttpResponseMessage? last = null;
            for (var attempt = 0; attempt < 30; attempt++)
            {
                last = await alice.PostAsync("/api/v1/statuses", ApiAssert.Form(("status", "Après le redémarrage"), ("audience", "company")));
                if (last.StatusCode == HttpStatusCode.OK) break;
                await last.ErrorAsync(HttpStatusCode.ServiceUnavailable);
                await Task.Delay(500);
            }
            var after = await last!.OkJsonAsync();
            var home = await alice.GetOkAsync("/api/v1/timelines/home");
            Assert.Equal([after.Id(), before], home.Ids());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
        }
    }

    [Fact]
    public async Task Without_Redis_a_node_keeps_serving_posts_and_timelines_and_streams_recover_when_Redis_returns()
    {
        var redis = await RedisServer.StartAsync();
        var port = redis.Port;
        try
        {
            await using var f = await GazouilleFactory.StartAsync(new() { ["Gazouille:Redis"] = redis.Address });
            var (_, alice) = await f.SignedInAsync("alice");
            var (_, bob) = await f.SignedInAsync("bob");
            await using var stream = await SseStream.OpenAsync(bob, "/api/v1/streaming/company");
            var first = await alice.PostStatusAsync("Redis est là", "company");
            Assert.Equal(first.Id(), (await stream.NextAsync(TimeSpan.FromSeconds(10)))!.Json.Id());

            await redis.DisposeAsync();
            // Single-node behaviour: posting and reading go on, from the database.
            var during = await alice.PostStatusAsync("Redis est parti", "company");
            Assert.Contains(during.Id(), (await alice.GetOkAsync("/api/v1/timelines/home")).Ids());
            Assert.Equal(during.Id(), (await bob.GetOkAsync($"/api/v1/statuses/{during.Id()}")).Id());

            redis = await RedisServer.StartAsync(port);
            // The open stream gets posts again once the client has reconnected to Redis and subscribed again.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var seen = false;
            while (!seen && DateTime.UtcNow < deadline)
            {
                var post = await alice.PostStatusAsync("Redis est revenu", "company");
                try
                {
                    while (!seen)
                    {
                        var e = await stream.NextAsync(TimeSpan.FromSeconds(2));
                        Assert.NotNull(e);
                        seen = e.Event == "update" && e.Json.Id() == post.Id();
                    }
                }
                catch (TimeoutException) { }
            }
            Assert.True(seen, "the stream got nothing within 30 s of Redis coming back");
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}

/// <summary>
/// SQLite on a full disk: a 6 MB tmpfs (mounting one needs root, which this machine's CI has; without it the test says
/// so and fails rather than pass having tested nothing). Posts answer 507 with a sentence, reads go on, nothing is
/// half-written, and posting works again as soon as space is freed, without a restart.
/// </summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task A_full_disk_answers_507_with_a_clear_error_keeps_reads_and_corrupts_nothing()
    {
        var mountPoint = Path.Combine(Path.GetTempPath(), "gazouille-full-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(mountPoint);
        var (mounted, why) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mountPoint);
        Assert.True(mounted, $"the disk-full test mounts a small tmpfs and needs root for it: {why}");
        try
        {
            await using var data = TestData.At(DataLocation.Resolve(Path.Combine(mountPoint, "data"), null, null));
            await using (var f = await GazouilleFactory.StartAsync(data: data))
            {
                var (aliceId, alice) = await f.SignedInAsync("alice");
                var saved = new List<string> { (await alice.PostStatusAsync("Encore de la place", "company")).Id() };

                var filler = Path.Combine(mountPoint, "filler");
                await using (var fill = File.Create(filler))
                {
                    var block = new byte[64 * 1024];
                    try
                    {
                        while (true) await fill.WriteAsync(block);
                    }
                    catch (IOException) { }
                }

                var full = 0;
                for (var i = 0; i < 100 && full == 0; i++)
                {
                    var response = await alice.PostAsync("/api/v1/statuses", ApiAssert.Form(("status", $"Post {i} " + new string('x', 400)), ("audience", "company")));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        saved.Add((await response.JsonAsync()).Id());
                        continue;
                    }
                    Assert.Equal(DatabaseOutage.DiskFull, await response.ErrorAsync(HttpStatusCode.InsufficientStorage));
                    full++;
                }
                Assert.True(full > 0, "the disk never filled up");
                Assert.Equal(saved.AsEnumerable().Reverse().Take(20), (await alice.GetOkAsync("/api/v1/timelines/home?limit=20")).Ids());

                File.Delete(filler);
                saved.Add((await alice.PostStatusAsync("De nouveau de la place", "company")).Id());
                var stored = await f.WithScopeAsync(async sp =>
                {
                    var db = sp.GetRequiredService<GazouilleDb>();
                    Assert.Equal(["ok"], await db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync());
                    return await db.Statuses.Where(s => s.AccountId == aliceId).Select(s => s.Id.ToString()).ToListAsync();
                });
                Assert.Equal(saved.Order(), stored.Order());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", mountPoint);
            try { Directory.Delete(mountPoint, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<(bool Ok, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode == 0, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }
}
