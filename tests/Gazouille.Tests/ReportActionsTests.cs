using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>Moderators act on reports (hide, delete, suspend, warn); the author and the reporter are told; hidden posts
/// stay readable by their author and moderators only.</summary>
public sealed class ReportActionsTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private static string S(long id) => id.ToString(CultureInfo.InvariantCulture);

    private async Task<(long AuthorId, HttpClient Author, HttpClient Reader, HttpClient Mod, string Post, string Report)> ReportedAsync(string text = "Un message discutable")
    {
        var (authorId, author) = await _f.SignedInAsync("author");
        var (_, reader) = await _f.SignedInAsync("reader");
        var (_, mod) = await _f.SignedInAsync("mod", AccountRole.Moderator);
        var post = (await author.PostStatusAsync(text, "company")).Id();
        var report = await reader.PostOkAsync("/api/v1/reports", new Dictionary<string, object>
        {
            ["account_id"] = S(authorId), ["status_ids"] = new[] { post }, ["category"] = "misleading", ["comment"] = "faux",
        });
        return (authorId, author, reader, mod, post, report.Id());
    }

    private static async Task<JsonElement> NotificationOfTypeAsync(HttpClient client, string type) =>
        Assert.Single((await client.GetOkAsync("/api/v1/notifications")).EnumerateArray(), n => n.Str("type") == type);

    [Fact]
    public async Task Hiding_a_reported_post_leaves_it_to_its_author_and_moderators_and_tells_both_sides()
    {
        var (_, author, reader, mod, post, report) = await ReportedAsync();
        var (_, other) = await _f.SignedInAsync("other");
        await other.PostOkAsync($"/api/v1/statuses/{post}/reblog");

        var done = await mod.PostOkAsync($"/api/v1/gazouille/admin/reports/{report}/action", new { type = "hide", text = "Information fausse, voir la note RH" });
        Assert.True(done.GetProperty("action_taken").GetBoolean());
        Assert.Equal("hide", done.GetProperty("gazouille").Str("action"));
        Assert.Equal("Information fausse, voir la note RH", done.GetProperty("gazouille").Str("text"));

        // Author and moderators still open it; nobody else does, and it left every timeline (the boost too).
        Assert.Equal("hidden", (await author.GetOkAsync($"/api/v1/statuses/{post}")).GetProperty("leak_guard").Str("state"));
        await mod.GetOkAsync($"/api/v1/statuses/{post}");
        var missing = await (await reader.GetAsync("/api/v1/statuses/99999999999")).ErrorAsync(HttpStatusCode.NotFound);
        Assert.Equal(missing, await (await reader.GetAsync($"/api/v1/statuses/{post}")).ErrorAsync(HttpStatusCode.NotFound));
        Assert.Equal(missing, await (await other.GetAsync($"/api/v1/statuses/{post}")).ErrorAsync(HttpStatusCode.NotFound));
        foreach (var client in new[] { reader, other, author, mod })
        {
            var home = await client.GetOkAsync("/api/v1/timelines/home");
            Assert.DoesNotContain(home.EnumerateArray(), s => s.Id() == post || (s.TryGetProperty("reblog", out var r) && r.ValueKind == JsonValueKind.Object && r.Id() == post));
            Assert.DoesNotContain("Un message discutable", await (await client.GetAsync("/api/v1/timelines/public")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await (await author.PutAsJsonAsync($"/api/v1/statuses/{post}", new { status = "corrigé" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);

        // The author gets Mastodon's moderation_warning with the reason; the reporter learns the outcome, not the reason.
        var warning = (await NotificationOfTypeAsync(author, "moderation_warning")).GetProperty("moderation_warning");
        Assert.Equal("none", warning.Str("action"));
        Assert.Equal("hide", warning.GetProperty("gazouille").Str("action"));
        Assert.Equal("Information fausse, voir la note RH", warning.Str("text"));
        Assert.Equal([post], warning.GetProperty("status_ids").EnumerateArray().Select(e => e.GetString()).ToList());
        var outcome = await NotificationOfTypeAsync(reader, "gazouille.report.resolved");
        Assert.Equal(report, outcome.GetProperty("report").Id());
        Assert.Equal("hide", outcome.GetProperty("report").GetProperty("gazouille").Str("action"));
        Assert.DoesNotContain("note RH", outcome.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"mod\"", outcome.GetRawText(), StringComparison.Ordinal);
        // Mastodon clients that filter on types still work.
        Assert.Equal(0, (await reader.GetOkAsync("/api/v1/notifications?types[]=mention")).Count());
        Assert.Equal(0, (await reader.GetOkAsync("/api/v1/notifications?exclude_types[]=gazouille.report.resolved")).Count());

        Assert.Equal(0, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());
        var (_, admin) = await _f.SignedInAsync("root", AccountRole.Admin);
        var audit = await (await admin.GetAsync("/api/v1/gazouille/admin/audit")).Content.ReadAsStringAsync();
        Assert.Contains("report.action", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_suspending_and_warning_each_resolve_the_report_and_are_told()
    {
        var (authorId, author, reader, mod, post, report) = await ReportedAsync();
        await mod.PostOkAsync($"/api/v1/gazouille/admin/reports/{report}/action", new { type = "delete", text = "Contenu supprimé" });
        await (await mod.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();
        var warning = (await NotificationOfTypeAsync(author, "moderation_warning")).GetProperty("moderation_warning");
        Assert.Equal("delete_statuses", warning.Str("action"));
        Assert.Equal("delete", (await NotificationOfTypeAsync(reader, "gazouille.report.resolved")).GetProperty("report").GetProperty("gazouille").Str("action"));

        // Warn through Mastodon's account action, with the report.
        var second = await reader.PostOkAsync("/api/v1/reports", new { account_id = S(authorId), category = "harassment" });
        await mod.PostOkAsync($"/api/v1/admin/accounts/{S(authorId)}/action", new { type = "none", report_id = second.Id(), text = "Restez courtois" });
        var warnings = (await author.GetOkAsync("/api/v1/notifications?types[]=moderation_warning")).EnumerateArray().ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, n => n.GetProperty("moderation_warning").Str("text") == "Restez courtois" && n.GetProperty("moderation_warning").Str("action") == "none");

        // Suspend: the author's token stops working at once.
        var third = await reader.PostOkAsync("/api/v1/reports", new { account_id = S(authorId), category = "leak" });
        var done = await mod.PostOkAsync($"/api/v1/gazouille/admin/reports/{third.Id()}/action", new { type = "suspend", text = "Fuite répétée" });
        Assert.Equal("suspend", done.GetProperty("gazouille").Str("action"));
        await (await author.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(3, (await reader.GetOkAsync("/api/v1/notifications?types[]=gazouille.report.resolved")).Count());
        Assert.Equal(0, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());

        // The compliance dashboard counts them: JSON, CSV and the page.
        var figures = (await mod.GetOkAsync("/api/v1/gazouille/compliance")).GetProperty("reports");
        Assert.Equal(3, figures.Int("filed"));
        Assert.Equal(3, figures.Int("resolved"));
        Assert.Equal(0, figures.Int("open"));
        Assert.Equal(["delete", "suspend", "warn"], figures.GetProperty("by_action").EnumerateArray().Select(c => c.Str("key")).Order(StringComparer.Ordinal).ToList());
        var csv = await (await mod.GetAsync("/api/v1/gazouille/compliance?format=csv")).Content.ReadAsStringAsync();
        Assert.Contains("report,filed,,,,,3\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("report_category,misleading,,,,,1\r\n", csv, StringComparison.Ordinal);
        var page = await (await WebBrowser.SignInAsync(_f, "mod", "fr")).PageAsync("/compliance");
        Assert.Contains("data-action=\"suspend\">1<", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_non_moderators_unknown_reports_and_hostile_reasons()
    {
        var (authorId, author, reader, mod, post, report) = await ReportedAsync();
        var url = $"/api/v1/gazouille/admin/reports/{report}/action";
        await (await reader.PostAsJsonAsync(url, new { type = "hide", text = "x" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await author.PostAsJsonAsync(url, new { type = "hide", text = "x" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await reader.PostAsJsonAsync($"/api/v1/admin/accounts/{S(authorId)}/action", new { type = "suspend", text = "x" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _f.Client().PostAsJsonAsync(url, new { type = "hide", text = "x" })).ErrorAsync(HttpStatusCode.Unauthorized);
        await (await mod.PostAsJsonAsync("/api/v1/gazouille/admin/reports/123456789/action", new { type = "hide", text = "x" })).NotFoundAsync();
        await (await mod.PostAsJsonAsync("/api/v1/gazouille/admin/reports/%3Cscript%3E/action", new { type = "hide", text = "x" })).NotFoundAsync();
        await (await mod.PostAsJsonAsync("/api/v1/admin/accounts/99999999999/action", new { type = "none", text = "x" })).NotFoundAsync();
        foreach (var text in new[] { "", "   ", "\u200B\u200D\u2060", new string('x', 1001), "bell\u0007" })
            await (await mod.PostAsJsonAsync(url, new { type = "hide", text })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var lone = await mod.PostAsync(url, ApiAssert.RawJson("{\"type\":\"hide\",\"text\":\"a\\uD800\"}"));
        Assert.True((int)lone.StatusCode is 400 or 422, $"a lone surrogate answered {lone.StatusCode}");
        await (await mod.PostAsJsonAsync(url, new { type = "ban", text = "x" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await mod.PostAsJsonAsync($"/api/v1/admin/accounts/{S(authorId)}/action", new { type = "silence", text = "x" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        // Nothing happened: the post is still there and the report still open.
        await reader.GetOkAsync($"/api/v1/statuses/{post}");
        Assert.Equal(1, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());

        // Hostile but valid text is kept as text: HTML, right-to-left override.
        var hostile = "<script>alert(1)</script> \u202Eevil\u202C مرحبا";
        await mod.PostOkAsync(url, new { type = "warn", text = hostile });
        Assert.Equal(hostile, (await NotificationOfTypeAsync(author, "moderation_warning")).GetProperty("moderation_warning").Str("text"));
        await (await mod.PostAsJsonAsync(url, new { type = "hide", text = "again" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);

        // A moderator cannot suspend another moderator, nor act on a report about themselves.
        var (mod2Id, _) = await _f.SignedInAsync("mod2", AccountRole.Moderator);
        var aboutMod2 = await reader.PostOkAsync("/api/v1/reports", new { account_id = S(mod2Id) });
        await (await mod.PostAsJsonAsync($"/api/v1/gazouille/admin/reports/{aboutMod2.Id()}/action", new { type = "suspend", text = "x" })).ErrorAsync(HttpStatusCode.Forbidden);
        var mod2 = _f.Client(await _f.TokenAsync(mod2Id));
        await (await mod2.PostAsJsonAsync($"/api/v1/gazouille/admin/reports/{aboutMod2.Id()}/action", new { type = "warn", text = "x" })).ErrorAsync(HttpStatusCode.Forbidden);
        // Hiding needs a reported post.
        await (await mod.PostAsJsonAsync($"/api/v1/gazouille/admin/reports/{aboutMod2.Id()}/action", new { type = "hide", text = "x" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Readers_report_a_post_or_a_profile_from_the_web_app_with_or_without_javascript()
    {
        var (_, author) = await _f.SignedInAsync("author");
        await _f.CreateUserAsync("reader");
        await _f.CreateUserAsync("mod", AccountRole.Moderator);
        var post = (await author.PostStatusAsync("Le client X nous lâche", "company")).Id();
        var secret = (await author.PostStatusAsync("@author seul", "direct")).Id();
        var browser = await WebBrowser.SignInAsync(_f, "reader", "fr");

        // The link under the post, and on the profile; never under one's own posts.
        var thread = await browser.PageAsync($"/@author/{post}");
        Assert.Contains($"href=\"/report?status={post}\"", thread, StringComparison.Ordinal);
        Assert.Contains(">Signaler<", thread, StringComparison.Ordinal);
        Assert.Contains("href=\"/report?account=author\"", await browser.PageAsync("/@author"), StringComparison.Ordinal);
        var own = await WebBrowser.SignInAsync(_f, "author");
        Assert.DoesNotContain("/report?status=", await own.PageAsync($"/@author/{post}"), StringComparison.Ordinal);
        await own.PageAsync($"/report?status={post}", HttpStatusCode.NotFound);

        // Without JavaScript: a page, then the thanks. Hostile comments are kept as text.
        var page = await browser.PageAsync($"/report?status={post}");
        Assert.Contains("Pourquoi signalez-vous @author ?", System.Net.WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        var sent = await browser.SubmitAsync($"/report?status={post}", $"/report?status={post}", ("category", "leak"), ("comment", "<img src=x onerror=alert(1)> \u202Eabc"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains("Merci", await sent.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // With htmx: the form and the answer are fragments (no layout).
        var fragment = await browser.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/report?account=author") { Headers = { { "HX-Request", "true" } } });
        var fragmentHtml = await fragment.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragmentHtml, StringComparison.Ordinal);
        Assert.Contains("id=\"report-slot-profile\"", fragmentHtml, StringComparison.Ordinal);
        var viaHtmx = await browser.SubmitWithHtmxAsync("/report?account=author", "/report?account=author", ("category", "harassment"), ("comment", ""));
        var answer = await viaHtmx.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", answer, StringComparison.Ordinal);
        Assert.Contains("Merci", answer, StringComparison.Ordinal);

        // Refused: a bad category (422 with the form again), what the reader cannot see or what does not exist (404).
        var bad = await browser.SubmitAsync($"/report?status={post}", $"/report?status={post}", ("category", "'; DROP TABLE x"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        await browser.PageAsync($"/report?status={secret}", HttpStatusCode.NotFound);
        await browser.PageAsync("/report?status=99999999999", HttpStatusCode.NotFound);
        await browser.PageAsync("/report?account=nobody", HttpStatusCode.NotFound);
        await browser.PageAsync("/report", HttpStatusCode.NotFound);
        // Without the anti-forgery token, nothing is filed.
        var forged = await browser.Http.PostAsync($"/report?status={post}", new FormUrlEncodedContent([KeyValuePair.Create("category", "leak")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var mod = await WebBrowser.SignInAsync(_f, "mod");
        var list = await mod.PageAsync("/moderation/reports");
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", list, StringComparison.Ordinal);
        Assert.Equal(2, HtmlForms.Parse(list).QuerySelectorAll("form.report-actions").Length);
    }

    [Fact]
    public async Task Moderators_act_from_the_reports_page_and_both_people_read_the_outcome_in_their_language()
    {
        var (_, _, _, _, post, report) = await ReportedAsync("Un post à masquer");
        var mod = await WebBrowser.SignInAsync(_f, "mod", "fr");
        var page = await mod.PageAsync("/moderation/reports");
        Assert.Contains("Masquer les posts", page, StringComparison.Ordinal);

        // An empty (or invisible) reason is refused in French, and nothing happens.
        var empty = await mod.SubmitAsync("/moderation/reports", "/moderation/reports?handler=act", ("id", report), ("type", "hide"), ("reason", "\u200B "));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("role=\"alert\"", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var employee = await WebBrowser.SignInAsync(_f, "reader");
        var refused = await employee.Http.PostAsync("/moderation/reports?handler=act", new FormUrlEncodedContent([KeyValuePair.Create("id", report), KeyValuePair.Create("type", "hide")]));
        Assert.True(refused.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, refused.StatusCode.ToString());
        await employee.PageAsync($"/@author/{post}");

        var done = await mod.SubmitAsync("/moderation/reports", "/moderation/reports?handler=act", ("id", report), ("type", "hide"), ("reason", "<b>Faux</b> chiffres"));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Contains("Posts masqués", System.Net.WebUtility.HtmlDecode(await mod.PageAsync("/moderation/reports")), StringComparison.Ordinal);
        await employee.PageAsync($"/@author/{post}", HttpStatusCode.NotFound);

        var author = await WebBrowser.SignInAsync(_f, "author", "fr");
        var own = System.Net.WebUtility.HtmlDecode(await author.PageAsync($"/@author/{post}"));
        Assert.Contains("Masqué par un modérateur", own, StringComparison.Ordinal);
        var authorNotes = await author.PageAsync("/notifications");
        Assert.Contains("&lt;b&gt;Faux&lt;/b&gt; chiffres", authorNotes, StringComparison.Ordinal);
        Assert.Contains("Un modérateur a masqué vos posts", System.Net.WebUtility.HtmlDecode(authorNotes), StringComparison.Ordinal);
        var reader = System.Net.WebUtility.HtmlDecode(await employee.PageAsync("/notifications"));
        Assert.Contains("Your report about @author: the posts were hidden.", reader, StringComparison.Ordinal);
        Assert.DoesNotContain("Faux", reader, StringComparison.Ordinal);
        Assert.Contains("Outcome: ", System.Net.WebUtility.HtmlDecode(await (await WebBrowser.SignInAsync(_f, "mod")).PageAsync("/moderation/reports?resolved=true")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_moderator_shows_hidden_posts_again_and_they_return_to_timelines_and_streams()
    {
        var (_, author, reader, mod, post, report) = await ReportedAsync("Un message masqué à tort");
        var (_, other) = await _f.SignedInAsync("other");
        var boost = (await other.PostOkAsync($"/api/v1/statuses/{post}/reblog")).Id();
        await mod.PostOkAsync($"/api/v1/gazouille/admin/reports/{report}/action", new { type = "hide", text = "Vérification en cours" });
        await (await reader.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();
        var listed = Assert.Single((await mod.GetOkAsync("/api/v1/admin/reports?resolved=true")).EnumerateArray());
        Assert.Equal([post], listed.GetProperty("gazouille").GetProperty("hidden_status_ids").EnumerateArray().Select(e => e.GetString()).ToList());
        // The reporter's view of the report never lists hidden posts for moderators.
        Assert.False((await NotificationOfTypeAsync(reader, "gazouille.report.resolved")).GetProperty("report").GetProperty("gazouille").TryGetProperty("hidden_status_ids", out _));

        // Refusals: people who are not moderators, unknown and hostile report ids; nothing changes.
        await (await reader.PostAsync($"/api/v1/gazouille/admin/reports/{report}/unhide", null)).ErrorAsync(HttpStatusCode.Forbidden);
        await (await author.PostAsync($"/api/v1/gazouille/admin/reports/{report}/unhide", null)).ErrorAsync(HttpStatusCode.Forbidden);
        await (await mod.PostAsync("/api/v1/gazouille/admin/reports/999999999/unhide", null)).NotFoundAsync();
        await (await mod.PostAsync("/api/v1/gazouille/admin/reports/%3Cscript%3E/unhide", null)).NotFoundAsync();
        await (await reader.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();

        await using var stream = await SseStream.OpenAsync(reader, "/api/v1/streaming/company");
        var shown = await mod.PostOkAsync($"/api/v1/gazouille/admin/reports/{report}/unhide");
        Assert.Empty(shown.GetProperty("gazouille").GetProperty("hidden_status_ids").EnumerateArray());
        var e = (await stream.NextAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("update", e.Event);
        Assert.Contains(e.Json.Id(), new[] { post, boost });

        // Back for every reader, in timelines, with its boost; the author may edit it again.
        await reader.GetOkAsync($"/api/v1/statuses/{post}");
        var home = await other.GetOkAsync("/api/v1/timelines/home");
        Assert.Contains(home.EnumerateArray(), s => s.Id() == boost);
        Assert.Contains("Un message masqué à tort", await (await reader.GetAsync("/api/v1/timelines/company")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("published", (await author.GetOkAsync($"/api/v1/statuses/{post}")).GetProperty("leak_guard").Str("state"));
        Assert.Equal(HttpStatusCode.OK, (await author.PutAsJsonAsync($"/api/v1/statuses/{post}", new { status = "corrigé" })).StatusCode);

        // Nothing is hidden any more: a second undo is refused with a reason, and the undo is audited.
        Assert.Contains("hidden", await (await mod.PostAsync($"/api/v1/gazouille/admin/reports/{report}/unhide", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity), StringComparison.Ordinal);
        var (_, admin) = await _f.SignedInAsync("root", AccountRole.Admin);
        Assert.Contains("report.unhide", await (await admin.GetAsync("/api/v1/gazouille/admin/audit")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reports_page_shows_hidden_posts_again_in_french()
    {
        var (_, _, _, _, post, report) = await ReportedAsync("Un post à rétablir");
        var mod = await WebBrowser.SignInAsync(_f, "mod", "fr");
        await mod.SubmitAsync("/moderation/reports", "/moderation/reports?handler=act", ("id", report), ("type", "hide"), ("reason", "À vérifier"));
        var employee = await WebBrowser.SignInAsync(_f, "reader");
        await employee.PageAsync($"/@author/{post}", HttpStatusCode.NotFound);
        var resolved = System.Net.WebUtility.HtmlDecode(await mod.PageAsync("/moderation/reports?resolved=true"));
        Assert.Contains("Afficher de nouveau les posts masqués", resolved, StringComparison.Ordinal);
        Assert.DoesNotContain("Show the hidden posts again", System.Net.WebUtility.HtmlDecode(await employee.PageAsync("/")), StringComparison.Ordinal);

        var done = await mod.SubmitAsync("/moderation/reports?resolved=true", "/moderation/reports?handler=unhide", ("id", report));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var after = System.Net.WebUtility.HtmlDecode(await mod.PageAsync(done.Headers.Location!.OriginalString));
        Assert.Contains("Posts de nouveau visibles", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Afficher de nouveau les posts masqués", after, StringComparison.Ordinal);
        Assert.Contains("Un post à rétablir", await employee.PageAsync($"/@author/{post}"), StringComparison.Ordinal);
        // Again: nothing is hidden, the page says so in French.
        var again = await mod.SendFormAsync("/moderation/reports?resolved=true", "/moderation/reports?handler=reopen", "/moderation/reports?handler=unhide", false, ("id", report));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("ucun post de ce signalement n'est masqué", System.Net.WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }
}
