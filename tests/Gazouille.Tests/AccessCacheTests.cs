using System.Net;
using System.Text.Json;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// Who a request is — a personal token's account and scopes, an employee's teams and follows — is remembered on a single
/// node (<see cref="AccessCache"/>), and every change to it counts from the very next request: a revoked token, a
/// suspension, the end of every session, an unfollow (a bulk delete), a team unfollow, and a membership added by the
/// admin CLI beside the server. Each test first checks that the cache really answered, so that it proves the
/// invalidation and not the absence of a cache.
/// </summary>
public sealed class AccessCacheTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!, _bob = null!, _admin = null!;
    private long _aliceId, _bobId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_aliceId, _alice) = await _f.SignedInAsync("alice");
        (_bobId, _bob) = await _f.SignedInAsync("bob");
        (_, _admin) = await _f.SignedInAsync("root", AccountRole.Admin);
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private AccessCache Cache => _f.Server.Services.GetRequiredService<AccessCache>();

    /// <summary>Two reads; the second must have found both the token and the viewer in the cache.</summary>
    private async Task WarmAsync(HttpClient client, string path = "/api/v1/accounts/verify_credentials")
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        var hits = Cache.Hits;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        Assert.True(Cache.Hits >= hits + 2, $"the second request was not answered from the cache ({Cache.Hits - hits} hits)");
    }

    [Fact]
    public async Task A_revoked_personal_token_is_refused_on_the_next_request()
    {
        await WarmAsync(_bob);
        var sessions = (await _bob.GetOkAsync("/api/v1/gazouille/sessions")).EnumerateArray().ToList();
        var token = sessions.Single(s => s.Str("type") == "token");
        Assert.Equal(HttpStatusCode.OK, (await _bob.DeleteAsync($"/api/v1/gazouille/sessions/{token.Str("id")}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _bob.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
    }

    [Fact]
    public async Task A_suspension_and_the_end_of_every_session_count_from_the_next_request()
    {
        await WarmAsync(_bob);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"/api/v1/gazouille/admin/accounts/{_bobId}/suspend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _bob.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        await WarmAsync(_alice);
        await _admin.PostOkAsync($"/api/v1/gazouille/admin/accounts/{_aliceId}/revoke_sessions");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _alice.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
    }

    [Fact]
    public async Task An_unfollow_hides_followers_only_posts_on_the_next_request()
    {
        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/follow");
        var post = (await _alice.PostStatusAsync("pour mes abonnés", "followers")).Id();
        await WarmAsync(_bob, $"/api/v1/statuses/{post}");

        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/unfollow");
        await (await _bob.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();
    }

    [Fact]
    public async Task A_team_unfollow_shows_on_the_next_request()
    {
        await _f.CreateTeamAsync("atlas", "alice");
        Assert.True((await _bob.PostOkAsync("/api/v1/gazouille/teams/atlas/follow")).GetProperty("following").GetBoolean());
        await WarmAsync(_bob, "/api/v1/gazouille/teams/atlas");
        Assert.True((await _bob.GetOkAsync("/api/v1/gazouille/teams/atlas")).GetProperty("following").GetBoolean());

        await _bob.PostOkAsync("/api/v1/gazouille/teams/atlas/unfollow");
        Assert.False((await _bob.GetOkAsync("/api/v1/gazouille/teams/atlas")).GetProperty("following").GetBoolean());
    }

    [Fact]
    public async Task A_membership_added_by_the_admin_cli_beside_the_server_counts_at_once()
    {
        await _f.CreateTeamAsync("design", "alice");
        var post = (await _alice.PostStatusAsync("réservé à l'équipe", "team:design")).Id();
        await WarmAsync(_bob);
        await (await _bob.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();

        var added = await GazouilleCli.RunAsync(_f.Data, "admin", "add-member", "--team", "design", "--username", "bob");
        Assert.True(added.Exit == 0, added.Err);
        Assert.Equal(post, (await _bob.GetOkAsync($"/api/v1/statuses/{post}")).Str("id"));
    }

    [Fact]
    public async Task Publishing_keeps_who_its_author_is_but_a_follow_does_not()
    {
        // A post changes its author's counts and last post, not their access: the next request is still answered from
        // the cache (a busy author would otherwise read their token and teams again after every post). The instance's
        // very first post creates its signing key, which empties every cache: that one is made before.
        await _alice.PostStatusAsync("le premier post", "company");
        await WarmAsync(_alice);
        await _alice.PostStatusAsync("un post de plus", "company");
        var hits = Cache.Hits;
        Assert.Equal(HttpStatusCode.OK, (await _alice.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        Assert.True(Cache.Hits >= hits + 2, $"the request after a post was not answered from the cache ({Cache.Hits - hits} hits)");

        // Following someone changes who one is: the follower's viewer is read again, and sees the followers-only post.
        var post = (await _alice.PostStatusAsync("pour mes abonnés", "followers")).Id();
        await WarmAsync(_bob);
        await (await _bob.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();
        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/follow");
        Assert.Equal(post, (await _bob.GetOkAsync($"/api/v1/statuses/{post}")).Str("id"));
    }

    [Fact]
    public async Task Guests_are_never_remembered()
    {
        await _f.CreatePartnerAsync("acme");
        var (_, gina) = await _f.SignedInAsync("gina", partner: "acme");
        Assert.Equal(HttpStatusCode.OK, (await gina.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        var hits = Cache.Hits;
        Assert.Equal(HttpStatusCode.OK, (await gina.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        Assert.Equal(hits + 1, Cache.Hits); // the token only: a guest's access is read afresh (grants expire by the clock)
    }
}

/// <summary>
/// With Redis, every node remembers who a request is too, and a change of access made on any node counts on every node
/// from the next request: the change increments a counter in Redis before its request is answered, and an entry is
/// served only to a request that read the counter the entry was stored with.
/// </summary>
public sealed class AccessCacheAcrossNodesTests
{
    private const string Verify = "/api/v1/accounts/verify_credentials";

    private static async Task<long> EpochAsync(StackExchange.Redis.IConnectionMultiplexer redis) =>
        (long?)await redis.GetDatabase().StringGetAsync(AccessCache.EpochKey) ?? 0;

    private static long Hits(GazouilleFactory node) => node.Server.Services.GetRequiredService<AccessCache>().Hits;

    /// <summary>
    /// A request the node answers from its memory (the token and the viewer), not from the database. Tried for up to
    /// 5 s: the bus may bring a change made a moment ago (the token's creation) after the entry was stored, and drop it.
    /// </summary>
    private static async Task AnsweredFromMemoryAsync(GazouilleFactory node, HttpClient client)
    {
        var tried = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var hits = Hits(node);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Verify)).StatusCode);
            if (Hits(node) >= hits + 2) return;
            Assert.True(tried.Elapsed < TimeSpan.FromSeconds(5), $"not answered from the cache ({Hits(node) - hits} hits)");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_change_of_access_on_one_node_counts_on_the_other_from_the_next_request_and_a_post_keeps_both_caches()
    {
        await using var server = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["Gazouille:Redis"] = server.Address };
        await using var a = await GazouilleFactory.StartAsync(settings);
        await using var b = await GazouilleFactory.StartAsync(settings, data: a.Data);
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Address);
        var bobId = await a.CreateUserAsync("bob");
        var first = await a.TokenAsync(bobId);
        var (onA, onB) = (a.Client(first), b.Client(first));
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync(Verify)).StatusCode);
        await AnsweredFromMemoryAsync(b, onB);

        // Posting changes no one's access: the counter stays, and node B keeps answering from memory. (The instance's
        // first post makes its signing key, which empties every cache: the second is the one measured.)
        await onA.PostStatusAsync("Le premier message de l'instance", "company");
        foreach (var client in new[] { onA, onB }) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Verify)).StatusCode);
        await AnsweredFromMemoryAsync(a, onA);
        await AnsweredFromMemoryAsync(b, onB);
        var epoch = await EpochAsync(redis);
        await onA.PostStatusAsync("Rien à voir avec les accès", "company");
        Assert.Equal(epoch, await EpochAsync(redis));
        await AnsweredFromMemoryAsync(b, onB);

        // Revoked in the database behind every node's back (no bus message, no counter): node B's memory still answers,
        // which shows it is the counter, and nothing else, that makes it read again.
        var options = new DbContextOptionsBuilder<Gazouille.Data.GazouilleDb>();
        a.Data.Location.Configure(options);
        await using (var db = new Gazouille.Data.GazouilleDb(options.Options))
            await db.PersonalAccessTokens.Where(t => t.AccountId == bobId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync(Verify)).StatusCode);
        await redis.GetDatabase().StringIncrementAsync(AccessCache.EpochKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync(Verify)).StatusCode);

        // Through the API on node A: the counter has moved when A answers, and B refuses the very next request.
        var second = await a.TokenAsync(bobId);
        (onA, onB) = (a.Client(second), b.Client(second));
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync(Verify)).StatusCode);
        await AnsweredFromMemoryAsync(b, onB);
        var sessions = (await onA.GetOkAsync("/api/v1/gazouille/sessions")).EnumerateArray().ToList();
        var token = sessions.Single(s => s.Str("type") == "token");
        epoch = await EpochAsync(redis);
        Assert.Equal(HttpStatusCode.OK, (await onA.DeleteAsync($"/api/v1/gazouille/sessions/{token.Str("id")}")).StatusCode);
        Assert.True(await EpochAsync(redis) > epoch, "revoking a token did not move the access counter");
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync(Verify)).StatusCode);
    }
}
