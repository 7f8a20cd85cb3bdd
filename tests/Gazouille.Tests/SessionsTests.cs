using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Gazouille.Data;
using Gazouille.Features.OAuth;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>People list and end their own browser sessions, authorized apps and personal access tokens (/settings/sessions).</summary>
public sealed class SessionsTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    /// <summary>An app authorized by <paramref name="browser"/> (already signed in) through the authorization code flow; returns its access token.</summary>
    private async Task<string> AuthorizeAppAsync(WebBrowser browser, string name)
    {
        const string redirect = "urn:ietf:wg:oauth:2.0:oob";
        var app = await (await _f.Client().PostAsJsonAsync("/api/v1/apps", new { client_name = name, redirect_uris = redirect, scopes = "read write" })).OkJsonAsync();
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var authorize = $"/oauth/authorize?response_type=code&client_id={Uri.EscapeDataString(app.Str("client_id"))}&redirect_uri={Uri.EscapeDataString(redirect)}" +
                        $"&scope=read%20write&code_challenge={challenge}&code_challenge_method=S256";
        var consent = await browser.PageAsync(authorize);
        var approve = HtmlForms.HiddenFields(consent, "/oauth/authorize");
        approve.Add(KeyValuePair.Create("decision", "approve"));
        var approved = await browser.Http.PostAsync("/oauth/authorize", new FormUrlEncodedContent(approve));
        var page = await approved.Content.ReadAsStringAsync();
        var code = System.Text.RegularExpressions.Regex.Match(page, "<code id=\"code\">([^<]+)</code>").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(code), page);
        var token = await (await _f.Client().PostAsync("/oauth/token", ApiAssert.Form(("grant_type", "authorization_code"), ("code", WebUtility.HtmlDecode(code)),
            ("redirect_uri", redirect), ("client_id", app.Str("client_id")), ("client_secret", app.Str("client_secret")), ("code_verifier", verifier)))).OkJsonAsync();
        return token.Str("access_token");
    }

    [Fact]
    public async Task People_see_and_end_their_apps_tokens_and_other_browsers()
    {
        var aliceId = await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        var here = await WebBrowser.SignInAsync(_f, "alice", "fr");
        var elsewhere = await WebBrowser.SignInAsync(_f, "alice");
        var appToken = await AuthorizeAppAsync(here, "Appli <b>mobile</b>");
        var personal = await _f.WithScopeAsync(sp => PersonalAccessTokens.CreateAsync(sp.GetRequiredService<GazouilleDb>(), aliceId, ["read"], "script de sauvegarde"));
        var app = _f.Client(appToken);
        var pat = _f.Client(personal);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        var page = await here.PageAsync("/settings/sessions");
        Assert.Contains("Appli &lt;b&gt;mobile&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.Contains("script de sauvegarde", page, StringComparison.Ordinal);
        Assert.Contains("Se déconnecter partout ailleurs", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.DoesNotContain(personal, page, StringComparison.Ordinal);
        Assert.DoesNotContain(appToken, page, StringComparison.Ordinal);

        // Someone else cannot end alice's token or app (404), and does not see them.
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        Assert.DoesNotContain("script de sauvegarde", await bob.PageAsync("/settings/sessions"), StringComparison.Ordinal);
        var tokenId = HtmlForms.HiddenFields(page, "/settings/sessions?handler=token").First(f => f.Key == "id").Value;
        var appId = HtmlForms.HiddenFields(page, "/settings/sessions?handler=app").First(f => f.Key == "id").Value;
        var bobForm = HtmlForms.HiddenFields(await bob.PageAsync("/settings/sessions"), "/settings/sessions?handler=others");
        bobForm.Add(KeyValuePair.Create("id", tokenId));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.PostAsync("/settings/sessions?handler=token", new FormUrlEncodedContent(bobForm))).StatusCode);
        bobForm.RemoveAll(f => f.Key == "id");
        bobForm.Add(KeyValuePair.Create("id", appId));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.PostAsync("/settings/sessions?handler=app", new FormUrlEncodedContent(bobForm))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await pat.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        // Alice ends the personal token, then the app.
        Assert.Equal(HttpStatusCode.Redirect, (await here.SubmitAsync("/settings/sessions", "/settings/sessions?handler=token", ("id", tokenId))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await pat.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await here.SubmitAsync("/settings/sessions", "/settings/sessions?handler=app", ("id", appId))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        Assert.Contains("Aucune application", WebUtility.HtmlDecode(await here.PageAsync("/settings/sessions")), StringComparison.Ordinal);

        // Everywhere else: the other browser and a new app end; this browser stays signed in.
        var second = _f.Client(await AuthorizeAppAsync(here, "Autre appli"));
        await elsewhere.PageAsync("/notifications");
        Assert.Equal(HttpStatusCode.Redirect, (await here.SubmitAsync("/settings/sessions", "/settings/sessions?handler=others")).StatusCode);
        await here.PageAsync("/notifications");
        var out_ = await elsewhere.Http.GetAsync("/notifications");
        Assert.Equal(HttpStatusCode.Redirect, out_.StatusCode);
        Assert.Contains("/auth/sign_in", out_.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        var (_, admin) = await _f.SignedInAsync("root", Data.Entities.AccountRole.Admin);
        var audit = await (await admin.GetAsync("/api/v1/gazouille/admin/audit")).Content.ReadAsStringAsync();
        Assert.Contains("account.revoke_token", audit, StringComparison.Ordinal);
        Assert.Contains("account.revoke_app", audit, StringComparison.Ordinal);
        Assert.Contains("account.sign_out_elsewhere", audit, StringComparison.Ordinal);
    }
}
