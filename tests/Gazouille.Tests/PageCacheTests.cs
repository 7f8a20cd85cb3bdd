using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Gazouille.Features.Timelines;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// Timeline pages are kept per reader (<see cref="ViewerPageCache"/>) — and every write shows on them at once: new posts
/// of followed people and teams, edits, deletions, a moderator's hide, counts, the reader's own marks, the author's
/// profile, an unfollow, a revoked grant, and a change made by the admin CLI beside the server. Each test first checks
/// that the page really came from the cache, so that it proves the invalidation and not the absence of a cache.
/// </summary>
public sealed class PageCacheTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!, _bob = null!, _carol = null!, _mod = null!;
    private long _aliceId, _bobId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_aliceId, _alice) = await _f.SignedInAsync("alice");
        (_bobId, _bob) = await _f.SignedInAsync("bob");
        (_, _carol) = await _f.SignedInAsync("carol");
        (_, _mod) = await _f.SignedInAsync("mod", AccountRole.Moderator);
        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/follow");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private ViewerPageCache Cache => _f.Server.Services.GetRequiredService<ViewerPageCache>();

    private async Task<JsonElement[]> HomeAsync(HttpClient client) =>
        [.. (await client.GetOkAsync("/api/v1/timelines/home?limit=20")).EnumerateArray()];

    /// <summary>Reads home twice and checks that the second read was answered from the cache (ids and page).</summary>
    private async Task<JsonElement[]> CachedHomeAsync(HttpClient client)
    {
        await HomeAsync(client);
        var hits = Cache.Hits;
        var second = await HomeAsync(client);
        Assert.True(Cache.Hits >= hits + 2, $"the second read of home was not served from the cache ({Cache.Hits - hits} hits)");
        return second;
    }

    private static JsonElement? Find(JsonElement[] page, string id) =>
        page.Where(s => s.Str("id") == id).Select(s => (JsonElement?)s).FirstOrDefault();

    [Fact]
    public async Task A_kept_page_goes_out_as_the_bytes_the_json_serializer_writes_for_it()
    {
        await _alice.PostStatusAsync("« guillemets », <b>gras</b> & émojis 🎉 \u200b x ' OR 1=1 --", "company");
        await _alice.PostStatusAsync("deuxième, avec #motdiese et @bob", "company");
        const string home = "/api/v1/timelines/home?limit=20";
        var first = await _bob.GetAsync(home);
        var hits = Cache.Hits;
        var second = await _bob.GetAsync(home);
        Assert.True(Cache.Hits >= hits + 2, "the second read of home was not served from the cache");
        var bytes = await second.Content.ReadAsByteArrayAsync();
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), bytes);
        Assert.Equal("application/json; charset=utf-8", second.Content.Headers.ContentType?.ToString());
        Assert.Equal(bytes.Length, second.Content.Headers.ContentLength);

        // What Ok<T> writes for the same page, rendered in a request of the same instance URL.
        var ids = JsonDocument.Parse(bytes).RootElement.EnumerateArray().Select(s => long.Parse(s.Str("id"), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, ids.Count);
        var expected = await _f.WithScopeAsync(async sp =>
        {
            var http = new DefaultHttpContext { RequestServices = sp };
            http.Request.Scheme = "http";
            http.Request.Host = new HostString("localhost");
            http.Response.Body = new MemoryStream();
            sp.GetRequiredService<IHttpContextAccessor>().HttpContext = http;
            var viewer = await sp.GetRequiredService<ViewerLoader>().LoadAsync(_bobId);
            var page = await sp.GetRequiredService<StatusRenderer>().RenderPageAsync(viewer!, ids);
            await TypedResults.Ok(page.ToList()).ExecuteAsync(http);
            return ((MemoryStream)http.Response.Body).ToArray();
        });
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task A_new_post_of_a_followed_author_an_edit_and_a_deletion_show_at_once()
    {
        var first = (await _alice.PostStatusAsync("premier message", "company")).Id();
        Assert.NotNull(Find(await CachedHomeAsync(_bob), first));

        var second = (await _alice.PostStatusAsync("deuxième message", "company")).Id();
        Assert.Equal(second, (await HomeAsync(_bob))[0].Str("id"));

        await CachedHomeAsync(_bob);
        var edited = await _alice.PutAsync($"/api/v1/statuses/{second}", ApiAssert.Form(("status", "deuxième message, corrigé")));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Contains("corrigé", Find(await HomeAsync(_bob), second)!.Value.Str("content"), StringComparison.Ordinal);

        await CachedHomeAsync(_bob);
        Assert.Equal(HttpStatusCode.OK, (await _alice.DeleteAsync($"/api/v1/statuses/{second}")).StatusCode);
        Assert.Null(Find(await HomeAsync(_bob), second));
    }

    [Fact]
    public async Task Counts_marks_and_the_authors_profile_change_at_once()
    {
        var post = (await _alice.PostStatusAsync("à commenter", "company")).Id();
        Assert.Equal(0, Find(await CachedHomeAsync(_bob), post)!.Value.GetProperty("favourites_count").GetInt32());

        await _carol.PostOkAsync($"/api/v1/statuses/{post}/favourite");
        Assert.Equal(1, Find(await HomeAsync(_bob), post)!.Value.GetProperty("favourites_count").GetInt32());

        await CachedHomeAsync(_bob);
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/bookmark");
        Assert.True(Find(await HomeAsync(_bob), post)!.Value.GetProperty("bookmarked").GetBoolean());

        await CachedHomeAsync(_bob);
        await _carol.PostStatusAsync("une réponse", inReplyTo: post);
        Assert.Equal(1, Find(await HomeAsync(_bob), post)!.Value.GetProperty("replies_count").GetInt32());

        await CachedHomeAsync(_bob);
        await _carol.PostOkAsync($"/api/v1/statuses/{post}/unfavourite");
        Assert.Equal(0, Find(await HomeAsync(_bob), post)!.Value.GetProperty("favourites_count").GetInt32());

        await CachedHomeAsync(_bob);
        var renamed = await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", "Alice Nouvelle")));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Alice Nouvelle", Find(await HomeAsync(_bob), post)!.Value.GetProperty("account").Str("display_name"));
    }

    [Fact]
    public async Task A_hidden_post_and_an_unfollow_leave_the_page_at_once()
    {
        var reported = (await _alice.PostStatusAsync("rumeur non vérifiée", "company")).Id();
        var followersOnly = (await _alice.PostStatusAsync("pour mes abonnés", "followers")).Id();
        var page = await CachedHomeAsync(_bob);
        Assert.NotNull(Find(page, reported));
        Assert.NotNull(Find(page, followersOnly));

        var report = await _carol.PostOkAsync("/api/v1/reports", new { account_id = _aliceId.ToString(System.Globalization.CultureInfo.InvariantCulture), status_ids = new[] { reported }, category = "misleading" });
        await _mod.PostOkAsync($"/api/v1/gazouille/admin/reports/{report.Id()}/action", new { type = "hide", text = "Information fausse" });
        Assert.Null(Find(await HomeAsync(_bob), reported));

        await CachedHomeAsync(_bob);
        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/unfollow");
        Assert.Null(Find(await HomeAsync(_bob), followersOnly));
    }

    [Fact]
    public async Task A_revoked_grant_empties_the_guests_team_channel_at_once()
    {
        await _f.CreatePartnerAsync("acme");
        var (_, gina) = await _f.SignedInAsync("gina", AccountRole.Employee, "acme");
        await _f.CreateTeamAsync("atlas", "alice");
        await _f.GrantAsync("atlas", "acme");
        var post = (await _alice.PostStatusAsync("bonjour les partenaires", "partners:atlas")).Id();
        await gina.GetOkAsync("/api/v1/timelines/team/atlas");
        var hits = Cache.Hits;
        Assert.Contains((await gina.GetOkAsync("/api/v1/timelines/team/atlas")).EnumerateArray(), s => s.Str("id") == post);
        Assert.True(Cache.Hits > hits, "the guest's second read was not served from the cache");

        await _f.GrantAsync("atlas", "acme", revoke: true);
        await (await gina.GetAsync("/api/v1/timelines/team/atlas")).NotFoundAsync();
    }

    [Fact]
    public async Task A_change_made_by_the_admin_cli_beside_the_server_shows_at_once()
    {
        var post = (await _alice.PostStatusAsync("annonce", "company")).Id();
        Assert.False(Find(await CachedHomeAsync(_bob), post)!.Value.GetProperty("account").GetProperty("gazouille").GetProperty("official").GetBoolean());

        var marked = await GazouilleCli.RunAsync(_f.Data, "admin", "verify-account", "--username", "alice");
        Assert.Equal(0, marked.Exit);
        Assert.True(Find(await HomeAsync(_bob), post)!.Value.GetProperty("account").GetProperty("gazouille").GetProperty("official").GetBoolean());
    }

    [Fact]
    public async Task Writes_drop_only_the_pages_they_change()
    {
        var post = (await _alice.PostStatusAsync("pour tout le monde", "company")).Id();
        await _carol.PostStatusAsync("carol parle seule", "company");
        await CachedHomeAsync(_carol); // carol follows nobody: her home is her own posts
        await CachedHomeAsync(_bob);

        // A post, a favourite and its removal, a boost and its removal, a bookmark and an unfollow elsewhere: none is on carol's home.
        await _alice.PostStatusAsync("encore un message", "company");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/favourite");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/unfavourite");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/reblog");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/unreblog");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/bookmark");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/unbookmark");
        var hits = Cache.Hits;
        await HomeAsync(_carol);
        Assert.True(Cache.Hits >= hits + 2, "carol's home was dropped by writes that do not touch it");
    }

    [Fact]
    public async Task The_compose_boxs_reader_counts_follow_members_and_followers_at_once()
    {
        await _f.CreateTeamAsync("design", "alice");
        var browser = await WebBrowser.SignInAsync(_f, "alice");
        async Task<List<(string? Value, string Text)>> OptionsAsync() =>
            HtmlForms.Parse(await browser.PageAsync("/")).QuerySelectorAll("#compose-audience option").Select(o => (o.GetAttribute("value"), o.TextContent)).ToList();

        await OptionsAsync();
        var hits = Cache.Hits;
        Assert.Contains(("team:design", "Team design — 1 person"), await OptionsAsync());
        Assert.True(Cache.Hits > hits, "the compose box was not served from the cache");

        await _f.WithScopeAsync<object?>(async sp =>
        {
            await sp.GetRequiredService<Gazouille.Features.Teams.TeamDirectory>().AddMemberAsync("design", "carol", false);
            return null;
        });
        Assert.Contains(("team:design", "Team design — 2 people"), await OptionsAsync());

        var before = (await OptionsAsync()).Single(o => o.Value == "followers").Text;
        await _carol.PostOkAsync($"/api/v1/accounts/{_aliceId}/follow");
        Assert.NotEqual(before, (await OptionsAsync()).Single(o => o.Value == "followers").Text);
    }

    [Fact]
    public async Task Turned_off_the_cache_serves_nothing()
    {
        await using var f = await GazouilleFactory.StartAsync(new() { ["Gazouille:Caching:Pages"] = "false" });
        var (_, reader) = await f.SignedInAsync("reader");
        await reader.PostStatusAsync("seul", "company");
        var cache = f.Server.Services.GetRequiredService<ViewerPageCache>();
        await HomeAsync(reader);
        await HomeAsync(reader);
        Assert.Equal(0, cache.Hits);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch.AddYears(56);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Entries_made_together_expire_spread_over_one_to_two_lifetimes()
    {
        var clock = new ManualClock();
        var cache = new ViewerPageCache(_f.Server.Services.GetRequiredService<ChangeClock>(), clock);
        var readers = Enumerable.Range(1, 200).Select(i => Viewer.Anonymous with { AccountId = i, Kind = ViewerKind.Employee }).ToList();
        foreach (var r in readers) cache.Store(r, "", "home", cache.Start(), [], "page");
        int Alive() => readers.Count(r => cache.TryGet<string>(r, "", "home", out _));

        clock.Now += ViewerPageCache.Lifetime - TimeSpan.FromMilliseconds(1);
        Assert.Equal(200, Alive());
        clock.Now += ViewerPageCache.Lifetime / 2;
        var halfway = Alive();
        Assert.InRange(halfway, 40, 160); // about 100 of 200 when the lifetimes are drawn evenly
        clock.Now += ViewerPageCache.Lifetime / 2 + TimeSpan.FromMilliseconds(2);
        Assert.Equal(0, Alive());
    }
}
