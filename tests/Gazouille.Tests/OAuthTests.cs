using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>Keeps the cookies a browser would keep, since the test server's own client keeps none.</summary>
public sealed class CookieJar(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly Dictionary<string, string> _cookies = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
            foreach (var header in values)
            {
                var pair = header.Split(';')[0];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) _cookies.Remove(name);
                else _cookies[name] = value;
            }
        return response;
    }
}

public sealed partial class OAuthTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private long _aliceId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        _aliceId = await _f.CreateUserAsync("alice");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private HttpClient Browser() =>
        new(new CookieJar(_f.Server.CreateHandler())) { BaseAddress = new Uri("http://localhost/") };

    private async Task<(string ClientId, string ClientSecret)> RegisterAsync(string redirect, string scopes = "read write follow")
    {
        var app = await (await _f.Client().PostAsJsonAsync("/api/v1/apps", new { client_name = "Test app", redirect_uris = redirect, scopes, website = "https://example.com" })).OkJsonAsync();
        Assert.Equal("Test app", app.Str("name"));
        return (app.Str("client_id"), app.Str("client_secret"));
    }

    private static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (verifier, challenge);
    }

    /// <summary>Walks authorize → sign in → consent → approve and returns the final answer (a redirect, or the oob page).</summary>
    private async Task<HttpResponseMessage> AuthorizeAsync(HttpClient browser, string clientId, string redirect, string challenge, string scope = "read write", string login = "alice")
    {
        var consentHtml = await ConsentPageAsync(browser, clientId, redirect, challenge, scope, login);
        Assert.Contains("Test app", consentHtml, StringComparison.Ordinal);
        var approve = HtmlForms.HiddenFields(consentHtml, "/oauth/authorize");
        approve.Add(KeyValuePair.Create("decision", "approve"));
        return await browser.PostAsync("/oauth/authorize", new FormUrlEncodedContent(approve));
    }

    /// <summary>Walks authorize → sign in and returns the consent page.</summary>
    private static async Task<string> ConsentPageAsync(HttpClient browser, string clientId, string redirect, string challenge, string scope, string login = "alice")
    {
        var authorize = $"/oauth/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(redirect)}" +
                        $"&scope={Uri.EscapeDataString(scope)}&code_challenge={challenge}&code_challenge_method=S256&state=xyz";
        var first = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var signInUrl = first.Headers.Location!.OriginalString;
        Assert.StartsWith("/auth/sign_in", signInUrl, StringComparison.Ordinal);

        var signInPage = await browser.GetAsync(signInUrl);
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        var fields = HtmlForms.HiddenFields(await signInPage.Content.ReadAsStringAsync(), "/auth/sign_in");
        fields.Add(KeyValuePair.Create("login", login));
        fields.Add(KeyValuePair.Create("password", "correct horse battery"));
        var signedIn = await browser.PostAsync("/auth/sign_in", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        var consent = await browser.GetAsync(signedIn.Headers.Location!.OriginalString);
        var consentHtml = await consent.Content.ReadAsStringAsync();
        Assert.True(consent.StatusCode == HttpStatusCode.OK, consentHtml);
        return consentHtml;
    }

    [Fact]
    public async Task The_server_request_handler_is_offered_every_configured_endpoint()
    {
        var options = _f.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OpenIddict.Server.OpenIddictServerOptions>>().Value;
        var paths = Gazouille.Features.OAuth.OAuthRequestSchemes.EndpointPaths(options).Select(p => p.Value).ToList();
        // The ones AuthSetup sets, and the key set OpenIddict serves by default.
        Assert.Equal(["/.well-known/jwks", "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/oauth/authorize",
            "/oauth/revoke", "/oauth/token"], paths.Order());
        var keys = await _f.Client().GetAsync("/.well-known/jwks");
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.True(JsonDocument.Parse(await keys.Content.ReadAsStringAsync()).RootElement.TryGetProperty("keys", out _));
    }

    [Fact]
    public async Task The_consent_page_says_in_the_readers_language_who_asks_for_what_and_escapes_the_apps_name()
    {
        const string redirect = "https://app.example/callback";
        var app = await (await _f.Client().PostAsJsonAsync("/api/v1/apps", new { client_name = "<script>alert(1)</script> Appli\u202E", redirect_uris = redirect, scopes = "read write follow" })).OkJsonAsync();
        var (_, challenge) = Pkce();
        var browser = Browser();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr-FR");
        var html = await ConsentPageAsync(browser, app.Str("client_id"), redirect, challenge, "read follow");

        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; Appli", html, StringComparison.Ordinal);
        Assert.Contains("Autoriser", html, StringComparison.Ordinal);
        Assert.Contains("Lire vos fils", html, StringComparison.Ordinal);
        Assert.Contains("Suivre et ne plus suivre", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Publier, modifier", html, StringComparison.Ordinal); // write was not asked
        Assert.Contains("app.example", html, StringComparison.Ordinal);
        Assert.Contains("<main", html, StringComparison.Ordinal); // the app's own frame, with its landmarks

        var deny = HtmlForms.HiddenFields(html, "/oauth/authorize");
        deny.Add(KeyValuePair.Create("decision", "deny"));
        var denied = await browser.PostAsync("/oauth/authorize", new FormUrlEncodedContent(deny));
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith(redirect, denied.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("error=access_denied", denied.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // A forged decision without the page's antiforgery token issues nothing.
        var forged = HtmlForms.HiddenFields(html, "/oauth/authorize").Where(f => f.Key != "__RequestVerificationToken").ToList();
        forged.Add(KeyValuePair.Create("decision", "approve"));
        var refused = await browser.PostAsync("/oauth/authorize", new FormUrlEncodedContent(forged));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    private async Task<HttpResponseMessage> ExchangeAsync(string clientId, string secret, string code, string redirect, string verifier) =>
        await _f.Client().PostAsync("/oauth/token", ApiAssert.Form(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect),
            ("client_id", clientId), ("client_secret", secret), ("code_verifier", verifier)));

    [Fact]
    public async Task Authorization_code_with_pkce_signs_in_a_mastodon_client_and_revocation_ends_it()
    {
        const string redirect = "gazouille-test://callback";
        var (clientId, secret) = await RegisterAsync(redirect);
        var (verifier, challenge) = Pkce();
        var browser = Browser();
        var approved = await AuthorizeAsync(browser, clientId, redirect, challenge);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var location = approved.Headers.Location!.OriginalString;
        Assert.StartsWith(redirect, location, StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(location).Query);
        Assert.Equal("xyz", query["state"]);
        var code = query["code"]!;

        var token = await (await ExchangeAsync(clientId, secret, code, redirect, verifier)).OkJsonAsync();
        var accessToken = token.Str("access_token");
        Assert.Equal("Bearer", token.Str("token_type"), ignoreCase: true);
        var api = _f.Client(accessToken);
        Assert.Equal("alice", (await api.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
        Assert.Equal("Test app", (await api.GetOkAsync("/api/v1/apps/verify_credentials")).Str("name"));
        await api.PostStatusAsync("posted through OAuth");

        // Streams opened with the token end with it, over both transports; another token's stream goes on.
        await using var sse = await SseStream.OpenAsync(api, "/api/v1/streaming/user");
        await using var ws = await WsStream.ConnectAsync(_f, accessToken);
        await ws.SubscribeAndWaitAsync("user");
        await using var other = await SseStream.OpenAsync(_f.Client(await _f.TokenAsync(_aliceId)), "/api/v1/streaming/user");

        var revoke = await _f.Client().PostAsync("/oauth/revoke", ApiAssert.Form(("token", accessToken), ("client_id", clientId), ("client_secret", secret)));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await (await api.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
        Assert.Null(await sse.NextAsync(TimeSpan.FromSeconds(3)));
        Assert.Null(await ws.NextAsync(TimeSpan.FromSeconds(3)));
        var after = await (await _f.Client(await _f.TokenAsync(_aliceId)).PostAsJsonAsync("/api/v1/statuses", new { status = "after the revocation" })).OkJsonAsync();
        Assert.Equal(after.Str("id"), JsonDocument.Parse((await other.NextAsync())!.Payload).RootElement.Str("id"));

        // A code is good once (a replay also revokes what it gave, in OpenIddict, so it is tried last).
        var replay = await ExchangeAsync(clientId, secret, code, redirect, verifier);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
    }

    [Fact]
    public async Task Sign_ins_of_admins_on_the_web_and_through_oauth_are_audited_and_others_are_not()
    {
        await _f.CreateUserAsync("root", Gazouille.Data.Entities.AccountRole.Admin);
        const string redirect = "gazouille-test://callback";
        var (clientId, secret) = await RegisterAsync(redirect);
        async Task<List<Gazouille.Data.Entities.AuditEntry>> SignInsAsync() => await _f.WithScopeAsync(sp =>
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
                sp.GetRequiredService<Gazouille.Data.GazouilleDb>().AuditEntries.Where(e => e.Action == "admin.sign_in").OrderBy(e => e.Seq)));
        foreach (var login in new[] { "alice", "root" })
        {
            var (verifier, challenge) = Pkce();
            var approved = await AuthorizeAsync(Browser(), clientId, redirect, challenge, login: login);
            var code = System.Web.HttpUtility.ParseQueryString(new Uri(approved.Headers.Location!.OriginalString).Query)["code"]!;
            Assert.Equal(HttpStatusCode.OK, (await ExchangeAsync(clientId, secret, code, redirect, verifier)).StatusCode);
        }
        var entries = await SignInsAsync();
        Assert.Equal(["web", "oauth"], entries.Select(e => System.Text.Json.JsonDocument.Parse(e.Details).RootElement.GetProperty("method").GetString()));
        Assert.All(entries, e => Assert.Equal("@root", e.Actor));
        Assert.Equal(clientId, System.Text.Json.JsonDocument.Parse(entries[1].Details).RootElement.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task Token_exchange_and_revocation_accept_json_bodies_as_mastodon_clients_send_them()
    {
        const string redirect = "https://client.example/json";
        var (clientId, secret) = await RegisterAsync(redirect);
        var (verifier, challenge) = Pkce();
        var approved = await AuthorizeAsync(Browser(), clientId, redirect, challenge);
        var code = System.Web.HttpUtility.ParseQueryString(approved.Headers.Location!.Query)["code"]!;

        var token = await (await _f.Client().PostAsJsonAsync("/oauth/token", new
        {
            grant_type = "authorization_code", code, redirect_uri = redirect, client_id = clientId, client_secret = secret, code_verifier = verifier,
            scope = "read write", // masto repeats the scope here, as Mastodon allows
        })).OkJsonAsync();
        var api = _f.Client(token.Str("access_token"));
        Assert.Equal("alice", (await api.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));

        var revoke = await _f.Client().PostAsJsonAsync("/oauth/revoke", new { token = token.Str("access_token"), client_id = clientId, client_secret = secret });
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await (await api.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);

        var malformed = await _f.Client().PostAsync("/oauth/token", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        await malformed.ErrorAsync(HttpStatusCode.BadRequest);
        // Valid JSON holding an escaped lone surrogate, as a value and as a name (found by the API fuzzer): 400, not 500.
        foreach (var json in new[] { """{"grant_type":"\uD800"}""", """{"\uDC00":"x"}""" })
        {
            var surrogate = await _f.Client().PostAsync("/oauth/token", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
            Assert.Contains("not valid Unicode", await surrogate.ErrorAsync(HttpStatusCode.BadRequest), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_wrong_code_verifier_is_refused()
    {
        const string redirect = "https://client.example/cb";
        var (clientId, secret) = await RegisterAsync(redirect);
        var (_, challenge) = Pkce();
        var approved = await AuthorizeAsync(Browser(), clientId, redirect, challenge);
        var code = System.Web.HttpUtility.ParseQueryString(new Uri(approved.Headers.Location!.OriginalString).Query)["code"]!;
        var (otherVerifier, _) = Pkce();
        var refused = await ExchangeAsync(clientId, secret, code, redirect, otherVerifier);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("invalid_grant", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_band_redirect_shows_the_code_on_a_page()
    {
        const string oob = "urn:ietf:wg:oauth:2.0:oob";
        var (clientId, secret) = await RegisterAsync(oob);
        var (verifier, challenge) = Pkce();
        var page = await AuthorizeAsync(Browser(), clientId, oob, challenge);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode} {page.Headers.Location} {html}");
        var code = WebUtility.HtmlDecode(Regex.Match(html, """<code id="code">([^<]+)</code>""").Groups[1].Value);
        Assert.NotEmpty(code);
        var token = await (await ExchangeAsync(clientId, secret, code, oob, verifier)).OkJsonAsync();
        Assert.Equal("alice", (await _f.Client(token.Str("access_token")).GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
    }

    [Fact]
    public async Task Wrong_password_shows_the_sign_in_page_again_without_a_session()
    {
        var browser = Browser();
        var page = await browser.GetAsync("/auth/sign_in?returnUrl=%2F");
        var fields = HtmlForms.HiddenFields(await page.Content.ReadAsStringAsync(), "/auth/sign_in");
        fields.Add(KeyValuePair.Create("login", "alice"));
        fields.Add(KeyValuePair.Create("password", "wrong"));
        var answer = await browser.PostAsync("/auth/sign_in", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("role=\"alert\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noToken = await browser.PostAsync("/auth/sign_in", ApiAssert.Form(("login", "alice"), ("password", "correct horse battery")));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
    }

    [Fact]
    public async Task Client_credentials_token_identifies_the_app_but_cannot_post()
    {
        var (clientId, secret) = await RegisterAsync("https://client.example/cb");
        var token = await (await _f.Client().PostAsync("/oauth/token", ApiAssert.Form(("grant_type", "client_credentials"), ("client_id", clientId),
            ("client_secret", secret), ("scope", "read write")))).OkJsonAsync();
        var app = _f.Client(token.Str("access_token"));
        Assert.Equal("Test app", (await app.GetOkAsync("/api/v1/apps/verify_credentials")).Str("name"));
        var post = await app.PostAsJsonAsync("/api/v1/statuses", new { status = "I am no one" });
        Assert.True(post.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"got {(int)post.StatusCode}");
        ApiAssert.NoLeakOfInternals(await post.Content.ReadAsStringAsync());
        var me = await app.GetAsync("/api/v1/accounts/verify_credentials");
        Assert.True(me.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"got {(int)me.StatusCode}");
        var badSecret = await _f.Client().PostAsync("/oauth/token", ApiAssert.Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", "nope")));
        Assert.True(badSecret.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"got {(int)badSecret.StatusCode}");
        await (await _f.Client().GetAsync("/api/v1/apps/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("", "https://ok.example/cb", "read")]
    [InlineData("App", "", "read")]
    [InlineData("App", "javascript:alert(1)", "read")]
    [InlineData("App", "not a uri", "read")]
    [InlineData("App", "https://ok.example/cb#fragment", "read")]
    [InlineData("App", "https://ok.example/cb", "read admin:everything")]
    [InlineData("App", "https://ok.example/cb", "root")]
    public async Task Registering_an_app_with_invalid_fields_answers_422(string name, string redirect, string scopes)
    {
        var error = await (await _f.Client().PostAsJsonAsync("/api/v1/apps", new { client_name = name, redirect_uris = redirect, scopes })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("Validation failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_server_metadata_advertises_pkce()
    {
        var meta = await _f.Client().GetOkAsync("/.well-known/oauth-authorization-server");
        Assert.Contains("S256", meta.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.EndsWith("/oauth/token", meta.Str("token_endpoint"), StringComparison.Ordinal);
    }
}
