using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>Sign-up by invitation or allowed domain, on the web page and through Mastodon's POST /api/v1/accounts.</summary>
public sealed partial class SignUpTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() =>
        _f = await GazouilleFactory.StartAsync(new() { ["Gazouille:SignUp:Mode"] = "domains", ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example" });

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private static HttpContent Register(string username, string email, string? invite = null) =>
        JsonContent.Create(new Dictionary<string, string?> { ["username"] = username, ["email"] = email, ["password"] = "long enough password", ["agreement"] = "true", ["invite_code"] = invite });

    [Fact]
    public async Task An_allowed_domain_signs_up_and_gets_a_working_token()
    {
        var token = await (await _f.Client().PostAsync("/api/v1/accounts", Register("newbie", "newbie@corp.example"))).OkJsonAsync();
        var me = await (await _f.Client(token.Str("access_token")).GetAsync("/api/v1/accounts/verify_credentials")).OkJsonAsync();
        Assert.Equal("newbie", me.Str("username"));
        Assert.Equal("employee", me.GetProperty("gazouille").Str("kind"));
    }

    [Theory]
    [InlineData("stranger", "stranger@elsewhere.example")]
    [InlineData("x y", "xy@corp.example")]
    [InlineData("", "empty@corp.example")]
    [InlineData("<script>", "s@corp.example")]
    [InlineData("tricky", "tricky@corp.example.evil")]
    public async Task Sign_up_outside_the_rules_is_refused_with_a_reason_and_creates_nothing(string username, string email)
    {
        var before = await _f.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<Data.GazouilleDb>().Users.Count()));
        var response = await _f.Client().PostAsync("/api/v1/accounts", Register(username, email));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.StartsWith("Validation failed", (await response.JsonAsync()).Str("error"), StringComparison.Ordinal);
        Assert.Equal(before, await _f.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<Data.GazouilleDb>().Users.Count())));
    }

    [Fact]
    public async Task An_invitation_works_once_and_a_partner_invitation_makes_a_guest()
    {
        await _f.CreatePartnerAsync("acme");
        var (_, admin) = await _f.SignedInAsync("boss", AccountRole.Admin);
        var invitation = await (await admin.PostAsJsonAsync("/api/v1/gazouille/invitations", new { partner = "acme", email = "ann@acme.example" })).OkJsonAsync();
        var code = Uri.UnescapeDataString(invitation.Str("url").Split("invite=")[1]);

        var wrongEmail = await _f.Client().PostAsync("/api/v1/accounts", Register("mallory", "mallory@acme.example", code));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongEmail.StatusCode);

        var token = await (await _f.Client().PostAsync("/api/v1/accounts", Register("ann", "ann@acme.example", code))).OkJsonAsync();
        var me = await (await _f.Client(token.Str("access_token")).GetAsync("/api/v1/accounts/verify_credentials")).OkJsonAsync();
        Assert.Equal("guest", me.GetProperty("gazouille").Str("kind"));

        var again = await _f.Client().PostAsync("/api/v1/accounts", Register("ann2", "ann@acme.example", code));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        var list = await (await admin.GetAsync("/api/v1/gazouille/invitations")).OkJsonAsync();
        Assert.Equal("used", list[0].Str("state"));
    }

    [Fact]
    public async Task Only_admins_and_team_leads_invite_and_a_revoked_invitation_is_refused()
    {
        var (_, employee) = await _f.SignedInAsync("plain");
        Assert.Equal(HttpStatusCode.Forbidden, (await employee.PostAsJsonAsync("/api/v1/gazouille/invitations", new { })).StatusCode);

        var (_, lead) = await _f.SignedInAsync("lead");
        await _f.CreateTeamAsync("ops");
        await _f.WithScopeAsync(sp => sp.GetRequiredService<Features.Teams.TeamDirectory>().AddMemberAsync("ops", "lead", lead: true));
        var invitation = await (await lead.PostAsJsonAsync("/api/v1/gazouille/invitations", new { })).OkJsonAsync();
        await _f.CreatePartnerAsync("acme"); // exists, but ops does not share its channel with it
        Assert.Equal(HttpStatusCode.Forbidden, (await lead.PostAsJsonAsync("/api/v1/gazouille/invitations", new { partner = "acme" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.DeleteAsync($"/api/v1/gazouille/invitations/{invitation.Str("id")}")).StatusCode);
        var code = Uri.UnescapeDataString(invitation.Str("url").Split("invite=")[1]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _f.Client().PostAsync("/api/v1/accounts", Register("late", "late@elsewhere.example", code))).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await _f.Client().GetAsync($"/auth/sign_up?invite={Uri.EscapeDataString(code)}")).StatusCode);
    }

    [Fact]
    public async Task The_web_page_signs_up_and_signs_in_and_escapes_what_was_typed()
    {
        var browser = new HttpClient(new CookieJar(_f.Server.CreateHandler())) { BaseAddress = new Uri("http://localhost/") };
        var page = await (await browser.GetAsync("/auth/sign_up")).Content.ReadAsStringAsync();
        var fields = HtmlForms.HiddenFields(page, "/auth/sign_up");

        var bad = new List<KeyValuePair<string, string>>(fields)
        {
            new("username", "\"><script>alert(1)</script>"), new("email", "x@corp.example"), new("password", "long enough password"),
        };
        var refused = await browser.PostAsync("/auth/sign_up", new FormUrlEncodedContent(bad));
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.DoesNotContain("<script>alert(1)", refusedHtml, StringComparison.Ordinal);

        var good = new List<KeyValuePair<string, string>>(fields)
        {
            new("username", "webby"), new("email", "webby@corp.example"), new("password", "long enough password"), new("display_name", "Webby"),
        };
        var created = await browser.PostAsync("/auth/sign_up", new FormUrlEncodedContent(good));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var me = await browser.GetAsync("/api/v1/accounts/verify_credentials");
        Assert.Equal("webby", (await me.OkJsonAsync()).Str("username"));
    }

    private Task<int> CountUsersAsync() => _f.WithScopeAsync(sp => sp.GetRequiredService<Data.GazouilleDb>().Users.CountAsync());

    public static TheoryData<string, string, string, string> HostileSignUps => new()
    {
        { "", "", "", "" },
        { new string('a', 100_000), "huge@corp.example", new string('n', 100_000), new string('p', 100_000) },
        { "<script>alert(1)</script>", "<b>x</b>@corp.example", "<img src=x onerror=alert(1)>", "long enough password" },
        { "ali\u200Bce", "alice@corp.example", "\u202Eecila\u200F", "long enough password" },
        { "' OR 1=1 --", "x';DROP-TABLE-AspNetUsers;--@corp.example", "Robert'); DROP TABLE AspNetUsers;--", "' OR ''='" },
        { "plain_name", "not-an-address", "Plain", "long enough password" },
        { "short_pw", "short@corp.example", "Short", "tiny" },
    };

    [Theory]
    [MemberData(nameof(HostileSignUps))]
    public async Task A_refused_web_sign_up_saves_nothing_says_why_and_keeps_what_was_typed_but_the_password(string username, string email, string displayName, string password)
    {
        var before = await CountUsersAsync();
        var browser = WebBrowser.Anonymous(_f);
        var answer = await browser.SubmitAsync("/auth/sign_up", "/auth/sign_up", ("username", username), ("email", email), ("display_name", displayName), ("password", password));
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var doc = HtmlForms.Parse(html);
        Assert.NotEmpty(doc.QuerySelector("#signup-error[role=alert]")!.TextContent.Trim());
        Assert.Equal(username, doc.QuerySelector("#username")!.GetAttribute("value") ?? "");
        Assert.Equal(email, doc.QuerySelector("#email")!.GetAttribute("value") ?? "");
        Assert.Equal(displayName, doc.QuerySelector("#display_name")!.GetAttribute("value") ?? "");
        Assert.Null(doc.QuerySelector("#password")!.GetAttribute("value"));
        Assert.Empty(doc.QuerySelectorAll("main script, main img"));
        Assert.Equal(before, await CountUsersAsync());
    }

    [Fact]
    public async Task A_post_without_the_form_token_is_refused_and_saves_nothing()
    {
        var before = await CountUsersAsync();
        var forged = await WebBrowser.Anonymous(_f).Http.PostAsync("/auth/sign_up", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "forged", ["email"] = "forged@corp.example", ["password"] = "long enough password",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(before, await CountUsersAsync());
    }

    [Fact]
    public async Task An_invitation_link_signs_up_from_any_domain_once_and_then_answers_gone_with_the_form_still_usable()
    {
        var (_, admin) = await _f.SignedInAsync("boss", AccountRole.Admin);
        var invitation = await (await admin.PostAsJsonAsync("/api/v1/gazouille/invitations", new { })).OkJsonAsync();
        var link = new Uri(invitation.Str("url")).PathAndQuery;
        var code = Uri.UnescapeDataString(link.Split("invite=")[1]);

        var browser = WebBrowser.Anonymous(_f);
        Assert.Equal(code, HtmlForms.HiddenFields(await browser.PageAsync(link), "/auth/sign_up").Single(f => f.Key == "invite").Value);
        var created = await browser.SubmitAsync(link, "/auth/sign_up", ("username", "zoe"), ("email", "zoe@elsewhere.example"), ("password", "long enough password"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("zoe", (await (await browser.Http.GetAsync("/api/v1/accounts/verify_credentials")).OkJsonAsync()).Str("username"));

        var again = HtmlForms.Parse(await WebBrowser.Anonymous(_f).PageAsync(link, HttpStatusCode.Gone));
        Assert.Contains("not valid", again.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("", again.QuerySelector("input[name=invite]")!.GetAttribute("value") ?? "");
        Assert.NotNull(again.QuerySelector("input[name=email]"));
    }

    [Fact]
    public async Task The_page_and_its_refusals_speak_french_to_a_french_browser()
    {
        var browser = WebBrowser.Anonymous(_f, "fr-FR,fr;q=0.9");
        var page = HtmlForms.Parse(await browser.PageAsync("/auth/sign_up"));
        Assert.Equal("fr", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Créer un compte", page.QuerySelector("h1")!.TextContent);
        var refused = await browser.SubmitAsync("/auth/sign_up", "/auth/sign_up", ("username", "etranger"), ("email", "etranger@ailleurs.example"), ("password", "long enough password"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("L'inscription demande une adresse e-mail de l'entreprise ou un lien d'invitation.",
            HtmlForms.Parse(await refused.Content.ReadAsStringAsync()).QuerySelector("#signup-error")!.TextContent);
    }

    [Fact]
    public async Task A_closed_instance_answers_forbidden_without_a_form()
    {
        await using var closed = await GazouilleFactory.StartAsync(new() { ["Gazouille:SignUp:Mode"] = "closed" });
        var browser = WebBrowser.Anonymous(closed);
        var page = HtmlForms.Parse(await browser.PageAsync("/auth/sign_up", HttpStatusCode.Forbidden));
        Assert.NotEmpty(page.QuerySelector("[role=alert]")!.TextContent);
        Assert.Null(page.QuerySelector("form[action='/auth/sign_up']"));
    }
}
