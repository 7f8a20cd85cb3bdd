using System.Globalization;
using System.Security.Claims;
using Gazouille.Data;
using Gazouille.Features.Web;
using Gazouille.Hosting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gazouille.Features.OAuth;

/// <summary>
/// The consent page behind <c>/oauth/authorize</c> (OpenIddict validates the request, then passes it through here):
/// the signed-in person sees, in the app's frame and in their language, which app asks to act for which account with
/// which rights, and where they will be sent back; approving issues the code, refusing answers <c>access_denied</c>.
/// Anonymous at the page level: without a session it sends the person to sign in with the whole request to come back to.
/// </summary>
[Microsoft.AspNetCore.Authorization.AllowAnonymous]
public sealed class AuthorizeModel(IOpenIddictApplicationManager apps, GazouilleDb db) : WebPageModel
{
    public string AppName { get; private set; } = "";
    public string Username { get; private set; } = "";
    public string[] Scopes { get; private set; } = [];
    /// <summary>Where the browser goes back after the decision: a host, or null for an out-of-band app (the code is shown).</summary>
    public string? ReturnHost { get; private set; }
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => HandleAsync(decision: null);

    /// <summary>The decision (the page's antiforgery token is checked by Razor Pages before this runs).</summary>
    public Task<IActionResult> OnPostAsync([FromForm] string? decision) => HandleAsync(decision ?? "");

    private async Task<IActionResult> HandleAsync(string? decision)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict authorization request is missing.");

        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded || session.Principal.AccountId() is not { } accountId)
        {
            var returnUrl = Request.PathBase + Request.Path + QueryString.Create(
                request.GetParameters().Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            return Redirect("/auth/sign_in?returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var account = await db.Users.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, HttpContext.RequestAborted);
        if (account is null || account.Suspended || account.PendingApproval)
            return Refuse(Errors.AccessDenied, "This account cannot sign in.");

        var application = await apps.FindByClientIdAsync(request.ClientId!, HttpContext.RequestAborted);
        var appName = application is null ? request.ClientId : await apps.GetDisplayNameAsync(application, HttpContext.RequestAborted);
        var (scopes, unknown) = OAuth.Scopes.Parse(request.Scope);
        if (unknown is not null) return Refuse(Errors.InvalidScope, $"Unknown scope '{unknown}'.");

        if (decision is not null)
        {
            if (decision != "approve") return Refuse(Errors.AccessDenied, "The user denied the authorization.");
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, accountId.ToString(CultureInfo.InvariantCulture))
                    .SetClaim(Claims.Name, account.UserName);
            identity.SetScopes(scopes);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        AppName = string.IsNullOrWhiteSpace(appName) ? "?" : appName;
        Username = account.UserName ?? "";
        Scopes = scopes;
        ReturnHost = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) && redirect.Scheme is "http" or "https"
            ? redirect.Authority
            : null;
        Parameters = request.GetParameters()
            .Where(p => p.Key != "decision" && p.Key != "__RequestVerificationToken")
            .Select(p => KeyValuePair.Create(p.Key, p.Value.ToString() ?? ""))
            .ToList();
        return Page();
    }

    private ForbidResult Refuse(string error, string description) =>
        Forbid(AuthorizeEndpoints.ErrorProperties(error, description), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    /// <summary>What a scope lets the app do, in words (granular scopes are described by their family).</summary>
    public static string Describe(string scope) => scope.Split(':')[0] switch
    {
        "read" => "Read your timelines, posts, notifications, bookmarks and favourites",
        "write" => "Post, edit and delete posts, favourite and boost, and change your profile, for you",
        "follow" => "Follow and unfollow people and teams for you",
        "push" => "Send you notifications",
        "profile" => "See your name and profile",
        _ => scope,
    };
}
