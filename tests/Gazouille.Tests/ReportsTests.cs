using System.Net;
using System.Net.Http.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>Reports: Mastodon's POST /api/v1/reports within what the reporter can see, and the moderators' review.</summary>
public sealed class ReportsTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task A_report_reaches_the_moderators_who_resolve_it_and_everything_is_audited()
    {
        var (authorId, author) = await _f.SignedInAsync("author");
        var (_, reader) = await _f.SignedInAsync("reader");
        var (_, mod) = await _f.SignedInAsync("mod", AccountRole.Moderator);
        var post = (await author.PostStatusAsync("Nos chiffres du trimestre sont en ligne", "company")).Id();

        var report = await reader.PostOkAsync("/api/v1/reports", new Dictionary<string, object>
        {
            ["account_id"] = authorId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["status_ids"] = new[] { post },
            ["comment"] = "<script>alert(1)</script> fuite ?", ["category"] = "leak",
        });
        Assert.Equal("leak", report.Str("category"));
        Assert.False(report.GetProperty("action_taken").GetBoolean());
        Assert.Equal([post], report.GetProperty("status_ids").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.Equal("author", report.GetProperty("target_account").Str("username"));

        // Only moderators review.
        await (await reader.GetAsync("/api/v1/admin/reports")).ErrorAsync(HttpStatusCode.Forbidden);
        var open = await mod.GetOkAsync("/api/v1/admin/reports");
        var listed = Assert.Single(open.EnumerateArray());
        Assert.Equal(report.Id(), listed.Id());
        Assert.Equal("reader", listed.GetProperty("account").Str("username"));
        Assert.Equal(post, Assert.Single(listed.GetProperty("statuses").EnumerateArray()).Id());
        Assert.Equal("<script>alert(1)</script> fuite ?", listed.Str("comment"));

        var resolved = await mod.PostOkAsync($"/api/v1/admin/reports/{report.Id()}/resolve");
        Assert.True(resolved.GetProperty("action_taken").GetBoolean());
        Assert.Equal("mod", resolved.GetProperty("action_taken_by_account").Str("username"));
        Assert.Equal(0, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());
        Assert.Equal(1, (await mod.GetOkAsync("/api/v1/admin/reports?resolved=true")).Count());
        await mod.PostOkAsync($"/api/v1/admin/reports/{report.Id()}/reopen");
        Assert.Equal(1, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());

        var (_, admin) = await _f.SignedInAsync("root", AccountRole.Admin);
        var audit = await (await admin.GetAsync("/api/v1/gazouille/admin/audit")).Content.ReadAsStringAsync();
        Assert.Contains("report.create", audit, StringComparison.Ordinal);
        Assert.Contains("report.resolve", audit, StringComparison.Ordinal);
        Assert.Contains("report.reopen", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reporter_cannot_report_what_it_cannot_see_and_gets_the_same_404_as_for_nothing()
    {
        var (authorId, author) = await _f.SignedInAsync("author");
        var (otherId, _) = await _f.SignedInAsync("other");
        await _f.CreatePartnerAsync("acme");
        await _f.CreateTeamAsync("ops", "author");
        await _f.GrantAsync("ops", "acme");
        var (guestId, guest) = await _f.SignedInAsync("guest", partner: "acme");
        var internalPost = (await author.PostStatusAsync("internal only", "company")).Id();
        var shared = (await author.PostStatusAsync("shared with acme", "partners:ops")).Id();
        var author2 = authorId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        async Task<string> NotFound(object body)
        {
            var r = await guest.PostAsJsonAsync("/api/v1/reports", body);
            return await r.ErrorAsync(HttpStatusCode.NotFound);
        }
        var nothing = await NotFound(new { account_id = "999999999999" });
        // A post the guest cannot read, a post of someone else, an account outside its directory (I5): all "not found".
        Assert.Equal(nothing, await NotFound(new { account_id = author2, status_ids = new[] { internalPost } }));
        Assert.Equal(nothing, await NotFound(new { account_id = otherId.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Equal(nothing, await NotFound(new { account_id = author2, status_ids = new[] { "99999999999" } }));
        Assert.Equal(nothing, await NotFound(new { account_id = "<script>" }));
        Assert.Equal(nothing, await NotFound(new { account_id = author2, status_ids = new[] { "1 OR 1=1" } }));

        // What it can see, it may report.
        var ok = await guest.PostOkAsync("/api/v1/reports", new Dictionary<string, object> { ["account_id"] = author2, ["status_ids"] = new[] { shared }, ["category"] = "misleading" });
        Assert.Equal("misleading", ok.Str("category"));
        var (_, mod) = await _f.SignedInAsync("mod", AccountRole.Moderator);
        Assert.Equal(1, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());
        Assert.NotEqual(0, guestId);
    }

    [Fact]
    public async Task Hostile_reports_are_refused_with_a_clear_422_and_nothing_saved()
    {
        var (authorId, _) = await _f.SignedInAsync("author");
        var (meId, me) = await _f.SignedInAsync("me");
        var target = authorId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await (await me.PostAsJsonAsync("/api/v1/reports", new { account_id = target, category = "'; DROP TABLE \"Reports\"; --" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await me.PostAsJsonAsync("/api/v1/reports", new { account_id = target, comment = new string('x', 1001) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await me.PostAsJsonAsync("/api/v1/reports", new { account_id = target, comment = "bell\u0007" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await me.PostAsJsonAsync("/api/v1/reports", new { account_id = target, status_ids = Enumerable.Range(1, 21).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)) }))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await me.PostAsJsonAsync("/api/v1/reports", new { account_id = meId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _f.Client().PostAsJsonAsync("/api/v1/reports", new { account_id = target })).ErrorAsync(HttpStatusCode.Unauthorized);
        var (_, mod) = await _f.SignedInAsync("mod", AccountRole.Moderator);
        Assert.Equal(0, (await mod.GetOkAsync("/api/v1/admin/reports")).Count());
        await (await mod.PostAsync("/api/v1/admin/reports/%3Cx%3E/resolve", null)).NotFoundAsync();
        await (await mod.GetAsync("/api/v1/admin/reports/123456789")).NotFoundAsync();
    }

    [Fact]
    public async Task The_moderation_area_lists_reports_in_french_and_resolves_them()
    {
        var (authorId, author) = await _f.SignedInAsync("author");
        var (_, reader) = await _f.SignedInAsync("reader");
        await _f.CreateUserAsync("mod", AccountRole.Moderator);
        var post = (await author.PostStatusAsync("Un message discutable", "company")).Id();
        await reader.PostOkAsync("/api/v1/reports", new Dictionary<string, object>
        {
            ["account_id"] = authorId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["status_ids"] = new[] { post }, ["category"] = "harassment",
            ["comment"] = "<b>pas bien</b>",
        });
        var employee = await WebBrowser.SignInAsync(_f, "reader");
        await employee.PageAsync("/moderation/reports", HttpStatusCode.NotFound);

        var browser = await WebBrowser.SignInAsync(_f, "mod", "fr");
        var html = await browser.PageAsync("/moderation/reports");
        Assert.Contains("Harcèlement", html, StringComparison.Ordinal);
        Assert.Contains("Un message discutable", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;pas bien&lt;/b&gt;", html, StringComparison.Ordinal);
        var id = HtmlForms.HiddenFields(html, "/moderation/reports?handler=resolve").First(f => f.Key == "id").Value;
        var done = await browser.SubmitAsync("/moderation/reports", "/moderation/reports?handler=resolve", ("id", id));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Contains("Aucun signalement", await browser.PageAsync("/moderation/reports"), StringComparison.Ordinal);
        Assert.Contains("Un message discutable", await browser.PageAsync("/moderation/reports?resolved=true"), StringComparison.Ordinal);
    }
}
