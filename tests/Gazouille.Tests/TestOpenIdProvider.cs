using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gazouille.Testing;

/// <summary>Who the test provider says the person is; <see cref="EmailVerified"/> null leaves the claim out (as Entra ID does).</summary>
public sealed record OpenIdUser(string Subject, string Email, string Name, bool? EmailVerified = true, params string[] Roles);

/// <summary>
/// A small OpenID Connect provider for tests, built with OpenIddict: authorization code with PKCE, ephemeral signing keys,
/// plain HTTP on 127.0.0.1 and a random port, clients in an in-memory SQLite database. Its "login" page signs in whoever
/// <see cref="User"/> is, after a click on Continue (Cancel answers access_denied). Stops with <see cref="DisposeAsync"/>.
/// Shared with the browser tests (linked into that project).
/// </summary>
public sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "gazouille";
    public const string ClientSecret = "test-client-secret-3b1f";
    public const string RoleClaim = "roles";

    private readonly WebApplication _app;
    private readonly SqliteConnection _connection;
    private volatile OpenIdUser _user = new("0", "nobody@example.invalid", "Nobody");

    private TestOpenIdProvider(WebApplication app, SqliteConnection connection, Uri authority)
    {
        _app = app;
        _connection = connection;
        Authority = authority;
    }

    /// <summary>The issuer, e.g. http://127.0.0.1:40123 (its discovery document is under /.well-known).</summary>
    public Uri Authority { get; }

    /// <summary>The person the next sign-in at this provider is.</summary>
    public OpenIdUser User { get => _user; set => _user = value; }

    private int _loginPages;

    /// <summary>How many times the login page was shown.</summary>
    public int LoginPages => Volatile.Read(ref _loginPages);

    public static async Task<TestOpenIdProvider> StartAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(TestOpenIdProvider).Assembly.GetName().Name });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<ProviderDb>(o => o.UseSqlite(connection).UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("/connect/authorize").SetTokenEndpointUris("/connect/token").SetEndSessionEndpointUris("/connect/logout");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles);
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableEndSessionEndpointPassthrough().DisableTransportSecurityRequirement();
            });
        var app = builder.Build();
        TestOpenIdProvider? self = null;
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (HttpContext http, CancellationToken _) => self!.AuthorizeAsync(http));
        app.MapMethods("/connect/logout", [HttpMethods.Get, HttpMethods.Post], (HttpContext http) => self!.EndSession(http));
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ProviderDb>().Database.EnsureCreatedAsync();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        if (!IPAddress.IsLoopback(IPAddress.Parse(address.Host))) throw new InvalidOperationException($"The test provider must listen on the loopback only, not {address}.");
        self = new TestOpenIdProvider(app, connection, new Uri(address.GetLeftPart(UriPartial.Authority)));
        return self;
    }

    private int _signOuts;

    /// <summary>How many RP-initiated sign-outs (end session requests) the provider accepted.</summary>
    public int SignOuts => Volatile.Read(ref _signOuts);

    /// <summary>Whether the last end session request carried an id_token_hint (OpenIddict has checked it was one of its own).</summary>
    public bool LastSignOutHadIdTokenHint { get; private set; }

    /// <summary>The end session endpoint: OpenIddict has validated the request (the post-logout address is the client's);
    /// signing out sends the browser back there.</summary>
    private IResult EndSession(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        LastSignOutHadIdTokenHint = !string.IsNullOrEmpty(request.IdTokenHint);
        Interlocked.Increment(ref _signOuts);
        return Results.SignOut(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>Registers Gazouille as a confidential client that may come back to <paramref name="redirectUri"/>.</summary>
    public async Task AddClientAsync(Uri redirectUri)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var existing = await applications.FindByClientIdAsync(ClientId);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId, ClientSecret = ClientSecret, ClientType = ClientTypes.Confidential, DisplayName = "Gazouille",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession, Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code, Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Scopes.Roles,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        if (existing is not null)
        {
            await applications.PopulateAsync(descriptor, existing);
            descriptor.RedirectUris.Add(redirectUri);
            descriptor.PostLogoutRedirectUris.Add(SignedOutUri(redirectUri));
            await applications.UpdateAsync(existing, descriptor);
        }
        else
        {
            descriptor.RedirectUris.Add(redirectUri);
            descriptor.PostLogoutRedirectUris.Add(SignedOutUri(redirectUri));
            await applications.CreateAsync(descriptor);
        }
    }

    /// <summary>Gazouille's way back after signing out at the provider: <c>…/callback</c> becomes <c>…/signed_out</c>.</summary>
    private static Uri SignedOutUri(Uri callback) => new(callback, "signed_out");

    private async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var user = User;
        if (HttpMethods.IsGet(http.Request.Method))
        {
            Interlocked.Increment(ref _loginPages);
            return Results.Content(LoginPage(http.Request.Query, user), "text/html; charset=utf-8");
        }
        var form = await http.Request.ReadFormAsync();
        if (form["decision"] != "allow")
            return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The person cancelled the sign-in.",
            }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject).SetClaim(Claims.Email, user.Email).SetClaim(Claims.Name, user.Name);
        if (user.EmailVerified is { } verified) identity.AddClaim(new Claim(Claims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean));
        foreach (var role in user.Roles) identity.AddClaim(new Claim(RoleClaim, role));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string LoginPage(IQueryCollection query, OpenIdUser user)
    {
        var fields = new StringBuilder();
        foreach (var (name, values) in query)
            foreach (var value in values)
                fields.Append($"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(name)}\" value=\"{WebUtility.HtmlEncode(value)}\">");
        return $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head><body>
            <h1>Test identity provider</h1>
            <p>Sign in to Gazouille as {WebUtility.HtmlEncode(user.Name)} ({WebUtility.HtmlEncode(user.Email)})?</p>
            <form method="post" action="/connect/authorize">{fields}
            <button type="submit" name="decision" value="allow">Continue</button>
            <button type="submit" name="decision" value="deny">Cancel</button>
            </form></body></html>
            """;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _connection.DisposeAsync();
    }

    internal sealed class ProviderDb(DbContextOptions<ProviderDb> options) : DbContext(options);
}
