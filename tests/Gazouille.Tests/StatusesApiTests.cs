using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gazouille.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

public sealed class StatusesApiTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;
    private long _aliceId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_aliceId, _alice) = await _f.SignedInAsync("alice");
        (_, _bob) = await _f.SignedInAsync("bob");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private Task<int> StatusRowsAsync() => _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Statuses.CountAsync());

    [Fact]
    public async Task Posting_a_status_returns_it_with_escaped_content_and_its_audience()
    {
        var status = await _alice.PostStatusAsync("Hello <b>team</b> #launch", "company");
        Assert.Equal("company", status.Str("audience"));
        Assert.Equal("public", status.Str("visibility"));
        Assert.Contains("&lt;b&gt;team&lt;/b&gt;", status.Str("content"), StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", status.Str("content"), StringComparison.Ordinal);
        Assert.Equal("alice", status.GetProperty("account").Str("username"));
        Assert.Equal("launch", status.GetProperty("tags")[0].Str("name"));
        var fetched = await _bob.GetOkAsync($"/api/v1/statuses/{status.Id()}");
        Assert.Equal(status.Id(), fetched.Id());
    }

    [Fact]
    public async Task Posting_accepts_form_and_query_parameters_as_well_as_json()
    {
        var form = await (await _alice.PostAsync("/api/v1/statuses", ApiAssert.Form(("status", "from a form"), ("visibility", "private")))).OkJsonAsync();
        Assert.Equal("followers", form.Str("audience"));
        var query = await (await _alice.PostAsync("/api/v1/statuses?status=from%20the%20query", null)).OkJsonAsync();
        Assert.Contains("from the query", query.Str("content"), StringComparison.Ordinal);
        using var multipart = new MultipartFormDataContent { { new StringContent("from multipart"), "status" } };
        var mp = await (await _alice.PostAsync("/api/v1/statuses", multipart)).OkJsonAsync();
        Assert.Contains("from multipart", mp.Str("content"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mastodon_visibilities_map_to_audiences()
    {
        Assert.Equal("company", (await _alice.PostStatusAsync("a", visibility: "public")).Str("audience"));
        var unlisted = await _alice.PostStatusAsync("b", visibility: "unlisted");
        Assert.Equal("company", unlisted.Str("audience"));
        Assert.Equal("unlisted", unlisted.Str("visibility"));
        Assert.DoesNotContain(unlisted.Id(), (await _bob.GetOkAsync("/api/v1/timelines/company")).Ids());
        Assert.Equal("followers", (await _alice.PostStatusAsync("c", visibility: "private")).Str("audience"));
        Assert.Equal("direct", (await _alice.PostStatusAsync("d @bob", visibility: "direct")).Str("audience"));
        await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "e", visibility = "galaxy" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Public_posting_is_refused_until_an_admin_enables_it()
    {
        var error = await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "hi world", audience = "public" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("company", error, StringComparison.Ordinal);

        await using var open = await GazouilleFactory.StartAsync(new() { ["Gazouille:Audiences:PublicEnabled"] = "true" });
        var (_, writer) = await open.SignedInAsync("writer");
        var status = await writer.PostStatusAsync("hello Internet", "public");
        Assert.Equal("public", status.Str("audience"));
        var anonymous = open.Client();
        Assert.Equal(status.Id(), (await anonymous.GetOkAsync($"/api/v1/statuses/{status.Id()}")).Id());
        Assert.Contains(status.Id(), (await anonymous.GetOkAsync("/api/v1/timelines/public")).Ids());
    }

    [Fact]
    public async Task Writing_needs_a_token_with_the_write_scope()
    {
        await (await _f.Client().PostAsJsonAsync("/api/v1/statuses", new { status = "x" })).ErrorAsync(HttpStatusCode.Unauthorized);
        await (await _f.Client("not-a-real-token").PostAsJsonAsync("/api/v1/statuses", new { status = "x" })).ErrorAsync(HttpStatusCode.Unauthorized);
        var readOnly = _f.Client(await _f.TokenAsync(_aliceId, "read"));
        await (await readOnly.PostAsJsonAsync("/api/v1/statuses", new { status = "x" })).ErrorAsync(HttpStatusCode.Forbidden);
        var status = await _alice.PostStatusAsync("mine", "company");
        await (await readOnly.DeleteAsync($"/api/v1/statuses/{status.Id()}")).ErrorAsync(HttpStatusCode.Forbidden);
        await (await readOnly.PostAsync($"/api/v1/statuses/{status.Id()}/favourite", null)).ErrorAsync(HttpStatusCode.Forbidden);
        await (await readOnly.PutAsJsonAsync($"/api/v1/statuses/{status.Id()}", new { status = "y" })).ErrorAsync(HttpStatusCode.Forbidden);
        var granular = _f.Client(await _f.TokenAsync(_aliceId, "write:statuses"));
        await granular.PostStatusAsync("granular scope is enough");
        Assert.Equal(2, (await _bob.GetOkAsync($"/api/v1/accounts/{_aliceId}/statuses")).Count());
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_answer_record_not_found()
    {
        foreach (var id in new[] { "999999999999", "abc", "-1", "0", "1%27%20OR%201=1" })
        {
            await (await _alice.GetAsync($"/api/v1/statuses/{id}")).NotFoundAsync();
            await (await _alice.GetAsync($"/api/v1/statuses/{id}/context")).NotFoundAsync();
            await (await _alice.DeleteAsync($"/api/v1/statuses/{id}")).NotFoundAsync();
            await (await _alice.PostAsync($"/api/v1/statuses/{id}/favourite", null)).NotFoundAsync();
            await (await _alice.PostAsync($"/api/v1/statuses/{id}/reblog", null)).NotFoundAsync();
            await (await _alice.PostAsync($"/api/v1/statuses/{id}/bookmark", null)).NotFoundAsync();
            await (await _alice.PutAsJsonAsync($"/api/v1/statuses/{id}", new { status = "x" })).NotFoundAsync();
        }
        await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "reply to nothing", in_reply_to_id = "123456789" })).NotFoundAsync();
    }

    [Fact]
    public async Task Someone_elses_status_cannot_be_edited_or_deleted_and_answers_not_found()
    {
        var status = await _alice.PostStatusAsync("alice's words", "company");
        await (await _bob.DeleteAsync($"/api/v1/statuses/{status.Id()}")).NotFoundAsync();
        await (await _bob.PutAsJsonAsync($"/api/v1/statuses/{status.Id()}", new { status = "bob's words" })).NotFoundAsync();
        Assert.Contains("alice", (await _bob.GetOkAsync($"/api/v1/statuses/{status.Id()}")).Str("content"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_posts_answer_422_and_save_nothing()
    {
        var before = await StatusRowsAsync();
        foreach (var body in new object[]
        {
            new { status = "" }, new { status = "   " }, new { status = new string('a', 501) }, new { status = "ok", language = "klingon" },
            new { status = "ok", audience = "team:nope" }, new { status = "ok", audience = "galaxy" }, new { status = "ok", sensitive = "maybe" },
            new { status = "ok", media_ids = new[] { "1" } },
        })
            await (await _alice.PostAsJsonAsync("/api/v1/statuses", body)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(before, await StatusRowsAsync());
    }

    [Fact]
    public async Task A_team_post_needs_membership()
    {
        await _f.CreateTeamAsync("atlas", "alice");
        Assert.Equal("team:atlas", (await _alice.PostStatusAsync("members only", "team:atlas")).Str("audience"));
        await (await _bob.PostAsJsonAsync("/api/v1/statuses", new { status = "let me in", audience = "team:atlas" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Same_idempotency_key_twice_gives_the_same_status_and_one_row()
    {
        var before = await StatusRowsAsync();
        async Task<string> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/statuses") { Content = JsonContent.Create(new { status = "only once" }) };
            request.Headers.Add("Idempotency-Key", "key-123");
            return (await (await _alice.SendAsync(request)).OkJsonAsync()).Id();
        }
        var first = await PostAsync();
        var second = await PostAsync();
        Assert.Equal(first, second);
        Assert.Equal(before + 1, await StatusRowsAsync());
        using var other = new HttpRequestMessage(HttpMethod.Post, "/api/v1/statuses") { Content = JsonContent.Create(new { status = "only once" }) };
        other.Headers.Add("Idempotency-Key", "key-456");
        Assert.NotEqual(first, (await (await _alice.SendAsync(other)).OkJsonAsync()).Id());
    }

    /// <summary>
    /// A new post's answer is rendered from what publishing holds, without counting (nobody can have answered yet): it must
    /// be exactly what reading the post back gives its author, for every kind of post.
    /// </summary>
    [Fact]
    public async Task The_answer_to_a_new_post_is_what_reading_it_back_gives()
    {
        await _f.CreateTeamAsync("design", "alice", "bob");
        var parent = await _bob.PostStatusAsync("Une question pour l'équipe ?", "company");
        // Each answer is compared at once: the author's statuses_count in it changes with the next post.
        var posts = new List<Func<Task<System.Text.Json.JsonElement>>>
        {
            () => _alice.PostStatusAsync("Bonjour @bob et @design, voici la #roadmap du trimestre : https://example.com/a?b=c", "company"),
            () => _alice.PostStatusAsync("Réponse dans le fil, @bob", inReplyTo: parent.Id()),
            () => _alice.PostStatusAsync("Pour l'équipe seulement <script>x</script>", "team:design"),
            () => _alice.PostStatusAsync("@bob en privé", visibility: "direct"),
            async () => await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "Document confidentiel, ne pas diffuser.", audience = "company", leak_guard_override = "Déjà annoncé en réunion" })).OkJsonAsync(),
            async () => await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "Avec un avertissement", spoiler_text = "Divulgâcheur", language = "fr", audience = "followers" })).OkJsonAsync(),
            async () =>
            {
                // The verdict's explanations are in the author's language, taken from their account.
                await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.Where(a => a.Id == _aliceId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, "en")));
                var answer = await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "Confidential document, do not share.", audience = "company", leak_guard_override = "Already announced" })).OkJsonAsync();
                Assert.Contains("confidential", answer.GetProperty("leak_guard").GetProperty("findings").GetRawText(), StringComparison.OrdinalIgnoreCase);
                return answer;
            },
        };
        var guarded = 0;
        foreach (var post in posts)
        {
            var answer = await post();
            if (answer.TryGetProperty("leak_guard", out var guard) && guard.ValueKind == System.Text.Json.JsonValueKind.Object) guarded++;
            Assert.Equal((await _alice.GetOkAsync($"/api/v1/statuses/{answer.Id()}")).GetRawText(), answer.GetRawText());
        }
        Assert.True(guarded > 0, "no answer carried the Leak Guard's verdict: the comparison did not cover it");
    }

    [Fact]
    public async Task A_replayed_post_is_answered_with_its_counts_of_now()
    {
        async Task<System.Text.Json.JsonElement> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/statuses") { Content = JsonContent.Create(new { status = "déjà aimé", audience = "company" }) };
            request.Headers.Add("Idempotency-Key", "replay-counts");
            return await (await _alice.SendAsync(request)).OkJsonAsync();
        }
        var first = await PostAsync();
        Assert.Equal(0, first.GetProperty("favourites_count").GetInt32());
        await _bob.PostOkAsync($"/api/v1/statuses/{first.Id()}/favourite");
        await _bob.PostStatusAsync("Je réponds", inReplyTo: first.Id());
        var replay = await PostAsync();
        Assert.Equal(first.Id(), replay.Id());
        Assert.Equal(1, replay.GetProperty("favourites_count").GetInt32());
        Assert.Equal(1, replay.GetProperty("replies_count").GetInt32());
    }

    [Fact]
    public async Task Edit_keeps_the_history_and_the_audience_cannot_change()
    {
        var status = await _alice.PostStatusAsync("first draft", "company");
        var edited = await (await _alice.PutAsJsonAsync($"/api/v1/statuses/{status.Id()}", new { status = "second draft" })).OkJsonAsync();
        Assert.Contains("second draft", edited.Str("content"), StringComparison.Ordinal);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, edited.GetProperty("edited_at").ValueKind);
        var history = await _bob.GetOkAsync($"/api/v1/statuses/{status.Id()}/history");
        Assert.Equal(2, history.Count());
        Assert.Contains("first draft", history[0].Str("content"), StringComparison.Ordinal);
        Assert.Contains("second draft", history[1].Str("content"), StringComparison.Ordinal);
        var source = await _alice.GetOkAsync($"/api/v1/statuses/{status.Id()}/source");
        Assert.Equal("second draft", source.Str("text"));
        await (await _alice.PutAsJsonAsync($"/api/v1/statuses/{status.Id()}", new { status = "x", audience = "followers" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PutAsJsonAsync($"/api/v1/statuses/{status.Id()}", new { status = new string('z', 600) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, (await _bob.GetOkAsync($"/api/v1/statuses/{status.Id()}/history")).Count());
    }

    [Fact]
    public async Task Delete_returns_the_source_text_and_the_status_is_gone()
    {
        var status = await _alice.PostStatusAsync("delete & redraft me", "company");
        await _bob.PostOkAsync($"/api/v1/statuses/{status.Id()}/favourite");
        var deleted = await (await _alice.DeleteAsync($"/api/v1/statuses/{status.Id()}")).OkJsonAsync();
        Assert.Equal("delete & redraft me", deleted.Str("text"));
        await (await _alice.GetAsync($"/api/v1/statuses/{status.Id()}")).NotFoundAsync();
        await (await _alice.DeleteAsync($"/api/v1/statuses/{status.Id()}")).NotFoundAsync();
        Assert.Empty((await _bob.GetOkAsync("/api/v1/favourites")).Ids());
    }

    [Fact]
    public async Task Favourite_boost_and_bookmark_toggle_and_show_in_lists()
    {
        var status = await _alice.PostStatusAsync("like me", "company");
        var id = status.Id();
        var fav = await _bob.PostOkAsync($"/api/v1/statuses/{id}/favourite");
        Assert.True(fav.GetProperty("favourited").GetBoolean());
        Assert.Equal(1, fav.Int("favourites_count"));
        await _bob.PostOkAsync($"/api/v1/statuses/{id}/favourite");
        Assert.Equal(1, (await _bob.GetOkAsync($"/api/v1/statuses/{id}")).Int("favourites_count"));
        Assert.Equal(["bob"], (await _alice.GetOkAsync($"/api/v1/statuses/{id}/favourited_by")).EnumerateArray().Select(a => a.Str("username")));
        Assert.Equal([id], (await _bob.GetOkAsync("/api/v1/favourites")).Ids());

        var boost = await _bob.PostOkAsync($"/api/v1/statuses/{id}/reblog");
        Assert.Equal(id, boost.GetProperty("reblog").Id());
        Assert.Equal(boost.Id(), (await _bob.PostOkAsync($"/api/v1/statuses/{id}/reblog")).Id());
        Assert.Equal(1, (await _alice.GetOkAsync($"/api/v1/statuses/{id}")).Int("reblogs_count"));
        Assert.Equal(["bob"], (await _alice.GetOkAsync($"/api/v1/statuses/{id}/reblogged_by")).EnumerateArray().Select(a => a.Str("username")));

        var bookmark = await _bob.PostOkAsync($"/api/v1/statuses/{id}/bookmark");
        Assert.True(bookmark.GetProperty("bookmarked").GetBoolean());
        Assert.Equal([id], (await _bob.GetOkAsync("/api/v1/bookmarks")).Ids());
        Assert.Empty((await _alice.GetOkAsync("/api/v1/bookmarks")).Ids());

        Assert.False((await _bob.PostOkAsync($"/api/v1/statuses/{id}/unfavourite")).GetProperty("favourited").GetBoolean());
        Assert.False((await _bob.PostOkAsync($"/api/v1/statuses/{id}/unreblog")).GetProperty("reblogged").GetBoolean());
        Assert.False((await _bob.PostOkAsync($"/api/v1/statuses/{id}/unbookmark")).GetProperty("bookmarked").GetBoolean());
        var after = await _alice.GetOkAsync($"/api/v1/statuses/{id}");
        Assert.Equal(0, after.Int("favourites_count"));
        Assert.Equal(0, after.Int("reblogs_count"));
        Assert.Empty((await _bob.GetOkAsync("/api/v1/favourites")).Ids());
        Assert.Empty((await _bob.GetOkAsync("/api/v1/bookmarks")).Ids());
        await (await _bob.GetAsync($"/api/v1/statuses/{boost.Id()}")).NotFoundAsync();
    }

    [Fact]
    public async Task Reading_lists_needs_a_token()
    {
        foreach (var path in new[] { "/api/v1/favourites", "/api/v1/bookmarks", "/api/v1/timelines/home", "/api/v1/timelines/company", "/api/v1/statuses/1/source" })
        {
            await (await _f.Client().GetAsync(path)).ErrorAsync(HttpStatusCode.Unauthorized);
            await (await _f.Client("bogus").GetAsync(path)).ErrorAsync(HttpStatusCode.Unauthorized);
        }
        var writeOnly = _f.Client(await _f.TokenAsync(_aliceId, "write"));
        await (await writeOnly.GetAsync("/api/v1/favourites")).ErrorAsync(HttpStatusCode.Forbidden);
        await (await writeOnly.GetAsync("/api/v1/timelines/home")).ErrorAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Context_lists_ancestors_and_descendants_in_order()
    {
        var root = (await _alice.PostStatusAsync("root", "company")).Id();
        var child = (await _bob.PostStatusAsync("child", inReplyTo: root)).Id();
        var grandchild = (await _alice.PostStatusAsync("grandchild", inReplyTo: child)).Id();
        var context = await _bob.GetOkAsync($"/api/v1/statuses/{child}/context");
        Assert.Equal([root], context.GetProperty("ancestors").Ids());
        Assert.Equal([grandchild], context.GetProperty("descendants").Ids());
        Assert.Equal(1, (await _bob.GetOkAsync($"/api/v1/statuses/{root}")).Int("replies_count"));
        Assert.Equal(root, (await _bob.GetOkAsync($"/api/v1/statuses/{child}")).Str("in_reply_to_id"));
    }

    [Fact]
    public async Task Pages_follow_max_id_since_id_min_id_limit_and_the_link_header()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++) ids.Add((await _alice.PostStatusAsync($"post {i}", "company")).Id());
        ids.Reverse(); // newest first
        var path = $"/api/v1/accounts/{_aliceId}/statuses";
        var first = await _bob.GetAsync($"{path}?limit=3");
        Assert.Equal(ids[..3], (await first.OkJsonAsync()).Ids());
        var link = string.Join(",", first.Headers.GetValues("Link"));
        Assert.Contains($"max_id={ids[2]}>; rel=\"next\"", link, StringComparison.Ordinal);
        Assert.Contains($"min_id={ids[0]}>; rel=\"prev\"", link, StringComparison.Ordinal);
        Assert.Equal(ids[3..6], (await _bob.GetOkAsync($"{path}?limit=3&max_id={ids[2]}")).Ids());
        Assert.Equal(ids[..2], (await _bob.GetOkAsync($"{path}?since_id={ids[2]}")).Ids());
        Assert.Equal(ids[4..6], (await _bob.GetOkAsync($"{path}?min_id={ids[6]}&limit=2")).Ids());
        Assert.Equal(ids[1..2], (await _bob.GetOkAsync($"{path}?max_id={ids[0]}&since_id={ids[2]}")).Ids());
        Assert.Equal(7, (await _bob.GetOkAsync($"{path}?limit=500")).Count());
        Assert.Equal(7, (await _bob.GetOkAsync($"{path}?limit=0")).Count());
        var empty = await _bob.GetAsync($"{path}?max_id={ids[6]}");
        Assert.Empty((await empty.OkJsonAsync()).Ids());
        Assert.False(empty.Headers.Contains("Link"));
        await (await _bob.GetAsync($"{path}?limit=many")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(ids[..3], (await _bob.GetOkAsync($"/api/v1/timelines/company?limit=3")).Ids());
        Assert.Equal(ids[3..5], (await _bob.GetOkAsync($"/api/v1/timelines/company?limit=2&max_id={ids[2]}")).Ids());
    }
}
