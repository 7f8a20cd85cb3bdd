using System.Net;
using System.Net.Http.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>Partner organizations, grants with rights and expiry, the access review, suspension and "view as".</summary>
public sealed class PartnersApiTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _admin = null!;
    private HttpClient _lead = null!;
    private HttpClient _employee = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_, _admin) = await _f.SignedInAsync("root", AccountRole.Admin);
        (_, _lead) = await _f.SignedInAsync("lena");
        (_, _employee) = await _f.SignedInAsync("emil");
        await _f.CreateTeamAsync("design", "emil");
        await _f.WithScopeAsync(sp => sp.GetRequiredService<Features.Teams.TeamDirectory>().AddMemberAsync("design", "lena", lead: true));
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private async Task<HttpClient> GuestAsync(string name, string org)
    {
        var id = await _f.CreateUserAsync(name, partner: org);
        return _f.Client(await _f.TokenAsync(id));
    }

    [Fact]
    public async Task Read_only_grants_let_guests_read_but_not_post_and_read_reply_lets_them_post()
    {
        await _admin.PostOkAsync("/api/v1/gazouille/admin/partners", new { handle = "acme", name = "Acme", domains = new[] { "acme.example" } });
        var guest = await GuestAsync("gus", "acme");
        await _lead.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme", rights = "read" });
        var post = await _lead.PostStatusAsync("for acme", "partners:design");
        await guest.GetOkAsync($"/api/v1/statuses/{post.Id()}");
        await (await guest.PostAsJsonAsync("/api/v1/statuses", new { status = "hello", audience = "partners:design" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);

        await _lead.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme", rights = "read_reply" });
        var reply = await guest.PostStatusAsync("thanks", inReplyTo: post.Id());
        Assert.Equal("partners:design:acme", reply.Str("audience"));
        var home = await guest.GetOkAsync("/api/v1/timelines/home");
        Assert.Contains(home.EnumerateArray(), s => s.Id() == post.Id());
    }

    [Fact]
    public async Task Only_admins_and_the_teams_leads_manage_grants_and_bad_input_is_refused()
    {
        await _admin.PostOkAsync("/api/v1/gazouille/admin/partners", new { handle = "acme", name = "Acme" });
        var guest = await GuestAsync("gus", "acme");
        await (await _employee.PostAsJsonAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await guest.PostAsJsonAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _lead.PostAsJsonAsync("/api/v1/gazouille/admin/partners", new { handle = "x", name = "X" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _admin.PostAsJsonAsync("/api/v1/gazouille/admin/partners", new { handle = "acme", name = "Again" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PostAsJsonAsync("/api/v1/gazouille/admin/partners", new { handle = "Bad Handle!", name = "X" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PostAsJsonAsync("/api/v1/gazouille/admin/partners", new { handle = "dom", name = "X", domains = new[] { "not a domain" } })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _lead.PostAsJsonAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme", rights = "write" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _lead.PostAsJsonAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme", expires_at = "2001-01-01T00:00:00Z" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _lead.PostAsJsonAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "nobody" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task The_access_review_lists_grants_in_json_and_csv_and_revocation_and_expiry_end_access_at_once()
    {
        await _admin.PostOkAsync("/api/v1/gazouille/admin/partners", new { handle = "acme", name = "=HYPERLINK(\"http://evil\")" });
        var guest = await GuestAsync("gus", "acme");
        var grant = await _lead.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme", expires_at = DateTimeOffset.UtcNow.AddDays(30).ToString("O") });
        var post = await _lead.PostStatusAsync("shared", "partners:design");
        await guest.GetOkAsync($"/api/v1/statuses/{post.Id()}");

        var review = await _admin.GetOkAsync("/api/v1/gazouille/admin/grants");
        var row = Assert.Single(review.EnumerateArray());
        Assert.Equal("design", row.Str("team"));
        Assert.Equal("lena", row.Str("granted_by"));
        Assert.Equal(1, row.Int("guests_count"));
        var csv = await (await _lead.GetAsync("/api/v1/gazouille/admin/grants?format=csv")).Content.ReadAsStringAsync();
        Assert.Contains("\"design\",\"acme\",\"'=HYPERLINK", csv, StringComparison.Ordinal);
        await (await _employee.GetAsync("/api/v1/gazouille/admin/grants")).ErrorAsync(HttpStatusCode.Forbidden);

        // Expiry: the moment passes, the guest reads nothing, without any job running.
        await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().PartnerGrants
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        await (await guest.GetAsync($"/api/v1/statuses/{post.Id()}")).NotFoundAsync();
        Assert.Empty((await _admin.GetOkAsync("/api/v1/gazouille/admin/grants")).EnumerateArray());

        var again = await _lead.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme" });
        await guest.GetOkAsync($"/api/v1/statuses/{post.Id()}");
        Assert.Equal(HttpStatusCode.NoContent, (await _lead.DeleteAsync($"/api/v1/gazouille/admin/grants/{again.Id()}")).StatusCode);
        await (await guest.GetAsync($"/api/v1/statuses/{post.Id()}")).NotFoundAsync();
        await (await _lead.DeleteAsync($"/api/v1/gazouille/admin/grants/{grant.Id()}")).NotFoundAsync();
    }

    [Fact]
    public async Task Suspending_a_guest_ends_its_tokens_at_once()
    {
        await _admin.PostOkAsync("/api/v1/gazouille/admin/partners", new { handle = "acme", name = "Acme" });
        var id = await _f.CreateUserAsync("gus", partner: "acme");
        var guest = _f.Client(await _f.TokenAsync(id));
        await guest.GetOkAsync("/api/v1/accounts/verify_credentials");
        await (await _lead.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/suspend", null)).ErrorAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/suspend", null)).StatusCode);
        await (await guest.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/unsuspend", null)).StatusCode);
        await guest.GetOkAsync("/api/v1/accounts/verify_credentials");
    }

    [Fact]
    public async Task View_as_shows_the_channel_exactly_as_the_chosen_partner_sees_it()
    {
        await _admin.PostOkAsync("/api/v1/gazouille/admin/partners", new { handle = "acme", name = "Acme" });
        await _admin.PostOkAsync("/api/v1/gazouille/admin/partners", new { handle = "globex", name = "Globex" });
        await _lead.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "acme" });
        await _lead.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "design", partner = "globex" });
        var forAll = await _lead.PostStatusAsync("all partners", "partners:design");
        var forAcme = await _lead.PostStatusAsync("acme only", "partners:design:acme");
        var forGlobex = await _lead.PostStatusAsync("globex only", "partners:design:globex");
        var internalOnly = await _lead.PostStatusAsync("team only", "team:design");

        var seen = (await _lead.GetOkAsync("/api/v1/gazouille/teams/design/view_as/acme")).EnumerateArray().Select(s => s.Id()).ToList();
        Assert.Equal([forAcme.Id(), forAll.Id()], seen);
        Assert.DoesNotContain(forGlobex.Id(), seen);
        Assert.DoesNotContain(internalOnly.Id(), seen);
        await (await _employee.GetAsync("/api/v1/gazouille/teams/design/view_as/acme")).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _lead.GetAsync("/api/v1/gazouille/teams/design/view_as/nobody")).NotFoundAsync();
    }

    [Fact]
    public async Task A_guest_created_after_the_grant_finds_the_channel_on_its_home_timeline()
    {
        await _f.CreatePartnerAsync("latecomers");
        await _f.GrantAsync("design", "latecomers");
        var (_, emil) = (0L, _employee);
        var post = (await emil.PostStatusAsync("Pour nos partenaires", "partners:design")).Id();
        var guest = await GuestAsync("late", "latecomers");
        Assert.Contains(post, (await guest.GetOkAsync("/api/v1/timelines/home")).Ids());
    }
}
