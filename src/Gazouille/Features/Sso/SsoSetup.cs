using System.Text.RegularExpressions;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gazouille.Features.Sso;

/// <summary>
/// One OpenID Connect scheme (ASP.NET Core's handler: authorization code with PKCE) per configured provider. The schemes
/// are added when the authentication options are first read, so every configuration source counts, and the handler signs
/// in to Identity's external cookie; <see cref="SsoModel"/> then finds or creates the account.
/// </summary>
public static partial class SsoSetup
{
    public const string SchemePrefix = "sso-";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex KeyPattern();

    public static bool IsValidKey(string key) => KeyPattern().IsMatch(key);

    public static string Scheme(string key) => SchemePrefix + key.ToLowerInvariant();

    public static string CallbackPath(string key) => $"/auth/sso/{key.ToLowerInvariant()}/callback";

    /// <summary>The authentication method of a browser session made by single sign-on with the provider <paramref name="key"/>.</summary>
    public static string AuthenticationMethod(string key) => "sso:" + key.ToLowerInvariant();

    /// <summary>Where the provider sends the browser back after signing out there.</summary>
    public static string SignedOutPath(string key) => $"/auth/sso/{key.ToLowerInvariant()}/signed_out";

    /// <summary>The HttpContext item that carries the session's ID token to the sign-out request (never into its state).</summary>
    public const string IdTokenHintItem = "gazouille.sso.id_token_hint";

