using System.Net;
using System.Net.Http.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// The partner part of the admin area through HTTP, as a browser without JavaScript: organizations, grants and the access
/// review, invitations; who may open what (employees and guests get the 404 of a page that does not exist), hostile input.
/// </summary>
public sealed class WebPartnersTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        await _f.CreateUserAsync("root", AccountRole.Admin);
        await _f.CreateUserAsync("lea");
        await _f.CreateUserAsync("emile");
        await _f.CreateTeamAsync("design", "lea", "emile");
        await _f.CreateTeamAsync("finance", "emile");
        await Db(async db =>
        {
            var lea = await db.Users.Where(a => a.UserName == "lea").Select(a => a.Id).FirstAsync();
            var design = await db.Teams.Where(t => t.Handle == "design").Select(t => t.Id).FirstAsync();
            return await db.TeamMembers.Where(m => m.AccountId == lea && m.TeamId == design).ExecuteUpdateAsync(u => u.SetProperty(m => m.IsLead, true));
        });
        await _f.CreatePartnerAsync("acme");
        await _f.CreatePartnerAsync("globex");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private Task<T> Db<T>(Func<GazouilleDb, Task<T>> work) => _f.WithScopeAsync(sp => work(sp.GetRequiredService<GazouilleDb>()));

    private static async Task<string> BodyAsync(HttpResponseMessage r) => await r.Content.ReadAsStringAsync();

    [Theory]
    [InlineData("/admin/partners")]
    [InlineData("/admin/partners/acme")]
    [InlineData("/admin/access")]
    [InlineData("/admin/access?handler=csv")]
    [InlineData("/admin/invitations")]
    public async Task Employees_and_guests_get_the_404_of_a_missing_page_and_strangers_what_admin_gives_them(string url)
    {
        await _f.CreateUserAsync("ann", partner: "acme");
        await _f.GrantAsync("design", "acme");
        var missing = await (await WebBrowser.SignInAsync(_f, "emile")).PageAsync("/admin/no-such-page", HttpStatusCode.NotFound);
        Assert.Equal(missing, await (await WebBrowser.SignInAsync(_f, "emile")).PageAsync(url, HttpStatusCode.NotFound));
        await (await WebBrowser.SignInAsync(_f, "ann")).PageAsync(url, HttpStatusCode.NotFound);
        var anonymousAdmin = await WebBrowser.Anonymous(_f).Http.GetAsync("/admin");
        var anonymous = await WebBrowser.Anonymous(_f).Http.GetAsync(url);
        Assert.Equal(anonymousAdmin.StatusCode, anonymous.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        // Forms posted anyway change nothing.
        var emile = await WebBrowser.SignInAsync(_f, "emile");
        var sneaky = await emile.Http.PostAsync("/admin/access?handler=grant", new FormUrlEncodedContent([new("team", "finance"), new("partner", "globex")]));
        Assert.NotEqual(HttpStatusCode.Redirect, sneaky.StatusCode);
        Assert.False(await Db(db => db.PartnerGrants.AnyAsync(g => g.PartnerOrg!.Handle == "globex")));
    }

    [Fact]
    public async Task Team_leads_open_access_and_invitations_but_not_the_organizations()
    {
        var lea = await WebBrowser.SignInAsync(_f, "lea");
        await lea.PageAsync("/admin/partners", HttpStatusCode.NotFound);
        await lea.PageAsync("/admin/partners/acme", HttpStatusCode.NotFound);
        Assert.Contains("No partner organization can read anything.", await lea.PageAsync("/admin/access"), StringComparison.Ordinal);
        Assert.Contains("No invitation yet.", await lea.PageAsync("/admin/invitations"), StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/access\"", await lea.PageAsync("/teams/design"), StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/access\"", await (await WebBrowser.SignInAsync(_f, "emile")).PageAsync("/teams/design"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_creates_an_organization_edits_its_domains_and_verifies_it_and_hostile_input_saves_nothing()
    {
        var root = await WebBrowser.SignInAsync(_f, "root");
        var created = await root.SubmitAsync("/admin/partners", "/admin/partners?handler=create", ("handle", "Nordlys"), ("name", "Nordlys <Studio>"), ("domains", "nordlys.example, NORDLYS.no"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var list = await root.PageAsync("/admin/partners");
        Assert.Contains("Nordlys &lt;Studio&gt;", list, StringComparison.Ordinal);
        Assert.Contains("nordlys.example, nordlys.no", list, StringComparison.Ordinal);
        Assert.Contains("Partner organization created.", list, StringComparison.Ordinal);

        foreach (var (handle, name, domains) in new[] { ("<b>x</b>", "X", ""), ("ok", "", ""), ("ok", "Ok", "evil@x.example"), ("ok", "Ok", "not a domain!"), ("nordlys", "Again", ""), ("ok", new string('n', 500), "") })
        {
            var bad = await root.SubmitAsync("/admin/partners", "/admin/partners?handler=create", ("handle", handle), ("name", name), ("domains", domains));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
            var html = HtmlForms.Parse(await BodyAsync(bad));
            Assert.NotNull(html.QuerySelector("[role=alert]"));
            Assert.Equal(handle, html.QuerySelector("#org-handle")!.GetAttribute("value"));
        }
        Assert.Equal(3, await Db(db => db.PartnerOrgs.CountAsync()));

        var edit = await root.SubmitAsync("/admin/partners/nordlys", "/admin/partners/nordlys?handler=domains", ("domains", "nordlys.example\nstudio.example"));
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        Assert.Equal("nordlys.example,studio.example", await Db(db => db.PartnerOrgs.Where(o => o.Handle == "nordlys").Select(o => o.Domains).FirstAsync()));
        var badEdit = await root.SubmitAsync("/admin/partners/nordlys", "/admin/partners/nordlys?handler=domains", ("domains", "<script>alert(1)</script>"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badEdit.StatusCode);
        Assert.Contains("&lt;script&gt;", await BodyAsync(badEdit), StringComparison.Ordinal);
        Assert.Equal("nordlys.example,studio.example", await Db(db => db.PartnerOrgs.Where(o => o.Handle == "nordlys").Select(o => o.Domains).FirstAsync()));

        Assert.Contains("Not verified", await root.PageAsync("/admin/partners/nordlys"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin/partners/nordlys", "/admin/partners/nordlys?handler=verify")).StatusCode);
        Assert.Contains("badge trust verified", await root.PageAsync("/admin/partners/nordlys"), StringComparison.Ordinal);
        Assert.Contains("badge trust verified", await root.PageAsync("/admin/partners"), StringComparison.Ordinal);
        await root.PageAsync("/admin/partners/nobody", HttpStatusCode.NotFound);
        await root.PageAsync("/admin/partners/" + new string('x', 300), HttpStatusCode.NotFound);
        Assert.Contains(await Db(db => db.AuditEntries.Select(e => e.Action).ToListAsync()), a => a == "partner.domains");

        // The same change through the admin API, which the page shares its rules with.
        var (_, api) = await _f.SignedInAsync("root2", AccountRole.Admin);
        var put = await api.PutAsJsonAsync("/api/v1/gazouille/admin/partners/nordlys/domains", new { domains = new[] { "one.example" } });
        Assert.Equal(new[] { "one.example" }, (await put.OkJsonAsync()).GetProperty("domains").EnumerateArray().Select(d => d.GetString()).ToArray());
        await (await api.PutAsJsonAsync("/api/v1/gazouille/admin/partners/nordlys/domains", new { domains = new[] { "a@b" } })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await api.PutAsJsonAsync("/api/v1/gazouille/admin/partners/nobody/domains", new { domains = new[] { "a.example" } })).NotFoundAsync();
    }

    [Fact]
    public async Task The_organizations_list_pages_by_fifty()
    {
        await Db(async db =>
        {
            for (var i = 0; i < 60; i++)
                db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = $"org{i:00}", Name = $"Org {i:00}", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        var root = await WebBrowser.SignInAsync(_f, "root");
        var first = HtmlForms.Parse(await root.PageAsync("/admin/partners"));
        Assert.Equal(50, first.QuerySelectorAll("tbody tr").Length);
        var next = first.QuerySelector("p.more a")!.GetAttribute("href")!;
        var second = HtmlForms.Parse(await root.PageAsync(next));
        Assert.Equal(12, second.QuerySelectorAll("tbody tr").Length);
        Assert.Null(second.QuerySelector("p.more a"));
        await root.PageAsync("/admin/partners?after=%27%3B--%20DROP");
    }

    [Fact]
    public async Task Granting_in_the_web_admin_shows_in_the_review_and_the_csv_and_revoking_ends_the_guests_reading_at_once()
    {
        await _f.CreateUserAsync("ann", partner: "acme");
        var (_, annApi) = (0, _f.Client(await _f.TokenAsync(await Db(db => db.Users.Where(a => a.UserName == "ann").Select(a => a.Id).FirstAsync()))));
        var root = await WebBrowser.SignInAsync(_f, "root");
        var granted = await root.SubmitAsync("/admin/access", "/admin/access?handler=grant", ("team", "design"), ("partner", "acme"), ("rights", "read"),
            ("expires", DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd")));
        Assert.Equal(HttpStatusCode.Redirect, granted.StatusCode);
        var review = HtmlForms.Parse(await root.PageAsync("/admin/access"));
        var row = review.QuerySelector("tbody tr")!;
        Assert.Contains("ACME", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("@root", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Read", row.TextContent, StringComparison.Ordinal);
        var csv = await root.Http.GetAsync("/admin/access?handler=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var csvText = await BodyAsync(csv);
        Assert.Contains("\"design\",\"acme\",\"ACME\",\"read\"", csvText, StringComparison.Ordinal);
        Assert.Contains("\"root\"", csvText, StringComparison.Ordinal);

        // The guest now follows the channel and reads it.
        var (_, emileApi) = (0, _f.Client(await _f.TokenAsync(await Db(db => db.Users.Where(a => a.UserName == "emile").Select(a => a.Id).FirstAsync()))));
        await emileApi.PostStatusAsync("for partners", audience: "partners:design");
        Assert.Single((await annApi.GetOkAsync("/api/v1/timelines/home")).EnumerateArray());

        foreach (var (team, partner, rights, expires) in new[] { ("nope", "acme", "read", ""), ("design", "nope", "read", ""), ("design", "acme", "admin", ""), ("design", "acme", "read", "2001-01-01"), ("design", "acme", "read", "tomorrow<script>") })
        {
            var bad = await root.SubmitAsync("/admin/access", "/admin/access?handler=grant", ("team", team), ("partner", partner), ("rights", rights), ("expires", expires));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
            Assert.NotNull(HtmlForms.Parse(await BodyAsync(bad)).QuerySelector("[role=alert]"));
        }
        Assert.Equal(1, await Db(db => db.PartnerGrants.CountAsync()));

        var grantId = row.QuerySelector("input[name=id]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.NotFound, (await root.SubmitAsync("/admin/access", "/admin/access?handler=revoke", ("id", "12345"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await root.SubmitAsync("/admin/access", "/admin/access?handler=revoke", ("id", "'; DROP TABLE x"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin/access", "/admin/access?handler=revoke", ("id", grantId))).StatusCode);
        Assert.Empty((await annApi.GetOkAsync("/api/v1/timelines/home")).EnumerateArray());
        Assert.Contains("No partner organization can read anything.", await root.PageAsync("/admin/access"), StringComparison.Ordinal);
        // No revoke button is left; the antiforgery field of the grant form carries a replayed revocation.
        Assert.Equal(HttpStatusCode.NotFound, (await root.SendFormAsync("/admin/access", "/admin/access?handler=grant", "/admin/access?handler=revoke", false, ("id", grantId))).StatusCode);
        var actions = await Db(db => db.AuditEntries.Select(e => e.Action).ToListAsync());
        Assert.Contains("partner.grant", actions);
        Assert.Contains("partner.revoke", actions);
    }

    [Fact]
    public async Task A_lead_reviews_grants_and_revokes_only_for_the_teams_they_lead()
    {
        await _f.GrantAsync("design", "acme");
        await _f.GrantAsync("finance", "globex");
        var lea = await WebBrowser.SignInAsync(_f, "lea");
        var review = HtmlForms.Parse(await lea.PageAsync("/admin/access"));
        Assert.Single(review.QuerySelectorAll("tbody tr"));
        Assert.DoesNotContain("GLOBEX", review.QuerySelector("table")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["design"], review.QuerySelectorAll("#grant-team option").Select(o => o.GetAttribute("value")).ToArray());
        Assert.DoesNotContain("globex", await BodyAsync(await lea.Http.GetAsync("/admin/access?handler=csv")), StringComparison.Ordinal);

        var forbidden = await lea.SubmitAsync("/admin/access", "/admin/access?handler=grant", ("team", "finance"), ("partner", "acme"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("Only administrators and the team&#x27;s leads can do this", await BodyAsync(forbidden), StringComparison.Ordinal);
        var financeGrant = await Db(db => db.PartnerGrants.Where(g => g.Team!.Handle == "finance").Select(g => g.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await lea.SubmitAsync("/admin/access", "/admin/access?handler=revoke", ("id", financeGrant.ToString()))).StatusCode);
        Assert.Null(await Db(db => db.PartnerGrants.Where(g => g.Id == financeGrant).Select(g => g.RevokedAt).FirstAsync()));

        Assert.Equal(HttpStatusCode.Redirect, (await lea.SubmitAsync("/admin/access", "/admin/access?handler=grant", ("team", "design"), ("partner", "globex"))).StatusCode);
        Assert.Equal(2, HtmlForms.Parse(await lea.PageAsync("/admin/access")).QuerySelectorAll("tbody tr").Length);
    }

    [Fact]
    public async Task The_review_is_in_french_for_a_french_reader()
    {
        await _f.GrantAsync("design", "acme");
        var root = await WebBrowser.SignInAsync(_f, "root", "fr");
        var html = await root.PageAsync("/admin/access");
        Assert.Contains("Revue des accès", html, StringComparison.Ordinal);
        Assert.Contains("Télécharger en CSV", html, StringComparison.Ordinal);
        var bad = await root.SubmitAsync("/admin/access", "/admin/access?handler=grant", ("team", "design"), ("partner", "acme"), ("rights", "x"));
        Assert.Contains("Les droits sont", await BodyAsync(bad), StringComparison.Ordinal);
        Assert.Contains("Invitations envoyées", await root.PageAsync("/admin/invitations"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitations_are_made_listed_and_revoked_in_the_web_admin_and_the_link_is_shown_without_smtp()
    {
        var root = await WebBrowser.SignInAsync(_f, "root");
        var made = await root.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", "acme"), ("email", "ann@acme.example"), ("days", "3"));
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var page = HtmlForms.Parse(await BodyAsync(made));
        var link = page.QuerySelector("#invitation-link")!.GetAttribute("value")!;
        Assert.Contains("/auth/sign_up?invite=", link, StringComparison.Ordinal);
        var code = Uri.UnescapeDataString(link.Split("invite=")[1]);
        await WebBrowser.Anonymous(_f).PageAsync("/auth/sign_up?invite=" + Uri.EscapeDataString(code));
        var row = page.QuerySelector("tbody tr")!;
        Assert.Contains("ann@acme.example", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Waiting", row.TextContent, StringComparison.Ordinal);

        foreach (var (partner, email, days) in new[] { ("nope", "", "7"), ("acme", "not an address", "7"), ("acme", "a@b.example\r\nBcc: x@y", "7"), ("", "", "0"), ("", "", "1000") })
        {
            var bad = await root.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", partner), ("email", email), ("days", days));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
            Assert.NotNull(HtmlForms.Parse(await BodyAsync(bad)).QuerySelector("[role=alert]"));
        }
        Assert.Equal(1, await Db(db => db.Invitations.CountAsync()));

        var id = row.QuerySelector("input[name=id]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin/invitations", "/admin/invitations?handler=revoke", ("id", id))).StatusCode);
        await WebBrowser.Anonymous(_f).PageAsync("/auth/sign_up?invite=" + Uri.EscapeDataString(code), HttpStatusCode.Gone);
        Assert.Contains("Revoked", await root.PageAsync("/admin/invitations"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await root.SendFormAsync("/admin/invitations", "/admin/invitations?handler=invite", "/admin/invitations?handler=revoke", false, ("id", id))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await root.SendFormAsync("/admin/invitations", "/admin/invitations?handler=invite", "/admin/invitations?handler=revoke", false, ("id", "<x>"))).StatusCode);
    }

    [Fact]
    public async Task A_lead_invites_only_for_organizations_their_team_shares_with_and_sees_their_invitations()
    {
        await _f.GrantAsync("design", "acme");
        await _f.GrantAsync("finance", "globex");
        var root = await WebBrowser.SignInAsync(_f, "root");
        await root.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", "acme"), ("days", "7"));
        await root.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", "globex"), ("days", "7"));
        await root.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", ""), ("days", "7"));

        var lea = await WebBrowser.SignInAsync(_f, "lea");
        var page = HtmlForms.Parse(await lea.PageAsync("/admin/invitations"));
        Assert.Equal(["", "acme"], page.QuerySelectorAll("#invite-partner option").Select(o => o.GetAttribute("value")).ToArray());
        var rows = page.QuerySelectorAll("tbody tr");
        Assert.Single(rows);
        Assert.Contains("acme", rows[0].TextContent, StringComparison.Ordinal);

        var forbidden = await lea.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", "globex"), ("days", "7"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var globexInvitation = await Db(db => db.Invitations.Where(i => db.PartnerOrgs.Any(o => o.Id == i.PartnerOrgId && o.Handle == "globex")).Select(i => i.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await lea.SubmitAsync("/admin/invitations", "/admin/invitations?handler=revoke", ("id", globexInvitation.ToString()))).StatusCode);
        Assert.Null(await Db(db => db.Invitations.Where(i => i.Id == globexInvitation).Select(i => i.RevokedAt).FirstAsync()));

        var made = await lea.SubmitAsync("/admin/invitations", "/admin/invitations?handler=invite", ("partner", "acme"), ("days", "7"));
        Assert.NotNull(HtmlForms.Parse(await BodyAsync(made)).QuerySelector("#invitation-link"));
        var acmeByRoot = rows[0].QuerySelector("input[name=id]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.Redirect, (await lea.SubmitAsync("/admin/invitations", "/admin/invitations?handler=revoke", ("id", acmeByRoot))).StatusCode);
    }

    [Fact]
    public async Task The_invitations_list_pages_by_fifty()
    {
        var (_, api) = await _f.SignedInAsync("root3", AccountRole.Admin);
        for (var i = 0; i < 55; i++) await api.PostOkAsync("/api/v1/gazouille/invitations", new { partner = "acme" });
        var root = await WebBrowser.SignInAsync(_f, "root");
        var first = HtmlForms.Parse(await root.PageAsync("/admin/invitations"));
        Assert.Equal(50, first.QuerySelectorAll("tbody tr").Length);
        var second = HtmlForms.Parse(await root.PageAsync(first.QuerySelector("p.more a")!.GetAttribute("href")!));
        Assert.Equal(5, second.QuerySelectorAll("tbody tr").Length);
        await root.PageAsync("/admin/invitations?before=<script>");
    }
}
