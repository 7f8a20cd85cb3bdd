using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Gazouille.Data;
using Gazouille.Features.OAuth;
using Microsoft.EntityFrameworkCore;
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

    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

    /// <summary>Sets a User-Agent and remembers the last session cookie the server gave (to replay it after it ended).</summary>
    private sealed class SessionCookieRecorder(HttpMessageHandler inner, string? userAgent) : DelegatingHandler(inner)
    {
        public string? Cookie { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (userAgent is not null) request.Headers.UserAgent.ParseAdd(userAgent);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
                foreach (var header in values)
                    if (header.StartsWith("gazouille_session=", StringComparison.Ordinal) && !header.StartsWith("gazouille_session=;", StringComparison.Ordinal))
                        Cookie = header.Split(';')[0];
            return response;
        }
    }

    private static async Task<(WebBrowser Browser, SessionCookieRecorder Recorder)> SignInWithAsync(GazouilleFactory f, string username, string? userAgent)
    {
        var recorder = new SessionCookieRecorder(f.Server.CreateHandler(), userAgent);
        var browser = new WebBrowser(new HttpClient(new CookieJar(recorder)) { BaseAddress = new Uri("http://localhost/") });
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SubmitAsync("/auth/sign_in", "/auth/sign_in", ("login", username), ("password", "correct horse battery"))).StatusCode);
        Assert.NotNull(recorder.Cookie);
        return (browser, recorder);
    }

    private Task<int> SessionCountAsync(long accountId) =>
        _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().BrowserSessions.CountAsync(s => s.AccountId == accountId));

    private static async Task<HttpStatusCode> WithCookieAsync(GazouilleFactory f, string cookie, string url = "/api/v1/accounts/verify_credentials")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return (await f.Client().SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Each_browser_is_listed_and_ended_on_its_own_and_signing_out_deletes_the_session()
    {
        var aliceId = await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        var here = await WebBrowser.SignInAsync(_f, "alice", "fr");
        var (firefox, recorder) = await SignInWithAsync(_f, "alice", Firefox);
        Assert.Equal(2, await SessionCountAsync(aliceId));

        var page = WebUtility.HtmlDecode(await here.PageAsync("/settings/sessions"));
        Assert.Contains("Firefox, Linux", page, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "Ce navigateur<"));
        var ids = System.Text.RegularExpressions.Regex.Matches(page, "name=\"id\" value=\"([A-Za-z0-9_-]{22})\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, ids.Count);
        // The Firefox row is the one not marked as this browser (this browser is listed first).
        var firefoxId = ids[1];

        // Bob neither sees nor ends alice's browser.
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        Assert.DoesNotContain("Firefox", await bob.PageAsync("/settings/sessions"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.SubmitAsync("/settings/sessions", "/settings/sessions?handler=browser", ("id", firefoxId))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firefox.Http.GetAsync("/settings/profile")).StatusCode);

        // Alice ends the Firefox session from here: Firefox is signed out at once (its cached ticket included), here stays.
        Assert.Equal(HttpStatusCode.Redirect, (await here.SubmitAsync("/settings/sessions", "/settings/sessions?handler=browser", ("id", firefoxId))).StatusCode);
        var gone = await firefox.Http.GetAsync("/settings/profile");
        Assert.Equal(HttpStatusCode.Redirect, gone.StatusCode);
        Assert.Contains("/auth/sign_in", gone.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(_f, recorder.Cookie!));
        Assert.Contains("Navigateur déconnecté", WebUtility.HtmlDecode(await here.PageAsync("/settings/sessions")), StringComparison.Ordinal);
        Assert.Equal(1, await SessionCountAsync(aliceId));

        // Signing out deletes the session: the cookie, replayed, no longer works.
        var (again, againRecorder) = await SignInWithAsync(_f, "alice", Firefox);
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(_f, againRecorder.Cookie!));
        Assert.Equal(HttpStatusCode.Redirect, (await again.SubmitAsync("/settings/profile", "/auth/sign_out")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(_f, againRecorder.Cookie!));
        Assert.Equal(1, await SessionCountAsync(aliceId));

        var (_, admin) = await _f.SignedInAsync("root", Data.Entities.AccountRole.Admin);
        Assert.Contains("account.end_session", await (await admin.GetAsync("/api/v1/gazouille/admin/audit")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // An administrator ending alice's sessions deletes every one of them.
        await admin.PostOkAsync($"/api/v1/gazouille/admin/accounts/{aliceId}/revoke_sessions");
        Assert.Equal(0, await SessionCountAsync(aliceId));
        Assert.Equal(HttpStatusCode.Redirect, (await here.Http.GetAsync("/settings/sessions")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_everywhere_else_deletes_the_other_sessions_and_keeps_this_one()
    {
        var aliceId = await _f.CreateUserAsync("alice");
        var (here, hereCookie) = await SignInWithAsync(_f, "alice", null);
        var (_, other1) = await SignInWithAsync(_f, "alice", Firefox);
        var (_, other2) = await SignInWithAsync(_f, "alice", "curl/8.0");
        Assert.Equal(3, await SessionCountAsync(aliceId));
        Assert.Equal(HttpStatusCode.Redirect, (await here.SubmitAsync("/settings/sessions", "/settings/sessions?handler=others")).StatusCode);
        Assert.Equal(1, await SessionCountAsync(aliceId));
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(_f, hereCookie.Cookie!));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(_f, other1.Cookie!));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(_f, other2.Cookie!));
    }

    [Fact]
    public async Task A_session_is_seen_at_most_once_a_minute_and_an_expired_one_is_refused()
    {
        var aliceId = await _f.CreateUserAsync("alice");
        var (_, recorder) = await SignInWithAsync(_f, "alice", Firefox);
        var longAgo = DateTimeOffset.UtcNow.AddMinutes(-10);
        await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().BrowserSessions.Where(s => s.AccountId == aliceId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, longAgo)));
        async Task<DateTimeOffset> LastSeenAsync() =>
            await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().BrowserSessions.Where(s => s.AccountId == aliceId).Select(s => s.LastSeenAt).SingleAsync());

        // The ticket is in the node's memory for a few seconds: the database is read (and the time written) after that.
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(_f, recorder.Cookie!));
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(_f, recorder.Cookie!));
        var seen = await LastSeenAsync();
        Assert.True(seen > longAgo.AddMinutes(9), $"last seen {seen:O}");
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(_f, recorder.Cookie!));
        Assert.Equal(seen, await LastSeenAsync());

        var expired = DateTimeOffset.UtcNow.AddMinutes(-1);
        await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().BrowserSessions.Where(s => s.AccountId == aliceId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ExpiresAt, expired)));
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(_f, recorder.Cookie!));
    }

    [Fact]
    public async Task Ending_a_session_on_one_node_signs_that_browser_out_on_the_other_at_once()
    {
        await using var redis = await RedisServer.StartAsync();
        // Ten minutes in memory: only the event over Redis can make node B forget the session this soon.
        var settings = new Dictionary<string, string?> { ["Gazouille:Redis"] = redis.Address, ["Gazouille:Sessions:CacheSeconds"] = "600" };
        await using var a = await GazouilleFactory.StartAsync(settings);
        await using var b = await GazouilleFactory.StartAsync(settings, data: a.Data);
        await a.CreateUserAsync("alice");
        var (here, _) = await SignInWithAsync(a, "alice", null);
        var (_, firefox) = await SignInWithAsync(a, "alice", Firefox);
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(b, firefox.Cookie!));
        var firefoxId = await a.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().BrowserSessions.Where(s => s.UserAgent == "Firefox, Linux").Select(s => s.Id).SingleAsync());

        Assert.Equal(HttpStatusCode.Redirect, (await here.SubmitAsync("/settings/sessions", "/settings/sessions?handler=browser", ("id", firefoxId))).StatusCode);
        var refused = System.Diagnostics.Stopwatch.StartNew();
        while (await WithCookieAsync(b, firefox.Cookie!) != HttpStatusCode.Unauthorized)
        {
            Assert.True(refused.Elapsed < TimeSpan.FromSeconds(5), "node B still accepts the ended session");
            await Task.Delay(20);
        }
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(b, (await SignInWithAsync(b, "alice", null)).Recorder.Cookie!));
    }

    [Fact]
    public async Task The_api_lists_and_ends_ones_own_browsers_apps_and_tokens_and_nobody_elses()
    {
        var aliceId = await _f.CreateUserAsync("alice");
        var (_, bob) = await _f.SignedInAsync("bob");
        var (here, _) = await SignInWithAsync(_f, "alice", null);
        var (_, firefox) = await SignInWithAsync(_f, "alice", Firefox);
        var appToken = await AuthorizeAppAsync(here, "Appli <b>mobile</b>");
        var script = await _f.WithScopeAsync(sp => PersonalAccessTokens.CreateAsync(sp.GetRequiredService<GazouilleDb>(), aliceId, ["read"], "script de sauvegarde"));
        var alice = _f.Client(await _f.TokenAsync(aliceId));

        // Through the browser's own cookie, its session is the current one.
        var fromBrowser = await (await here.Http.GetAsync("/api/v1/gazouille/sessions")).OkJsonAsync();
        var browsers = fromBrowser.EnumerateArray().Where(e => e.Str("type") == "browser").ToList();
        Assert.Equal(2, browsers.Count);
        Assert.Single(browsers, e => e.GetProperty("current").GetBoolean());
        var firefoxEntry = Assert.Single(browsers, e => e.Str("name") == "Firefox, Linux");
        Assert.False(firefoxEntry.GetProperty("current").GetBoolean());
        Assert.NotEmpty(firefoxEntry.Str("last_seen_at"));

        var list = (await alice.GetOkAsync("/api/v1/gazouille/sessions")).EnumerateArray().ToList();
        var app = Assert.Single(list, e => e.Str("type") == "app");
        Assert.Equal("Appli <b>mobile</b>", app.Str("name"));
        Assert.Equal(1, app.GetProperty("tokens").GetInt32());
        var token = Assert.Single(list, e => e.Str("type") == "token" && e.Str("name") == "script de sauvegarde");
        Assert.Equal("read", token.Str("scopes"));
        Assert.DoesNotContain(list, e => e.ToString().Contains(script, StringComparison.Ordinal) || e.ToString().Contains(appToken, StringComparison.Ordinal));

        // Bob sees none of it and ends none of it: the same 404 as for ids that do not exist.
        var bobList = (await bob.GetOkAsync("/api/v1/gazouille/sessions")).ToString();
        Assert.DoesNotContain("Firefox", bobList, StringComparison.Ordinal);
        Assert.DoesNotContain("script de sauvegarde", bobList, StringComparison.Ordinal);
        foreach (var id in new[] { firefoxEntry.Str("id"), app.Str("id"), token.Str("id") })
            await (await bob.DeleteAsync($"/api/v1/gazouille/sessions/{Uri.EscapeDataString(id)}")).NotFoundAsync();
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(_f, firefox.Cookie!));
        Assert.Equal(HttpStatusCode.OK, (await _f.Client(script).GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        // Hostile ids: a clear 4xx, never a 500, nothing ended.
        foreach (var hostile in new[] { "browser:../../etc", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "token:abc", "token:-1", "token:99999999999999999999999",
                     "app:", "browser:", ":", "browser:AAAAAAAAAAAAAAAAAAAAAA", "app:" + new string('x', 3000), "token:1%27%20OR%201=1", "%E2%80%AE" })
        {
            var answer = await alice.DeleteAsync($"/api/v1/gazouille/sessions/{hostile}");
            Assert.True((int)answer.StatusCode is >= 400 and < 500, $"{hostile}: {(int)answer.StatusCode}");
        }
        Assert.Equal(list.Count, (await alice.GetOkAsync("/api/v1/gazouille/sessions")).GetArrayLength());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _f.Client().GetAsync("/api/v1/gazouille/sessions")).StatusCode);
        // A read-only token lists but does not end.
        Assert.Equal(HttpStatusCode.OK, (await _f.Client(script).GetAsync("/api/v1/gazouille/sessions")).StatusCode);
        await (await _f.Client(script).DeleteAsync($"/api/v1/gazouille/sessions/{token.Str("id")}")).ErrorAsync(HttpStatusCode.Forbidden);

        // Alice ends each of them.
        (await alice.DeleteAsync($"/api/v1/gazouille/sessions/{firefoxEntry.Str("id")}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(_f, firefox.Cookie!));
        (await alice.DeleteAsync($"/api/v1/gazouille/sessions/{token.Str("id")}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _f.Client(script).GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        (await alice.DeleteAsync($"/api/v1/gazouille/sessions/{Uri.EscapeDataString(app.Str("id"))}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _f.Client(appToken).GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        await (await alice.DeleteAsync($"/api/v1/gazouille/sessions/{firefoxEntry.Str("id")}")).NotFoundAsync();
    }
}
