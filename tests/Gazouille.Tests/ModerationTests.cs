using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gazouille.Tests;

/// <summary>Held posts: seen by their author and moderators only, on every read path, until a moderator decides.</summary>
public sealed class ModerationTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private const string HeldForPartners = "Document confidentiel, ne pas diffuser : le planning #roadmap";

    /// <summary>bob opens a thread in the partner channel; alice answers with a text the guard holds, mentioning gina.</summary>
    private async Task<(string Parent, string Held)> HoldAReplyAsync()
    {
        var parent = await _w.Bob.PostStatusAsync("Bienvenue aux partenaires !", "partners:ops");
        var response = await LeakGuardWorld.PostAsync(_w.Alice, "@gina @bob " + HeldForPartners, "partners:ops", inReplyTo: parent.Id());
        var held = await response.OkJsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").Str("state"));
        return (parent.Id(), held.Id());
    }

    private async Task AssertNobodyButAliceSeesAsync(string parent, string held)
    {
        foreach (var (name, client) in _w.Others)
        {
            // Moderators open a held post by id (to review it); nobody else learns it exists.
            if (name is "mod" or "root") await client.GetOkAsync($"/api/v1/statuses/{held}");
            else await (await client.GetAsync($"/api/v1/statuses/{held}")).NotFoundAsync();
            var paths = new[]
            {
                "/api/v1/timelines/home", "/api/v1/timelines/team/ops", "/api/v1/timelines/company", "/api/v1/timelines/public",
                "/api/v1/timelines/tag/roadmap", $"/api/v1/accounts/{_w.AliceId}/statuses", "/api/v1/notifications", "/api/v1/favourites",
                $"/api/v1/gazouille/teams/ops/view_as/acme",
            };
            foreach (var path in paths)
            {
                var response = await client.GetAsync(path);
                if (!response.IsSuccessStatusCode) continue;
                var text = await response.Content.ReadAsStringAsync();
                Assert.False(text.Contains(held, StringComparison.Ordinal), $"{path} shows the held post to {name}");
                Assert.DoesNotContain("confidentiel", text, StringComparison.Ordinal);
            }
            var context = await client.GetAsync($"/api/v1/statuses/{parent}/context");
            if (context.IsSuccessStatusCode)
            {
                Assert.DoesNotContain(held, await context.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(0, (await client.GetOkAsync($"/api/v1/statuses/{parent}")).Int("replies_count"));
            }
            if (name != "anonymous")
            {
                Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/statuses/{held}/favourite", null)).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/statuses/{held}/reblog", null)).StatusCode);
            }
        }
    }

    [Fact]
    public async Task A_held_post_is_seen_by_its_author_only_until_approved_then_by_its_audience_with_its_notifications()
    {
        var (parent, held) = await HoldAReplyAsync();
        await AssertNobodyButAliceSeesAsync(parent, held);

        var own = await _w.Alice.GetOkAsync($"/api/v1/statuses/{held}");
        Assert.Equal("held", own.GetProperty("leak_guard").Str("state"));
        Assert.Equal("confidential_marker", own.GetProperty("leak_guard").GetProperty("findings")[0].Str("type"));

        var queue = await _w.Mod.GetOkAsync("/api/v1/gazouille/moderation/held");
        var item = Assert.Single(queue.EnumerateArray());
        Assert.Equal(held, item.Id());
        Assert.Equal("hold", item.Str("decision"));
        Assert.Equal("partners:ops", item.Str("audience"));
        // The moderator is not in @ops: the thread's parent is named, not shown (reviewing opens no other channel).
        Assert.Equal(parent, item.GetProperty("status").Str("in_reply_to_id"));
        Assert.Equal(JsonValueKind.Null, item.GetProperty("in_reply_to").ValueKind);
        var finding = item.GetProperty("findings")[0];
        var source = (await _w.Alice.GetOkAsync($"/api/v1/statuses/{held}/source")).Str("text");
        Assert.Equal(source[finding.Int("start")..finding.Int("end")], finding.Str("text"));

        var approved = await _w.Mod.PostOkAsync($"/api/v1/gazouille/moderation/held/{held}/approve");
        Assert.Equal("published", approved.Str("state"));

        // The partner reads it in the partner channel; the mentions are notified now.
        var channel = await _w.Gina.GetOkAsync("/api/v1/timelines/team/ops");
        Assert.Contains(held, channel.Ids());
        Assert.Equal(1, (await _w.Gina.GetOkAsync($"/api/v1/statuses/{parent}")).Int("replies_count"));
        foreach (var client in new[] { _w.Gina, _w.Bob })
        {
            var notifications = await client.GetOkAsync("/api/v1/notifications");
            Assert.Contains(notifications.EnumerateArray(), n => n.Str("type") == "mention" && n.GetProperty("status").Id() == held);
        }
        var aliceNotified = await _w.Alice.GetOkAsync("/api/v1/notifications");
        Assert.Contains(aliceNotified.EnumerateArray(), n => n.Str("type") == "gazouille.leak_guard.approved");
        Assert.Equal("published", (await _w.Alice.GetOkAsync($"/api/v1/statuses/{held}")).GetProperty("leak_guard").Str("state"));
        Assert.Empty((await _w.Mod.GetOkAsync("/api/v1/gazouille/moderation/held")).EnumerateArray());
        // Once published, the post is read within its audience like any other, not through the queue.
        await (await _w.Mod.GetAsync($"/api/v1/gazouille/moderation/held/{held}")).NotFoundAsync();
        Assert.Contains(await _w.AuditAsync(), a => a.Action == "moderation.approve" && a.Subject == $"status:{held}" && a.Actor == "@mod");
    }

    [Fact]
    public async Task Rejecting_tells_the_author_why_and_the_post_stays_hidden()
    {
        var (parent, held) = await HoldAReplyAsync();
        var reason = "Le planning est confidentiel tant que le client n'a pas signé.";
        var rejected = await _w.Mod.PostOkAsync($"/api/v1/gazouille/moderation/held/{held}/reject", new { reason });
        Assert.Equal("rejected", rejected.Str("state"));

        var notifications = await _w.Alice.GetOkAsync("/api/v1/notifications");
        var told = Assert.Single(notifications.EnumerateArray(), n => n.Str("type") == "gazouille.leak_guard.rejected");
        Assert.Equal(held, told.GetProperty("status").Id());
        Assert.Equal("rejected", told.GetProperty("status").GetProperty("leak_guard").Str("state"));
        Assert.Equal(reason, told.GetProperty("status").GetProperty("leak_guard").Str("reason"));
        Assert.Equal("alice", told.GetProperty("account").Str("username")); // the moderator stays anonymous

        await AssertNobodyButAliceSeesAsync(parent, held);
        await (await _w.Mod.PostAsync($"/api/v1/gazouille/moderation/held/{held}/approve", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{held}", new { status = "autre chose" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        // The author may still delete it, findings and all.
        (await _w.Alice.DeleteAsync($"/api/v1/statuses/{held}")).EnsureSuccessStatusCode();
        await (await _w.Alice.GetAsync($"/api/v1/statuses/{held}")).NotFoundAsync();
        Assert.Equal(0, await _w.CountAsync<Gazouille.Data.Entities.LeakReview>());
        var entry = Assert.Single(await _w.AuditAsync(), a => a.Action == "moderation.reject");
        Assert.Equal(reason, entry.Details.Str("reason"));
    }

    [Fact]
    public async Task An_edit_request_keeps_the_post_held_and_a_fixed_edit_publishes_it()
    {
        var (_, held) = await HoldAReplyAsync();
        var asked = await _w.Mod.PostOkAsync($"/api/v1/gazouille/moderation/held/{held}/request_edit", new { reason = "Retirez la mention confidentielle." });
        Assert.Equal("held", asked.Str("state"));
        Assert.Equal("edit_requested", asked.Str("outcome"));
        Assert.Contains((await _w.Alice.GetOkAsync("/api/v1/notifications")).EnumerateArray(), n => n.Str("type") == "gazouille.leak_guard.edit_requested");
        await (await _w.Gina.GetAsync($"/api/v1/statuses/{held}")).NotFoundAsync();

        var edited = await (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{held}", new { status = "@gina @bob le planning arrive bientôt" })).OkJsonAsync();
        Assert.Equal("published", edited.GetProperty("leak_guard").Str("state"));
        await _w.Gina.GetOkAsync($"/api/v1/statuses/{held}");
        Assert.Contains((await _w.Gina.GetOkAsync("/api/v1/notifications")).EnumerateArray(), n => n.Str("type") == "mention");
    }

    [Fact]
    public async Task Only_moderators_review_and_never_their_own_posts()
    {
        var (_, held) = await HoldAReplyAsync();
        foreach (var client in new[] { _w.Bob, _w.Gina, _w.Alice })
        {
            await (await client.GetAsync("/api/v1/gazouille/moderation/held")).ErrorAsync(HttpStatusCode.Forbidden);
            await (await client.PostAsync($"/api/v1/gazouille/moderation/held/{held}/approve", null)).ErrorAsync(HttpStatusCode.Forbidden);
            await (await client.PostAsJsonAsync($"/api/v1/gazouille/moderation/held/{held}/reject", new { reason = "non" })).ErrorAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await _w.Anonymous.GetAsync("/api/v1/gazouille/moderation/held")).StatusCode);

        var own = await (await LeakGuardWorld.PostAsync(_w.Mod, "Mon IBAN " + LeakGuardWorld.Iban, "company")).OkJsonAsync();
        await (await _w.Mod.PostAsync($"/api/v1/gazouille/moderation/held/{own.Id()}/approve", null)).ErrorAsync(HttpStatusCode.Forbidden);
        await _w.Root.PostOkAsync($"/api/v1/gazouille/moderation/held/{own.Id()}/approve"); // an admin is a moderator too
    }

    [Fact]
    public async Task The_queue_filters_by_team_audience_type_and_age_and_pages_with_a_link_header()
    {
        var partnersHeld = (await (await LeakGuardWorld.PostAsync(_w.Alice, HeldForPartners, "partners:ops")).OkJsonAsync()).Id();
        var ibanHeld = (await (await LeakGuardWorld.PostAsync(_w.Alice, "Mon IBAN " + LeakGuardWorld.Iban, "company")).OkJsonAsync()).Id();
        var teamHeld = (await (await LeakGuardWorld.PostAsync(_w.Bob, "IBAN du fournisseur " + LeakGuardWorld.Iban, "team:ops")).OkJsonAsync()).Id();

        async Task<List<string>> Held(string query) => (await _w.Mod.GetOkAsync("/api/v1/gazouille/moderation/held" + query)).Ids();
        Assert.Equal([teamHeld, ibanHeld, partnersHeld], await Held(""));
        Assert.Equal([teamHeld, partnersHeld], await Held("?team=ops"));
        Assert.Equal([ibanHeld], await Held("?audience=company"));
        Assert.Equal([teamHeld, ibanHeld], await Held("?type=iban"));
        Assert.Equal([partnersHeld], await Held("?type=confidential_marker"));
        Assert.Empty(await Held("?older_than=1h"));
        Assert.Equal(3, (await Held("?newer_than=1h")).Count);
        Assert.Empty(await Held("?team=nope"));

        var page = await _w.Mod.GetAsync("/api/v1/gazouille/moderation/held?limit=2");
        Assert.Equal(2, (await page.OkJsonAsync()).Count());
        var link = page.Headers.GetValues("Link").Single();
        Assert.Contains($"max_id={ibanHeld}", link, StringComparison.Ordinal);
        Assert.Equal([partnersHeld], await Held($"?limit=2&max_id={ibanHeld}"));
    }

    [Fact]
    public async Task Hostile_input_on_moderation_endpoints_answers_4xx_and_changes_nothing()
    {
        var (_, held) = await HoldAReplyAsync();
        foreach (var id in new[] { "abc", "-1", "0", "99999999999999999999", "1%27%20OR%201%3D1", held + "0" })
        {
            await (await _w.Mod.PostAsync($"/api/v1/gazouille/moderation/held/{id}/approve", null)).NotFoundAsync();
            await (await _w.Mod.PostAsJsonAsync($"/api/v1/gazouille/moderation/held/{id}/reject", new { reason = "x" })).NotFoundAsync();
        }
        var url = $"/api/v1/gazouille/moderation/held/{held}/reject";
        await (await _w.Mod.PostAsJsonAsync(url, new { })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Mod.PostAsJsonAsync(url, new { reason = "   " })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Mod.PostAsJsonAsync(url, new { reason = new string('x', 5000) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Mod.PostAsJsonAsync(url, new { reason = "bell\u0007" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Mod.PostAsync(url, ApiAssert.RawJson("{\"reason\": "))).ErrorAsync(HttpStatusCode.BadRequest);
        await (await _w.Mod.PostAsync(url, ApiAssert.RawJson("{\"reason\": \"\\ud800\"}"))).ErrorAsync(HttpStatusCode.BadRequest);
        await (await _w.Mod.GetAsync("/api/v1/gazouille/moderation/held?older_than=forever")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Mod.GetAsync("/api/v1/gazouille/moderation/held?audience=everyone")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Mod.GetAsync("/api/v1/gazouille/moderation/held?type=%27%3B%20DROP%20TABLE%20Statuses%3B--")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await _w.Mod.GetOkAsync("/api/v1/gazouille/moderation/held?type=x%27OR%271%27%3D%271")).EnumerateArray());
        Assert.Single((await _w.Mod.GetOkAsync("/api/v1/gazouille/moderation/held")).EnumerateArray()); // still held, nothing changed

        // Whatever the reason holds, it comes back as text.
        var hostile = "<script>alert(1)</script> ‮gnp.exe '; DROP TABLE Statuses;-- \u200b";
        var rejected = await _w.Mod.PostOkAsync(url, new { reason = hostile });
        Assert.Equal(hostile.Trim(), rejected.Str("reason"));
    }
}
