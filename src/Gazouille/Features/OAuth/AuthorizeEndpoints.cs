using System.Globalization;
using System.Security.Claims;
using Gazouille.Data;
using Gazouille.Hosting;
using Gazouille.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gazouille.Features.OAuth;

/// <summary>The interactive half of OAuth: the consent page behind <c>/oauth/authorize</c>, and the token exchange.</summary>
public static class AuthorizeEndpoints
{
    public static IEndpointRouteBuilder MapOAuth(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/oauth/authorize", ["GET", "POST"], Authorize).ExcludeFromDescription();
        app.MapPost("/oauth/token", Exchange).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Authorize(HttpContext http, IAntiforgery antiforgery, IOpenIddictApplicationManager apps, GazouilleDb db)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict authorization request is missing.");

        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded || session.Principal.AccountId() is not { } accountId)
        {
            var returnUrl = http.Request.PathBase + http.Request.Path + QueryString.Create(
                request.GetParameters().Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            return Results.Redirect("/auth/sign_in?returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var account = await db.Users.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, http.RequestAborted);
        if (account is null || account.Suspended)
            return Forbid("access_denied", "This account cannot sign in.");

        var application = await apps.FindByClientIdAsync(request.ClientId!, http.RequestAborted);
        var appName = application is null ? request.ClientId : await apps.GetDisplayNameAsync(application, http.RequestAborted);
        var (scopes, unknown) = Scopes.Parse(request.Scope);
        if (unknown is not null) return Forbid(Errors.InvalidScope, $"Unknown scope '{unknown}'.");

        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            await antiforgery.ValidateRequestAsync(http);
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (form["decision"] != "approve") return Forbid(Errors.AccessDenied, "The user denied the authorization.");

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, accountId.ToString(CultureInfo.InvariantCulture))
                    .SetClaim(Claims.Name, account.UserName);
            identity.SetScopes(scopes);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Results.Content(ConsentPage(http, antiforgery, request, appName ?? "?", account.UserName ?? "", scopes),
            "text/html; charset=utf-8");
    }

    private static string ConsentPage(HttpContext http, IAntiforgery antiforgery, OpenIddictRequest request, string appName, string username, string[] scopes)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var hidden = string.Concat(request.GetParameters().Select(p =>
            $"<input type=\"hidden\" name=\"{HtmlPage.Encode(p.Key)}\" value=\"{HtmlPage.Encode(p.Value.ToString())}\">"));
        var scopeList = string.Concat(scopes.Select(s => $"<li><code>{HtmlPage.Encode(s)}</code></li>"));
        var body = $"""
            <h1>Autoriser {HtmlPage.Encode(appName)} ? · Authorize {HtmlPage.Encode(appName)}?</h1>
            <p>L'application demande d'agir pour <strong>@{HtmlPage.Encode(username)}</strong> avec ces droits ·
               The app asks to act as <strong>@{HtmlPage.Encode(username)}</strong> with these rights:</p>
            <ul>{scopeList}</ul>
            <form method="post" action="/oauth/authorize">
              {hidden}
              <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
              <button class="primary" type="submit" name="decision" value="approve">Autoriser · Authorize</button>
              <button type="submit" name="decision" value="deny">Refuser · Deny</button>
            </form>
            """;
        return HtmlPage.Render("Gazouille — authorize", body, "fr");
    }

    private static IResult Forbid(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

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
