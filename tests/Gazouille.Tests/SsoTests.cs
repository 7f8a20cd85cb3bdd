using System.Net;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// Single sign-on end to end over HTTP: Gazouille's OpenID Connect handler against a real OpenID provider (OpenIddict,
/// <see cref="TestOpenIdProvider"/>) that the test starts on 127.0.0.1. The browser's part is played step by step: the
/// sign-in page's button, the provider's login page, the way back through the callback to the account's session.
/// </summary>
public sealed class SsoTests : IAsyncLifetime
{
    private TestOpenIdProvider _idp = null!;
    private GazouilleFactory _f = null!;
    private readonly HttpClient _idpHttp = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    public async ValueTask InitializeAsync()
    {
        _idp = await TestOpenIdProvider.StartAsync();
        await _idp.AddClientAsync(new Uri("http://gazouille.test/auth/sso/corp/callback"));
        _f = await GazouilleFactory.StartAsync(new()
        {
            ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example",
            ["Gazouille:Sso:Providers:corp:DisplayName"] = "Corp ID",
            ["Gazouille:Sso:Providers:corp:Authority"] = _idp.Authority.ToString(),
            ["Gazouille:Sso:Providers:corp:ClientId"] = TestOpenIdProvider.ClientId,
            ["Gazouille:Sso:Providers:corp:ClientSecret"] = TestOpenIdProvider.ClientSecret,
            ["Gazouille:Sso:Providers:corp:RequireHttpsMetadata"] = "false",
            ["Gazouille:Sso:Providers:corp:Scopes:0"] = "openid",
            ["Gazouille:Sso:Providers:corp:Scopes:1"] = "profile",
            ["Gazouille:Sso:Providers:corp:Scopes:2"] = "email",
            ["Gazouille:Sso:Providers:corp:Scopes:3"] = "roles",
            ["Gazouille:Sso:Providers:corp:AdminValues:0"] = "gazouille-admins",
            ["Gazouille:Sso:Providers:corp:ModeratorValues:0"] = "gazouille-moderators",
            // A provider whose address answers nothing: its button must lead to a readable page.
            ["Gazouille:Sso:Providers:down:DisplayName"] = "Down ID",
            ["Gazouille:Sso:Providers:down:Authority"] = "http://127.0.0.1:9",
            ["Gazouille:Sso:Providers:down:ClientId"] = "gazouille",
            ["Gazouille:Sso:Providers:down:RequireHttpsMetadata"] = "false",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _f.DisposeAsync();
        await _idp.DisposeAsync();
        _idpHttp.Dispose();
    }

    private Task<T> Db<T>(Func<GazouilleDb, Task<T>> work) => _f.WithScopeAsync(sp => work(sp.GetRequiredService<GazouilleDb>()));

    /// <summary>Clicks "Sign in with Corp ID" and returns where Gazouille sends the browser (the provider's authorize URL).</summary>
    private static async Task<Uri> StartAsync(WebBrowser browser, string provider = "corp")
    {
        var start = await browser.SubmitAsync("/auth/sign_in", $"/auth/sso/{provider}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        return start.Headers.Location!;
    }

    /// <summary>At the provider: shows the login page, then presses Continue (or Cancel); returns the way back to Gazouille.</summary>
    private async Task<Uri> AtProviderAsync(Uri authorize, string decision = "allow")
    {
        Assert.Equal(_idp.Authority.Authority, authorize.Authority);
        var page = await _idpHttp.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = QueryHelpers.ParseQuery(authorize.Query).Select(p => KeyValuePair.Create(p.Key, p.Value.ToString())).ToList();
        form.Add(KeyValuePair.Create("decision", decision));
        var answer = await _idpHttp.PostAsync(new Uri(authorize.GetLeftPart(UriPartial.Path)), new FormUrlEncodedContent(form));
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"the provider answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        var back = answer.Headers.Location!;
        Assert.Equal("http://gazouille.test/auth/sso/corp/callback", back.GetLeftPart(UriPartial.Path));
        return back;
    }

    /// <summary>Follows Gazouille's redirects from the callback; returns the last answer (a redirect out of /auth, or a page).</summary>
    private static async Task<HttpResponseMessage> BackAtGazouilleAsync(WebBrowser browser, Uri callback)
    {
        var answer = await browser.Http.GetAsync(callback.PathAndQuery);
        for (var hops = 0; answer.StatusCode == HttpStatusCode.Redirect && answer.Headers.Location!.OriginalString.StartsWith("/auth/sso/", StringComparison.Ordinal); hops++)
        {
            Assert.True(hops < 3, "too many redirects");
            answer = await browser.Http.GetAsync(answer.Headers.Location);
        }
        return answer;
    }

    private async Task<(WebBrowser Browser, HttpResponseMessage Answer)> SignInAsync(OpenIdUser user, string language = "en")
    {
        _idp.User = user;
        var browser = WebBrowser.Anonymous(_f, language);
        var answer = await BackAtGazouilleAsync(browser, await AtProviderAsync(await StartAsync(browser)));
        return (browser, answer);
    }

    private static async Task<string> RefusedAsync(HttpResponseMessage answer, HttpStatusCode status)
    {
        var html = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == status, $"expected {(int)status}, got {(int)answer.StatusCode}: {html[..Math.Min(html.Length, 1500)]}");
        var error = HtmlForms.Parse(html).QuerySelector("#sso-error")?.TextContent ?? throw new InvalidOperationException("no error on the page:\n" + html);
        return error;
    }

    private static async Task AssertSignedInAsync(WebBrowser browser, HttpResponseMessage answer, string username)
    {
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location!.OriginalString);
        var home = await browser.PageAsync("/");
        Assert.Contains($"@{username}", home, StringComparison.Ordinal);
    }

    private static async Task AssertSignedOutAsync(WebBrowser browser)
    {
        var home = await browser.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/auth/sign_in", home.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_page_offers_the_providers_in_both_languages()
    {
        var en = await WebBrowser.Anonymous(_f, "en").PageAsync("/auth/sign_in");
        Assert.Contains("Sign in with Corp ID", en, StringComparison.Ordinal);
        Assert.Contains("Sign in with Down ID", en, StringComparison.Ordinal);
        var fr = await WebBrowser.Anonymous(_f, "fr").PageAsync("/auth/sign_in");
        Assert.Contains("Se connecter avec Corp ID", fr, StringComparison.Ordinal);
        Assert.DoesNotContain(TestOpenIdProvider.ClientSecret, en + fr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_sign_in_creates_the_employee_with_the_mapped_role_and_the_next_one_reuses_it()
    {
        var user = new OpenIdUser("sub-ada", "ada.lovelace@corp.example", "Ada Lovelace", true, "gazouille-admins", "other-group");
        var (browser, answer) = await SignInAsync(user);
        await AssertSignedInAsync(browser, answer, "ada_lovelace");

        var account = await Db(db => db.Users.AsNoTracking().SingleAsync(a => a.Email == "ada.lovelace@corp.example"));
        Assert.Equal("ada_lovelace", account.UserName);
        Assert.Equal("Ada Lovelace", account.DisplayName);
        Assert.Equal(AccountRole.Admin, account.Role);
        Assert.Null(account.PartnerOrgId);
        var login = await Db(db => db.UserLogins.AsNoTracking().SingleAsync(l => l.UserId == account.Id));
        Assert.Equal(("corp", "sub-ada"), (login.LoginProvider, login.ProviderKey));
        var audit = await Db(db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == $"account:{account.Id}").OrderBy(e => e.Seq).Select(e => new { e.Actor, e.Action, e.Details }).ToListAsync());
        Assert.Equal(["account.create", "admin.sign_in"], audit.Select(e => e.Action));
        Assert.Equal("sso:corp", audit[0].Actor);
        Assert.Contains("\"role\":\"admin\"", audit[0].Details, StringComparison.Ordinal);

        // The admin area answers: the session is the account's, with its role.
        await browser.PageAsync("/admin");

        // Another browser, another day: the same account, found by its login even though the provider changed the e-mail.
        var (again, second) = await SignInAsync(user with { Email = "ada@corp.example" });
        await AssertSignedInAsync(again, second, "ada_lovelace");
        Assert.Equal(1, await Db(db => db.Users.CountAsync(a => a.UserName!.StartsWith("ada"))));
        Assert.Equal(1, await Db(db => db.UserLogins.CountAsync(l => l.UserId == account.Id)));
        Assert.Equal(2, _idp.LoginPages);
    }

    [Fact]
    public async Task An_e_mail_outside_the_allowed_domains_or_not_verified_is_refused_and_nothing_is_created()
    {
        var (browser, answer) = await SignInAsync(new OpenIdUser("sub-eve", "eve@elsewhere.example", "Eve"));
        Assert.Contains("not on a domain of the company", await RefusedAsync(answer, HttpStatusCode.Forbidden), StringComparison.Ordinal);
        await AssertSignedOutAsync(browser);

        var (_, unverified) = await SignInAsync(new OpenIdUser("sub-zed", "zed@corp.example", "Zed", EmailVerified: false), "fr");
        Assert.Contains("n’a pas vérifié votre adresse e-mail", await RefusedAsync(unverified, HttpStatusCode.Forbidden), StringComparison.Ordinal);

        Assert.Equal(0, await Db(db => db.Users.CountAsync(a => a.Email == "eve@elsewhere.example" || a.Email == "zed@corp.example")));
        Assert.Equal(0, await Db(db => db.UserLogins.CountAsync()));

        // Without the claim at all (Entra ID sends none), an allowed domain is enough.
        var (entra, created) = await SignInAsync(new OpenIdUser("sub-noa", "noa@corp.example", "Noa", EmailVerified: null));
        await AssertSignedInAsync(entra, created, "noa");
    }

    [Fact]
    public async Task An_employee_who_already_has_a_password_account_is_linked_by_e_mail_and_keeps_it()
    {
        await _f.CreateUserAsync("grace");
        await Db(db => db.Users.Where(a => a.UserName == "grace").ExecuteUpdateAsync(u => u.SetProperty(a => a.Email, "grace@corp.example").SetProperty(a => a.NormalizedEmail, "GRACE@CORP.EXAMPLE")));
        var (browser, answer) = await SignInAsync(new OpenIdUser("sub-grace", "Grace@corp.example", "Grace Hopper"));
        await AssertSignedInAsync(browser, answer, "grace");
        Assert.Equal(1, await Db(db => db.Users.CountAsync(a => a.NormalizedEmail == "GRACE@CORP.EXAMPLE")));
        // Roles are mapped, and no role claim means employee: she was one already, so nothing to audit.
        Assert.Equal(0, await Db(db => db.AuditEntries.CountAsync(e => e.Action == "account.role")));
        await WebBrowser.SignInAsync(_f, "grace");
    }

    [Fact]
    public async Task A_role_claim_that_changes_promotes_and_demotes_on_the_next_sign_in_and_is_audited()
    {
        var user = new OpenIdUser("sub-lin", "lin@corp.example", "Lin", true, "gazouille-moderators");
        var (browser, answer) = await SignInAsync(user);
        await AssertSignedInAsync(browser, answer, "lin");
        Assert.Equal(AccountRole.Moderator, await Db(db => db.Users.Where(a => a.UserName == "lin").Select(a => a.Role).SingleAsync()));
        await browser.PageAsync("/moderation");

        var (demoted, again) = await SignInAsync(user with { Roles = [] });
        await AssertSignedInAsync(demoted, again, "lin");
        Assert.Equal(AccountRole.Employee, await Db(db => db.Users.Where(a => a.UserName == "lin").Select(a => a.Role).SingleAsync()));
        await demoted.PageAsync("/moderation", HttpStatusCode.NotFound);
        var entry = await Db(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == "account.role"));
        Assert.Equal("sso:corp", entry.Actor);
        Assert.Contains("\"from\":\"moderator\",\"to\":\"employee\"", entry.Details, StringComparison.Ordinal);

        var (promoted, third) = await SignInAsync(user with { Roles = ["gazouille-admins"] });
        await AssertSignedInAsync(promoted, third, "lin");
        Assert.Equal(AccountRole.Admin, await Db(db => db.Users.Where(a => a.UserName == "lin").Select(a => a.Role).SingleAsync()));
        Assert.Equal(2, await Db(db => db.AuditEntries.CountAsync(e => e.Action == "account.role")));
    }

    [Fact]
    public async Task A_suspended_account_is_refused_and_gets_no_session()
    {
        var user = new OpenIdUser("sub-mal", "mal@corp.example", "Mal");
        var (browser, answer) = await SignInAsync(user);
        await AssertSignedInAsync(browser, answer, "mal");
        await Db(db => db.Users.Where(a => a.UserName == "mal").ExecuteUpdateAsync(u => u.SetProperty(a => a.Suspended, true)));

        var (again, refused) = await SignInAsync(user);
        Assert.Contains("This account is suspended", await RefusedAsync(refused, HttpStatusCode.Forbidden), StringComparison.Ordinal);
        await AssertSignedOutAsync(again);
        // The provider's answer is not kept either: going straight to the last step does not sign in.
        Assert.Contains("did not confirm who you are", await RefusedAsync(await again.Http.GetAsync("/auth/sso/corp/complete"), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertSignedOutAsync(again);
    }

    [Fact]
    public async Task A_tampered_state_a_stolen_answer_and_a_cancelled_sign_in_end_on_readable_pages()
    {
        _idp.User = new OpenIdUser("sub-oz", "oz@corp.example", "Oz");
        var browser = WebBrowser.Anonymous(_f);
        var callback = await AtProviderAsync(await StartAsync(browser));
        var query = QueryHelpers.ParseQuery(callback.Query);

        var tampered = QueryHelpers.AddQueryString("/auth/sso/corp/callback", new Dictionary<string, string?> { ["code"] = query["code"], ["state"] = query["state"] + "x" });
        var answer = await BackAtGazouilleAsync(browser, new Uri("http://gazouille.test" + tampered));
        Assert.Contains("Corp ID did not confirm who you are", await RefusedAsync(answer, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        // The genuine answer replayed in another browser: its correlation cookie is missing.
        var thief = WebBrowser.Anonymous(_f);
        Assert.Contains("did not confirm who you are", await RefusedAsync(await BackAtGazouilleAsync(thief, callback), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertSignedOutAsync(thief);

        // Nonsense at the callback.
        Assert.Contains("did not confirm who you are", await RefusedAsync(await BackAtGazouilleAsync(thief, new Uri("http://gazouille.test/auth/sso/corp/callback?code=abc&state=%00%FF")), HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var cancelled = WebBrowser.Anonymous(_f, "fr");
        var back = await AtProviderAsync(await StartAsync(cancelled), decision: "deny");
        Assert.Equal("access_denied", QueryHelpers.ParseQuery(back.Query)["error"]);
        Assert.Contains("La connexion a été annulée chez Corp ID", await RefusedAsync(await BackAtGazouilleAsync(cancelled, back), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal(0, await Db(db => db.Users.CountAsync(a => a.Email == "oz@corp.example")));
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_or_does_not_exist_gives_a_page_not_a_server_error()
    {
        var browser = WebBrowser.Anonymous(_f);
        var answer = await browser.SubmitAsync("/auth/sign_in", "/auth/sso/down");
        Assert.Contains("Down ID cannot be reached right now", await RefusedAsync(answer, HttpStatusCode.BadGateway), StringComparison.Ordinal);
        await browser.PageAsync("/auth/sso/nowhere/complete", HttpStatusCode.NotFound);
        await browser.PageAsync("/auth/sso/corp/elsewhere", HttpStatusCode.NotFound);
        var plain = await browser.Http.GetAsync("/auth/sso/corp");
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        // Starting the flow needs the sign-in page's form (its antiforgery token).
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.Http.PostAsync("/auth/sso/corp", new FormUrlEncodedContent([]))).StatusCode);
    }

    [Fact]
    public async Task With_approval_required_the_first_sign_in_waits_for_an_administrator()
    {
        await using var f = await GazouilleFactory.StartAsync(new()
        {
            ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example",
            ["Gazouille:SignUp:RequireApproval"] = "true",
            ["Gazouille:Sso:Providers:corp:Authority"] = _idp.Authority.ToString(),
            ["Gazouille:Sso:Providers:corp:ClientId"] = TestOpenIdProvider.ClientId,
            ["Gazouille:Sso:Providers:corp:ClientSecret"] = TestOpenIdProvider.ClientSecret,
            ["Gazouille:Sso:Providers:corp:RequireHttpsMetadata"] = "false",
        });
        _idp.User = new OpenIdUser("sub-pat", "pat@corp.example", "Pat");
        var browser = WebBrowser.Anonymous(f);
        var answer = await BackAtGazouilleAsync(browser, await AtProviderAsync(await StartAsync(browser)));
        Assert.Contains("waiting for an administrator's approval", await RefusedAsync(answer, HttpStatusCode.Forbidden), StringComparison.Ordinal);
        var account = await f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.AsNoTracking().SingleAsync(a => a.Email == "pat@corp.example"));
        Assert.True(account.PendingApproval);
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task Signing_out_of_a_single_sign_on_session_signs_out_at_the_provider_too_and_a_password_session_does_not()
    {
        var (browser, answer) = await SignInAsync(new OpenIdUser("sub-lou", "lou@corp.example", "Lou"));
        await AssertSignedInAsync(browser, answer, "lou");
        var before = _idp.SignOuts;

        // Gazouille ends its session, then sends the browser to the provider's end_session_endpoint with the ID token as the hint.
        var signOut = await browser.SubmitAsync("/", "/auth/sign_out");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var endSession = signOut.Headers.Location!;
        Assert.Equal(_idp.Authority.Authority, endSession.Authority);
        Assert.Equal("/connect/logout", endSession.AbsolutePath);
        var query = QueryHelpers.ParseQuery(endSession.Query);
        Assert.Equal("http://gazouille.test/auth/sso/corp/signed_out", query["post_logout_redirect_uri"].ToString());
        Assert.False(string.IsNullOrEmpty(query["id_token_hint"]));
        Assert.Equal(0, await Db(db => db.BrowserSessions.CountAsync(s => db.Users.Any(a => a.Id == s.AccountId && a.UserName == "lou"))));
        await AssertSignedOutAsync(browser);

        // The provider accepts it (OpenIddict checked the hint and the address) and sends the browser back, then to the sign-in page.
        var atProvider = await _idpHttp.GetAsync(endSession);
        Assert.True(atProvider.StatusCode == HttpStatusCode.Redirect, $"the provider answered {(int)atProvider.StatusCode}: {await atProvider.Content.ReadAsStringAsync()}");
        Assert.Equal(before + 1, _idp.SignOuts);
        Assert.True(_idp.LastSignOutHadIdTokenHint);
        var back = atProvider.Headers.Location!;
        Assert.Equal("http://gazouille.test/auth/sso/corp/signed_out", back.GetLeftPart(UriPartial.Path));
        var landed = await browser.Http.GetAsync(back.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, landed.StatusCode);
        Assert.Equal("/auth/sign_in", landed.Headers.Location!.OriginalString);

        // A password session of the same instance signs out here only.
        await _f.CreateUserAsync("pat");
        var password = await WebBrowser.SignInAsync(_f, "pat");
        var local = await password.SubmitAsync("/", "/auth/sign_out");
        Assert.Equal(HttpStatusCode.Redirect, local.StatusCode);
        Assert.Equal("/auth/sign_in", local.Headers.Location!.OriginalString);
        Assert.Equal(before + 1, _idp.SignOuts);
    }
}
