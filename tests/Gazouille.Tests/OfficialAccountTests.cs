using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>Official accounts and teams, verified partner organizations: marked by administrators, shown wherever an account appears.</summary>
public sealed class OfficialAccountTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private Task<JsonElement> MarkAsync(string username, bool remove = false) =>
        _w.Root.PostOkAsync("/api/v1/gazouille/admin/verify_account", new { username, remove });

    [Fact]
    public async Task An_admin_marks_an_employee_a_team_or_a_guests_org_and_the_api_shows_it_in_mastodons_account_shape()
    {
        var post = await _w.Alice.PostStatusAsync("Bienvenue sur Gazouille", "company");
        Assert.False((await _w.Bob.GetOkAsync($"/api/v1/accounts/{_w.AliceId}")).GetProperty("gazouille").GetProperty("official").GetBoolean());

        var marked = await MarkAsync("alice");
        Assert.Equal("account", marked.Str("kind"));
        Assert.True(marked.GetProperty("marked").GetBoolean());
        var alice = await _w.Bob.GetOkAsync($"/api/v1/accounts/{_w.AliceId}");
        Assert.True(alice.GetProperty("gazouille").GetProperty("official").GetBoolean());
        Assert.Equal("alice", alice.Str("username"));
        Assert.Equal(JsonValueKind.Array, alice.GetProperty("fields").ValueKind);
        var status = await _w.Bob.GetOkAsync($"/api/v1/statuses/{post.Id()}");
        Assert.True(status.GetProperty("account").GetProperty("gazouille").GetProperty("official").GetBoolean());

        // A guest speaks for its organization: verifying gina verifies acme, not gina alone.
        var org = await MarkAsync("gina");
        Assert.Equal("partner", org.Str("kind"));
        Assert.Equal("acme", org.Str("handle"));
        var gina = (await _w.Alice.GetOkAsync($"/api/v1/accounts/{_w.GinaId}")).GetProperty("gazouille");
        Assert.False(gina.GetProperty("official").GetBoolean());
        Assert.True(gina.GetProperty("partner").GetProperty("verified").GetBoolean());

        Assert.Equal("team", (await MarkAsync("ops")).Str("kind"));
        Assert.True((await _w.Bob.GetOkAsync("/api/v1/gazouille/teams/ops")).GetProperty("official").GetBoolean());

        Assert.False((await MarkAsync("alice", remove: true)).GetProperty("marked").GetBoolean());
        Assert.False((await _w.Bob.GetOkAsync($"/api/v1/accounts/{_w.AliceId}")).GetProperty("gazouille").GetProperty("official").GetBoolean());

        await (await _w.Alice.PostAsJsonAsync("/api/v1/gazouille/admin/verify_account", new { username = "alice" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _w.Mod.PostAsJsonAsync("/api/v1/gazouille/admin/partners/acme/verify", new { })).ErrorAsync(HttpStatusCode.Forbidden);
        Assert.Contains("nobody", await (await _w.Root.PostAsJsonAsync("/api/v1/gazouille/admin/verify_account", new { username = "nobody" })).ErrorAsync(HttpStatusCode.NotFound), StringComparison.Ordinal);
        await (await _w.Root.PostAsJsonAsync("/api/v1/gazouille/admin/verify_account", new { })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.False((await _w.Root.PostOkAsync("/api/v1/gazouille/admin/partners/acme/verify", new { remove = true })).GetProperty("marked").GetBoolean());

        var audit = await _w.AuditAsync();
        Assert.Contains(audit, e => e.Action == "trust.official" && e.Actor == "@root");
        Assert.Contains(audit, e => e.Action == "trust.verify_partner" && e.Subject == "partner:acme");
        Assert.Contains(audit, e => e.Action == "trust.unofficial");
    }

    [Fact]
    public async Task Badges_say_official_or_verified_partner_in_words_on_posts_profiles_teams_and_suggestions_in_both_languages()
    {
        var post = await _w.Alice.PostStatusAsync("Annonce officielle", "company");
        await MarkAsync("alice");
        await MarkAsync("gina");
        await MarkAsync("ops");
        await _w.Bob.PostStatusAsync("Rien d'officiel ici", "company");

        var bob = await WebBrowser.SignInAsync(_w.Factory, "bob");
        var thread = await bob.PageAsync($"/@alice/{post.Id()}");
        Assert.Contains("badge trust official", thread, StringComparison.Ordinal);
        Assert.Contains("</span> Official</span>", thread, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(thread, "badge trust official"));
        Assert.Contains("Official account, confirmed by the administrators", thread, StringComparison.Ordinal);

        Assert.Contains("badge trust official", await bob.PageAsync("/@alice"), StringComparison.Ordinal);
        Assert.DoesNotContain("badge trust", await bob.PageAsync("/@bob"), StringComparison.Ordinal);
        var team = await bob.PageAsync("/teams/ops");
        Assert.Contains("Official team, confirmed by the administrators", team, StringComparison.Ordinal);
        Assert.Contains("Verified partner", await bob.PageAsync("/@gina"), StringComparison.Ordinal);

        var french = await WebBrowser.SignInAsync(_w.Factory, "carol", "fr");
        Assert.Contains("Officiel", await french.PageAsync("/@alice"), StringComparison.Ordinal);
        Assert.Contains("Partenaire vérifié", await french.PageAsync("/@gina"), StringComparison.Ordinal);

        var suggestions = await bob.Http.GetStringAsync("/web/autocomplete?q=%40ali");
        Assert.Contains("(@alice) · Official", suggestions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_page_marks_people_teams_and_partner_organizations()
    {
        var root = await WebBrowser.SignInAsync(_w.Factory, "root");
        var done = await root.SubmitAsync("/admin", "/admin?handler=official", ("username", "carol"), ("remove", "false"));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var carolId = await _w.Factory.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<Data.GazouilleDb>().Users.Single(a => a.UserName == "carol").Id));
        Assert.True((await _w.Bob.GetOkAsync($"/api/v1/accounts/{carolId}")).GetProperty("gazouille").GetProperty("official").GetBoolean());

        await root.SubmitAsync("/admin", "/admin?handler=verifyPartner", ("handle", "acme"), ("remove", "false"));
        Assert.True((await _w.Alice.GetOkAsync($"/api/v1/accounts/{_w.GinaId}")).GetProperty("gazouille").GetProperty("partner").GetProperty("verified").GetBoolean());
        var page = await root.PageAsync("/admin");
        Assert.Contains("Remove the verification", page, StringComparison.Ordinal);
        Assert.Contains("Remove the official mark", page, StringComparison.Ordinal);

        var notAdmin = await WebBrowser.SignInAsync(_w.Factory, "bob");
        await notAdmin.PageAsync("/admin", HttpStatusCode.NotFound);
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
