using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Sso;
using Gazouille.Hosting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gazouille.Features.OAuth;

public static class AuthSetup
{
    public const string DefaultScheme = "Gazouille";

    /// <summary>Identity for local accounts, OpenIddict for OAuth, personal access tokens for scripts, one policy scheme choosing.</summary>
    public static IServiceCollection AddGazouilleAuth(this IServiceCollection services)
    {
        services.AddIdentity<Account, IdentityRole<long>>(Accounts.AccountRules.ConfigureIdentity)
            .AddEntityFrameworkStores<GazouilleDb>()
            .AddDefaultTokenProviders();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/auth/sign_in";
            o.LogoutPath = "/auth/sign_out";
            o.AccessDeniedPath = "/auth/sign_in";
            o.Cookie.Name = "gazouille_session";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(30);
        });
        // Browser sessions are stored one by one in the database, so people can list and end them (the cookie holds the id).
        services.AddSingleton<Accounts.BrowserSessionStore>();
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<Accounts.BrowserSessionStore>((o, store) => o.SessionStore = store);

        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, OAuthServerKeys>();
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<GazouilleDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("/oauth/authorize")
                 .SetTokenEndpointUris("/oauth/token")
                 .SetRevocationEndpointUris("/oauth/revoke")
                 .SetConfigurationEndpointUris("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server");
                o.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow().AllowRefreshTokenFlow();
                o.RegisterScopes(Scopes.All);
                // Mastodon tokens do not expire; revocation (checked on every request) ends them.
                o.SetAccessTokenLifetime(null);
                o.SetRefreshTokenLifetime(null);
                // Tokens are protected with ASP.NET Core Data Protection, whose keys live in the database, so every node
                // and every restart accepts them; the signing and encryption keys are in the database too (OAuthServerKeys).
                o.UseDataProtection();
                o.UseAspNetCore()
                 .EnableAuthorizationEndpointPassthrough()
                 .EnableTokenEndpointPassthrough()
                 .DisableTransportSecurityRequirement();
                o.AddEventHandler(OutOfBandRedirect.Descriptor);
                // A revoked token's open streams end at once, on every node (the event goes over the bus).
                o.AddEventHandler<OpenIddictServerEvents.HandleRevocationRequestContext>(b => b
                    .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1_000)
                    .SetType(OpenIddictServerHandlerType.Custom)
                    .UseInlineHandler(ctx =>
                    {
                        if (!ctx.IsRejected && ctx.GenericTokenPrincipal?.GetTokenId() is { Length: > 0 } tokenId)
                            ctx.Transaction.GetHttpRequest()!.HttpContext.RequestServices.GetRequiredService<Streaming.IEventBus>().Publish(Streaming.StreamEvent.Revoked(tokenId));
                        return default;
                    }));
                o.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(b => b.UseInlineHandler(ctx =>
                {
                    if (ctx.Response.AccessToken is not null)
                        ctx.Response["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                    return default;
                }));
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseDataProtection();
                o.EnableTokenEntryValidation();
                o.UseAspNetCore();
            });

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = DefaultScheme;
                o.DefaultAuthenticateScheme = DefaultScheme;
                o.DefaultChallengeScheme = DefaultScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, PersonalAccessTokenHandler>(PersonalAccessTokens.Scheme, null)
            .AddPolicyScheme(DefaultScheme, "Bearer token or browser session", o => o.ForwardDefaultSelector = http =>
            {
                string? auth = http.Request.Headers.Authorization;
                if (PersonalAccessTokens.LooksLikeOne(auth)) return PersonalAccessTokens.Scheme;
                if (auth?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true
                    || http.Request.Query.ContainsKey("access_token"))
                    return OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
                return IdentityConstants.ApplicationScheme;
            });

        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, OAuthRequestSchemes>());
        services.AddGazouilleSso();
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        return services;
    }
}

/// <summary>API callers get Mastodon's JSON 401/403; browsers get the sign-in page.</summary>
public sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (ApiErrorMiddleware.IsApi(context.Request) && !authorizeResult.Succeeded)
        {
            var signedIn = context.User.Identity?.IsAuthenticated == true && context.User.AccountId() is not null;
            context.Response.StatusCode = signedIn ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(signedIn ? ApiError.Forbidden : ApiError.Unauthorized, context.RequestAborted);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