    public static IServiceCollection AddGazouilleSso(this IServiceCollection services)
    {
        services.AddSingleton<IPostConfigureOptions<AuthenticationOptions>, SsoSchemes>();
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, SsoHandlerOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.ExternalScheme, o =>
        {
            // Holds who the provider said this is for the few seconds between its answer and the account's own session.
            o.Cookie.Name = "gazouille_sso";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });
        services.AddScoped<SsoAccounts>();
        return services;
    }

    /// <summary>The configured providers with a valid key, an authority and a client id (the others are reported at start).</summary>
    public static IEnumerable<(string Key, SsoProviderSettings Provider)> Providers(GazouilleSettings settings) =>
        settings.Sso.Providers
            .Where(p => IsValidKey(p.Key.ToLowerInvariant()) && !string.IsNullOrWhiteSpace(p.Value.Authority) && !string.IsNullOrWhiteSpace(p.Value.ClientId))
            .Select(p => (p.Key.ToLowerInvariant(), p.Value))
            .OrderBy(p => p.Item1, StringComparer.Ordinal);

    public static SsoProviderSettings? Find(GazouilleSettings settings, string? key) =>
        key is null ? null : Providers(settings).Where(p => p.Key == key.ToLowerInvariant()).Select(p => p.Provider).FirstOrDefault();

    private sealed class SsoSchemes(IOptions<GazouilleSettings> settings, ILogger<SsoSchemes> log) : IPostConfigureOptions<AuthenticationOptions>
    {
        public void PostConfigure(string? name, AuthenticationOptions options)
        {
            foreach (var (key, value) in settings.Value.Sso.Providers)
                if (!IsValidKey(key.ToLowerInvariant()) || string.IsNullOrWhiteSpace(value.Authority) || string.IsNullOrWhiteSpace(value.ClientId))
                    log.LogError("Single sign-on provider '{Key}' is ignored: its key must be 1 to 32 lowercase letters, digits or dashes, and it needs an Authority and a ClientId.", key);
            foreach (var (key, provider) in Providers(settings.Value))
                options.AddScheme(Scheme(key), b =>
                {
                    b.HandlerType = typeof(OpenIdConnectHandler);
                    b.DisplayName = string.IsNullOrWhiteSpace(provider.DisplayName) ? key : provider.DisplayName;
                });
        }
    }

    private sealed class SsoHandlerOptions(IOptions<GazouilleSettings> settings) : IConfigureNamedOptions<OpenIdConnectOptions>
    {
        public void Configure(OpenIdConnectOptions options) { }

        public void Configure(string? name, OpenIdConnectOptions options)
        {
            if (name is null || !name.StartsWith(SchemePrefix, StringComparison.Ordinal)) return;
            var key = name[SchemePrefix.Length..];
            var provider = Find(settings.Value, key);
            if (provider is null) return;
            options.Authority = provider.Authority.TrimEnd('/');
            options.ClientId = provider.ClientId;
            options.ClientSecret = string.IsNullOrEmpty(provider.ClientSecret) ? null : provider.ClientSecret;
            options.RequireHttpsMetadata = provider.RequireHttpsMetadata;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.UsePkce = true;
            // The answer comes back as a top-level GET, so the correlation and nonce cookies can be SameSite=Lax and work over
            // plain HTTP on a laptop as well as behind TLS (form_post would need SameSite=None, hence Secure).
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.CallbackPath = CallbackPath(key);
            options.SignedOutCallbackPath = SignedOutPath(key);
            options.RemoteSignOutPath = $"/auth/sso/{key}/remote_sign_out";
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.SignOutScheme = IdentityConstants.ExternalScheme;
            options.MapInboundClaims = false;
            // The ID token is kept (in the stored browser session, never in a cookie) as the hint for signing out at the provider.
            options.SaveTokens = true;
            options.GetClaimsFromUserInfoEndpoint = provider.UseUserInfoEndpoint;
            options.Scope.Clear();
            foreach (var scope in (provider.Scopes.Count > 0 ? provider.Scopes : ["profile", "email"]).Prepend("openid").Distinct(StringComparer.Ordinal)) options.Scope.Add(scope);
            options.ClaimActions.MapUniqueJsonKey(provider.EmailClaim, provider.EmailClaim);
            options.ClaimActions.MapUniqueJsonKey(provider.NameClaim, provider.NameClaim);
            options.ClaimActions.MapUniqueJsonKey(provider.EmailVerifiedClaim, provider.EmailVerifiedClaim);
            options.ClaimActions.MapJsonKey(provider.RoleClaim, provider.RoleClaim);
            options.Events = new SsoEvents(key);
        }
    }

    /// <summary>Redirects that do not depend on the request's host, and refusals and errors shown as a page, never a 500.</summary>
    private sealed class SsoEvents(string key) : OpenIdConnectEvents
    {
        public override Task RedirectToIdentityProvider(RedirectContext context)
        {
            var baseUrl = context.HttpContext.RequestServices.GetRequiredService<IOptions<GazouilleSettings>>().Value.Instance.BaseUrl;
            if (!string.IsNullOrWhiteSpace(baseUrl)) context.ProtocolMessage.RedirectUri = baseUrl.TrimEnd('/') + CallbackPath(key);
            return Task.CompletedTask;
        }

        public override Task RedirectToIdentityProviderForSignOut(RedirectContext context)
        {
            var baseUrl = context.HttpContext.RequestServices.GetRequiredService<IOptions<GazouilleSettings>>().Value.Instance.BaseUrl;
            if (!string.IsNullOrWhiteSpace(baseUrl)) context.ProtocolMessage.PostLogoutRedirectUri = baseUrl.TrimEnd('/') + SignedOutPath(key);
            if (context.HttpContext.Items[IdTokenHintItem] is string hint) context.ProtocolMessage.IdTokenHint = hint;
            return Task.CompletedTask;
        }

        public override Task AccessDenied(AccessDeniedContext context)
        {
            context.Response.Redirect($"/auth/sso/{key}/failed?reason=denied");
            context.HandleResponse();
            return Task.CompletedTask;
        }

        public override Task RemoteFailure(RemoteFailureContext context)
        {
            // The exception says what went wrong (state, correlation, token); it never holds the client secret.
            context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gazouille.Sso")
                .LogWarning("Single sign-on with '{Key}' failed: {Reason}", key, context.Failure?.Message);
            context.Response.Redirect($"/auth/sso/{key}/failed?reason=error");
            context.HandleResponse();
            return Task.CompletedTask;
        }
    }
}
