using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>
/// Two real <c>gazouille serve</c> processes on different ports sharing one database (PostgreSQL on the suite's second
/// run, SQLite on the first) and one Redis: a post on node A reaches a stream on node B within a second, a token works
/// on both, and a revocation on A (a partner's grant, an account's sessions) takes effect on B's open streams.
/// </summary>
public sealed class SeveralProcessesTests
{
    [Fact]
    public async Task Two_serve_processes_share_streams_tokens_and_revocations_through_the_database_and_Redis()
    {
        await using var data = await TestData.CreateAsync();
        await using var redis = await RedisServer.StartAsync();
        string rootToken, aliceToken, bobToken, ginaToken;
        long bobId;
        await using (var setup = await GazouilleFactory.StartAsync(data: data))
        {
            var rootId = await setup.CreateUserAsync("root", AccountRole.Admin);
            var aliceId = await setup.CreateUserAsync("alice");
            bobId = await setup.CreateUserAsync("bob");
            await setup.CreateTeamAsync("ops", "alice", "bob");
            await setup.CreatePartnerAsync("acme");
            await setup.GrantAsync("ops", "acme");
            var ginaId = await setup.CreateUserAsync("gina", partner: "acme");
            (rootToken, aliceToken, bobToken, ginaToken) =
                (await setup.TokenAsync(rootId), await setup.TokenAsync(aliceId), await setup.TokenAsync(bobId), await setup.TokenAsync(ginaId));
        }

        await using var a = await ServerProcess.StartAsync(data, null, "--redis", redis.Address);
        await using var b = await ServerProcess.StartAsync(data, null, "--redis", redis.Address);
        using var aliceOnA = a.Client(aliceToken);
        using var rootOnA = a.Client(rootToken);

        // One token, both nodes.
        foreach (var node in new[] { a, b })
        {
            using var bob = node.Client(bobToken);
            Assert.Equal("bob", (await bob.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
        }

        using var bobOnB = StreamClient(b, bobToken);
        using var ginaOnB = StreamClient(b, ginaToken);
        await using var bobStream = await SseStream.OpenAsync(bobOnB, "/api/v1/streaming/company");
        await using var ginaStream = await SseStream.OpenAsync(ginaOnB, "/api/v1/streaming/user");

        // A post on A reaches B's stream; the best of three must be within a second (the others absorb a busy CI).
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var id = (await aliceOnA.PostStatusAsync($"Nouvelle version {i} déployée", "company")).Id();
            var update = await bobStream.NextUpdateAsync(TimeSpan.FromSeconds(10));
            latencies.Add(clock.Elapsed);
            Assert.Equal(id, update.Json.Id());
        }
        Assert.True(latencies.Min() < TimeSpan.FromSeconds(1),
            $"A → B delivery took {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:F0} ms"))}; {a.Output}{b.Output}");

        // The partner channel reaches the guest's stream on B; the company post before it never did.
        var shared = (await aliceOnA.PostStatusAsync("Livraison du lot 2 confirmée", "partners:ops")).Id();
        Assert.Equal(shared, (await ginaStream.NextUpdateAsync(TimeSpan.FromSeconds(10))).Json.Id());

        // Revoking the grant on A: B's guest stream gets nothing more from the channel, at once.
        var grants = await rootOnA.GetOkAsync("/api/v1/gazouille/admin/grants");
        var grant = grants.EnumerateArray().Single(g => g.Str("team") == "ops" && g.Str("partner") == "acme").Str("id");
        Assert.Equal(HttpStatusCode.NoContent, (await rootOnA.DeleteAsync($"/api/v1/gazouille/admin/grants/{grant}")).StatusCode);
        var after = (await aliceOnA.PostStatusAsync("Après la révocation", "partners:ops")).Id();
        var marker = (await aliceOnA.PostStatusAsync("Repère", "company")).Id();
        Assert.Equal(marker, (await bobStream.NextUpdateAsync(TimeSpan.FromSeconds(10), until: marker)).Json.Id());
        await AssertNoUpdateAsync(ginaStream, after, TimeSpan.FromSeconds(2));

        // Ending bob's sessions on A closes his stream on B.
        Assert.Equal(HttpStatusCode.OK, (await rootOnA.PostAsync($"/api/v1/gazouille/admin/accounts/{bobId}/revoke_sessions", null)).StatusCode);
        Assert.Null(await NextOrEndAsync(bobStream, TimeSpan.FromSeconds(5)));
        using var bobAgainOnB = b.Client(bobToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bobAgainOnB.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
    }

    /// <summary>A client without the default 30 s timeout: streams stay open for the whole test.</summary>
    private static HttpClient StreamClient(ServerProcess node, string token)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static async Task AssertNoUpdateAsync(SseStream stream, string id, TimeSpan during)
    {
        var deadline = DateTime.UtcNow + during;
        while (DateTime.UtcNow < deadline)
        {
            StreamedEvent? e;
            try { e = await stream.NextAsync(deadline - DateTime.UtcNow); }
            catch (TimeoutException) { return; }
            if (e is null) return; // closed: nothing more reaches it either
            Assert.False(e.Event == "update" && e.Json.Id() == id, $"the revoked guest's stream on B received {id}");
        }
    }

    /// <summary>The next event, or null when the server closed the stream.</summary>
    private static async Task<StreamedEvent?> NextOrEndAsync(SseStream stream, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var e = await stream.NextAsync(deadline - DateTime.UtcNow);
            if (e is null) return null;
        }
    }
}
