using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Gazouille.Tests;

/// <summary>
/// Two servers on one database, as two nodes behind a load balancer: whatever one node issues (sign-in cookie,
/// antiforgery token, authorization code, access token, revocation) the other honours, because the Data Protection
/// keys and OpenIddict's keys live in the database. Runs on SQLite (two processes on one file) and on PostgreSQL.
/// </summary>
public sealed class SeveralNodesTests : IAsyncLifetime
{
    private TestData _data = null!;
    private GazouilleFactory _a = null!;
    private GazouilleFactory _b = null!;

    public async ValueTask InitializeAsync()
    {
        _data = await TestData.CreateAsync();
        _a = await GazouilleFactory.StartAsync(data: _data);
        _b = await GazouilleFactory.StartAsync(data: _data);
        await _a.CreateUserAsync("alice");
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _data.DisposeAsync();
    }

    /// <summary>Sends each request to the node the test names, like a load balancer without sticky sessions.</summary>
    private sealed class LoadBalancer(HttpMessageHandler a, HttpMessageHandler b) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _a = new(a), _b = new(b);
        public bool ToB { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            (ToB ? _b : _a).SendAsync(request, cancellationToken);
    }

    [Fact]
    public async Task A_browser_session_made_on_one_node_is_signed_in_on_the_other()
    {
        var balancer = new LoadBalancer(_a.Server.CreateHandler(), _b.Server.CreateHandler());
        var browser = new WebBrowser(new HttpClient(new CookieJar(balancer)) { BaseAddress = new Uri("http://localhost/") });
        // The sign-in form comes from A and is posted to B: B must accept A's antiforgery token and then B's cookie on A.
        var form = HtmlForms.HiddenFields(await browser.PageAsync("/auth/sign_in"), "/auth/sign_in");
        form.Add(KeyValuePair.Create("login", "alice"));
        form.Add(KeyValuePair.Create("password", "correct horse battery"));
        balancer.ToB = true;
        var signedIn = await browser.Http.PostAsync("/auth/sign_in", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        balancer.ToB = false;
        var onA = await browser.PageAsync("/settings/profile");
        Assert.Contains("alice", onA, StringComparison.Ordinal);
        balancer.ToB = true;
        Assert.Contains("alice", await browser.PageAsync("/settings/profile"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oauth_flow_spread_over_both_nodes_gives_a_token_both_accept_until_one_revokes_it()
    {
        const string redirect = "gazouille-test://callback";
        var app = await (await _a.Client().PostAsJsonAsync("/api/v1/apps", new { client_name = "Two nodes", redirect_uris = redirect, scopes = "read write" })).OkJsonAsync();
        var (clientId, secret) = (app.Str("client_id"), app.Str("client_secret"));
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var balancer = new LoadBalancer(_a.Server.CreateHandler(), _b.Server.CreateHandler());
        var browser = new HttpClient(new CookieJar(balancer)) { BaseAddress = new Uri("http://localhost/") };
        var authorize = $"/oauth/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(redirect)}" +
                        $"&scope=read%20write&code_challenge={challenge}&code_challenge_method=S256&state=xyz";
        var first = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        balancer.ToB = true;
        var signInUrl = first.Headers.Location!.OriginalString;
        var fields = HtmlForms.HiddenFields(await (await browser.GetAsync(signInUrl)).Content.ReadAsStringAsync(), "/auth/sign_in");
        fields.Add(KeyValuePair.Create("login", "alice"));
        fields.Add(KeyValuePair.Create("password", "correct horse battery"));
        balancer.ToB = false;
        var signedIn = await browser.PostAsync("/auth/sign_in", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        balancer.ToB = true;
        var consent = await browser.GetAsync(signedIn.Headers.Location!.OriginalString);
        var consentHtml = await consent.Content.ReadAsStringAsync();
        Assert.True(consent.StatusCode == HttpStatusCode.OK, consentHtml);
        var approve = HtmlForms.HiddenFields(consentHtml, "/oauth/authorize");
        approve.Add(KeyValuePair.Create("decision", "approve"));
        balancer.ToB = false;
        var approved = await browser.PostAsync("/oauth/authorize", new FormUrlEncodedContent(approve));
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var code = System.Web.HttpUtility.ParseQueryString(approved.Headers.Location!.Query)["code"]!;

        var token = await (await _b.Client().PostAsync("/oauth/token", ApiAssert.Form(("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", redirect), ("client_id", clientId), ("client_secret", secret), ("code_verifier", verifier)))).OkJsonAsync();
        var accessToken = token.Str("access_token");
        foreach (var node in new[] { _a, _b })
            Assert.Equal("alice", (await node.Client(accessToken).GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));

        var revoked = await _a.Client().PostAsync("/oauth/revoke", ApiAssert.Form(("token", accessToken), ("client_id", clientId), ("client_secret", secret)));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        await (await _b.Client(accessToken).GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_picture_uploaded_on_one_node_is_served_by_the_other_and_a_replaced_one_by_neither()
    {
        var token = await _a.TokenAsync(await _a.WithScopeAsync(sp => sp.GetRequiredService<Gazouille.Data.GazouilleDb>().Users.Where(u => u.UserName == "alice").Select(u => u.Id).SingleAsync()));
        static MultipartFormDataContent Avatar()
        {
            var file = new ByteArrayContent(AccountsApiTests.TinyPng);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            return new MultipartFormDataContent { { file, "avatar", "me.png" } };
        }
        var first = new Uri((await (await _a.Client(token).PatchAsync("/api/v1/accounts/update_credentials", Avatar())).OkJsonAsync()).Str("avatar"));
        var onB = await _b.Client().GetAsync(first.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        Assert.Equal(AccountsApiTests.TinyPng, await onB.Content.ReadAsByteArrayAsync());
        // Served from the database: no node wrote it to a disk of its own.
        var media = _a.Services.GetRequiredService<Gazouille.Hosting.DataLocation>().MediaDirectory;
        Assert.Empty(Directory.Exists(media) ? Directory.GetFiles(media, "*", SearchOption.AllDirectories) : []);

        var second = new Uri((await (await _b.Client(token).PatchAsync("/api/v1/accounts/update_credentials", Avatar())).OkJsonAsync()).Str("avatar"));
        Assert.Equal(HttpStatusCode.OK, (await _a.Client().GetAsync(second.PathAndQuery)).StatusCode);
        foreach (var node in new[] { _a, _b })
            Assert.Equal(HttpStatusCode.NotFound, (await node.Client().GetAsync(first.PathAndQuery)).StatusCode);
    }

    [Fact]
    public void Both_nodes_sign_with_the_same_keys()
    {
        static string[] KeyIds(GazouilleFactory node)
        {
            var options = node.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
            return [.. options.SigningCredentials.Select(c => c.Key.KeyId), .. options.EncryptionCredentials.Select(c => c.Key.KeyId ?? Convert.ToBase64String(SHA256.HashData(((Microsoft.IdentityModel.Tokens.SymmetricSecurityKey)c.Key).Key)))];
        }
        var onA = KeyIds(_a);
        Assert.NotEmpty(onA);
        Assert.Equal(onA, KeyIds(_b));
    }
}
