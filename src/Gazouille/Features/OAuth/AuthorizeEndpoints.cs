using System.Globalization;
using System.Security.Claims;
using Gazouille.Hosting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gazouille.Features.OAuth;

/// <summary>The token exchange of OAuth (the consent page behind <c>/oauth/authorize</c> is the Razor page <see cref="AuthorizeModel"/>).</summary>
public static class AuthorizeEndpoints
{
    public static IEndpointRouteBuilder MapOAuth(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/token", Exchange).ExcludeFromDescription();
        return app;
    }

    /// <summary>An OAuth error for OpenIddict to send back to the client (shared with the consent page).</summary>
    internal static AuthenticationProperties ErrorProperties(string error, string description) =>
        new(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        });

    private static IResult Forbid(string error, string description) =>
        Results.Forbid(ErrorProperties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static async Task<IResult> Exchange(HttpContext http, ViewerLoader viewers, IOpenIddictApplicationManager apps, Audit.AuditLog audit)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict token request is missing.");

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            if (result.Principal?.AccountId() is not { } id || await viewers.LoadAsync(id, http.RequestAborted) is not { } viewer)
                return Forbid(Errors.InvalidGrant, "The account is no longer allowed to sign in.");
            // Sign-ins of admins are audited (issue 6): a token for an admin account is one.
            if (viewer.IsAdmin)
                await audit.AppendAsync("@" + (result.Principal.GetClaim(Claims.Name) ?? id.ToString(CultureInfo.InvariantCulture)), "admin.sign_in", $"account:{id}",
                    new { method = "oauth", grant_type = request.GrantType, client_id = request.ClientId, ip = http.Connection.RemoteIpAddress?.ToString() }, http.RequestAborted);
            var identity = new ClaimsIdentity(result.Principal.Claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsClientCredentialsGrantType())
        {
            var application = await apps.FindByClientIdAsync(request.ClientId!, http.RequestAborted);
            if (application is null) return Forbid(Errors.InvalidClient, "Unknown client.");
            var (scopes, unknown) = Scopes.Parse(request.Scope);
            if (unknown is not null) return Forbid(Errors.InvalidScope, $"Unknown scope '{unknown}'.");
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, "app:" + request.ClientId);
            identity.SetScopes(scopes);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "Use authorization_code, refresh_token or client_credentials.");
    }
}
