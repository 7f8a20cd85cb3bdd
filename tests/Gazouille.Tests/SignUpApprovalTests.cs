using System.Net;
using System.Net.Http.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// With <c>SignUp:RequireApproval</c> on, an account made by sign-up (page or API) waits for an administrator: it cannot
/// sign in or get a token and is told why; approval and rejection are audited, in the admin area and the admin API.
/// </summary>
public sealed class SignUpApprovalTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync(new()
        {
            ["Gazouille:SignUp:Mode"] = "domains", ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example", ["Gazouille:SignUp:RequireApproval"] = "true",
        });
        (_, _admin) = await _f.SignedInAsync("root", AccountRole.Admin);
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private static HttpContent Register(string username, string email, string? invite = null) =>
        JsonContent.Create(new Dictionary<string, string?> { ["username"] = username, ["email"] = email, ["password"] = "long enough password", ["agreement"] = "true", ["invite_code"] = invite });

    private Task<T> Db<T>(Func<GazouilleDb, Task<T>> work) => _f.WithScopeAsync(sp => work(sp.GetRequiredService<GazouilleDb>()));

    private static async Task<HttpResponseMessage> SignInAsync(WebBrowser browser, string login, string password) =>
        await browser.SubmitAsync("/auth/sign_in", "/auth/sign_in", ("login", login), ("password", password));

    [Fact]
    public async Task An_api_sign_up_waits_gets_no_token_and_works_once_approved()
    {
        var response = await _f.Client().PostAsync("/api/v1/accounts", Register("newbie", "newbie@corp.example"));
        Assert.Contains("waiting for an administrator's approval", await response.ErrorAsync(HttpStatusCode.Forbidden), StringComparison.Ordinal);
        var id = await Db(db => db.Users.Where(a => a.UserName == "newbie").Select(a => a.Id).FirstAsync());
        Assert.Equal(0, await Db(db => db.PersonalAccessTokens.CountAsync(t => t.AccountId == id)));

        // Nobody sees the pending account, and a token made for it anyway (by the CLI, say) is refused.
        var (_, colleague) = await _f.SignedInAsync("colleague");
        await (await colleague.GetAsync($"/api/v1/accounts/{id}")).NotFoundAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _f.Client(await _f.TokenAsync(id)).GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        var pending = await _admin.GetOkAsync("/api/v1/gazouille/admin/accounts/pending");
        Assert.Equal("newbie", Assert.Single(pending.EnumerateArray()).Str("username"));
        await (await colleague.GetAsync("/api/v1/gazouille/admin/accounts/pending")).ErrorAsync(HttpStatusCode.Forbidden);
        await (await colleague.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/approve", null)).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _admin.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/unsuspend", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PostAsync("/api/v1/gazouille/admin/accounts/abc/approve", null)).NotFoundAsync();
        await (await _admin.PostAsync("/api/v1/gazouille/admin/accounts/99999/approve", null)).NotFoundAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/approve", null)).StatusCode);
        await (await _admin.PostAsync($"/api/v1/gazouille/admin/accounts/{id}/approve", null)).NotFoundAsync();
        Assert.Empty((await _admin.GetOkAsync("/api/v1/gazouille/admin/accounts/pending")).EnumerateArray());
        Assert.Equal("newbie", (await _f.Client(await _f.TokenAsync(id)).GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(WebBrowser.Anonymous(_f), "newbie", "long enough password")).StatusCode);
        Assert.Contains(await Db(db => db.AuditEntries.Select(e => e.Action).ToListAsync()), a => a == "account.approve");
    }

    [Fact]
    public async Task A_guest_invited_by_link_signs_up_on_the_page_waits_and_is_told_why_at_sign_in_and_a_rejection_deletes_it()
    {
        await _f.CreatePartnerAsync("acme");
        var invitation = await _admin.PostOkAsync("/api/v1/gazouille/invitations", new { partner = "acme" });
        var page = invitation.Str("url")[invitation.Str("url").IndexOf("/auth/", StringComparison.Ordinal)..];
        var browser = WebBrowser.Anonymous(_f);
        var signUp = await browser.SendFormAsync(page, "/auth/sign_up", "/auth/sign_up", false, ("username", "ann"), ("email", "ann@acme.example"), ("password", "long enough password"));
        Assert.Equal(HttpStatusCode.OK, signUp.StatusCode);
        var html = await signUp.Content.ReadAsStringAsync();
        Assert.Contains("id=\"signup-pending\"", html, StringComparison.Ordinal);
        Assert.False(signUp.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".AspNetCore.Identity", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Http.GetAsync("/")).StatusCode);

        var told = await SignInAsync(WebBrowser.Anonymous(_f), "ann", "long enough password");
        Assert.Equal(HttpStatusCode.BadRequest, told.StatusCode);
        Assert.Contains("waiting for an administrator&#x27;s approval", await told.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var wrong = await SignInAsync(WebBrowser.Anonymous(_f), "ann", "not the password");
        Assert.DoesNotContain("approval", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var french = await SignInAsync(WebBrowser.Anonymous(_f, "fr"), "ann", "long enough password");
        Assert.Contains("attend l&#x27;approbation", await french.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var root = await WebBrowser.SignInAsync(_f, "root");
        var admin = HtmlForms.Parse(await root.PageAsync("/admin"));
        var item = admin.QuerySelectorAll("#pending-title ~ ul li").Single();
        Assert.Contains("ACME", item.TextContent, StringComparison.Ordinal);
        var id = item.QuerySelector("input[name=id]")!.GetAttribute("value")!;
        await _f.CreateUserAsync("emile");
        var employee = await WebBrowser.SignInAsync(_f, "emile");
        await employee.PageAsync("/admin", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin", "/admin?handler=reject", ("id", id))).StatusCode);
        Assert.False(await Db(db => db.Users.AnyAsync(a => a.UserName == "ann")));
        Assert.Contains("Nobody is waiting for approval.", await root.PageAsync("/admin"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await root.SendFormAsync("/admin", "/admin?handler=createTeam", "/admin?handler=approve", false, ("id", id))).StatusCode);
        Assert.Contains(await Db(db => db.AuditEntries.Select(e => e.Action).ToListAsync()), a => a == "account.reject");
    }

    [Fact]
    public async Task Approving_in_the_admin_area_lets_the_person_in()
    {
        await _f.Client().PostAsync("/api/v1/accounts", Register("bea", "bea@corp.example"));
        var root = await WebBrowser.SignInAsync(_f, "root");
        var id = HtmlForms.Parse(await root.PageAsync("/admin")).QuerySelector("#pending-title ~ ul li input[name=id]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin", "/admin?handler=approve", ("id", id))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(WebBrowser.Anonymous(_f), "bea", "long enough password")).StatusCode);
    }
}
