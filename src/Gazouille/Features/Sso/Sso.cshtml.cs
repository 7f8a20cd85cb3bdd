using Gazouille.Data.Entities;
using Gazouille.Features.Web;
using Gazouille.Hosting;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Sso;

/// <summary>
/// Single sign-on in three steps: the sign-in page's button posts here and the browser goes to the provider; the
/// provider's answer comes back to the OpenID Connect handler (<c>/auth/sso/{provider}/callback</c>), which keeps it
/// in the external cookie and sends the browser to <c>complete</c>, which signs the account in — or to <c>failed</c>.
/// Every refusal and provider error is this page with a sentence, never a server error.
/// </summary>
public sealed class SsoModel(IOptions<GazouilleSettings> settings, SsoAccounts accounts, SignInManager<Account> signIn,
    Audit.AuditLog audit, IStringLocalizer<WebText> t, ILogger<SsoModel> log) : WebPageModel
{
    private const string ProviderItem = "gazouille.sso";

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string ProviderName { get; private set; } = "";
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string provider, string? step, string? reason, CancellationToken ct)
    {
        if (SsoSetup.Find(settings.Value, provider) is not { } config) return NotFound();
        var key = provider.ToLowerInvariant();
        ProviderName = Display(key, config);
        return step switch
        {
            "complete" => await CompleteAsync(key, config, ct),
            "failed" => Fail(reason == "denied" ? t["The sign-in was cancelled at {0}.", ProviderName] : t["{0} did not confirm who you are (the answer was invalid or expired). Try again.", ProviderName],
                StatusCodes.Status400BadRequest),
            null => LocalRedirect("/auth/sign_in"),
            _ => NotFound(),
        };
    }

    /// <summary>Starts the flow (a form post, so that another site cannot start it for you).</summary>
    public async Task<IActionResult> OnPostAsync(string provider, string? step)
    {
        if (step is not null || SsoSetup.Find(settings.Value, provider) is not { } config) return NotFound();
        var key = provider.ToLowerInvariant();
        ProviderName = Display(key, config);
        var complete = $"/auth/sso/{key}/complete" + (IsLocal(ReturnUrl) ? "?returnUrl=" + Uri.EscapeDataString(ReturnUrl!) : "");
        var properties = new AuthenticationProperties { RedirectUri = complete, Items = { [ProviderItem] = key } };
        try
        {
            await HttpContext.ChallengeAsync(SsoSetup.Scheme(key), properties);
            return new EmptyResult();
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            // The discovery document could not be read: the provider is down or misconfigured.
            log.LogWarning("Single sign-on with '{Key}' could not start: {Reason}", key, e.Message);
            Response.Clear();
            return Fail(t["{0} cannot be reached right now. Try again in a moment, or sign in with your password.", ProviderName], StatusCodes.Status502BadGateway);
        }
    }

    private async Task<IActionResult> CompleteAsync(string key, SsoProviderSettings config, CancellationToken ct)
    {
        var external = await HttpContext.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!external.Succeeded || external.Properties?.Items.TryGetValue(ProviderItem, out var started) != true || started != key)
            return Fail(t["{0} did not confirm who you are (the answer was invalid or expired). Try again.", ProviderName], StatusCodes.Status400BadRequest);

        var outcome = await accounts.ResolveAsync(key, config, external.Principal!, ct);
        if (outcome.Account is not { } account)
            return Fail(outcome.Refusal switch
            {
                SsoRefusal.EmailNotVerified => t["{0} has not verified your e-mail address, so no account can be made with it.", ProviderName],
                SsoRefusal.DomainNotAllowed => t["Your e-mail address is not on a domain of the company, so no account can be made with it. Ask an administrator for an invitation."],
                SsoRefusal.GuestAccount => t["This e-mail address belongs to a partner's guest account, which signs in with its password."],
                SsoRefusal.Suspended => t["This account is suspended. Contact an administrator."],
                SsoRefusal.PendingApproval => t[Accounts.SignUpPolicy.PendingApproval],
                SsoRefusal.CannotCreate => t["Your account could not be created: {0}", t[outcome.Detail ?? ""]],
                _ => t["{0} did not send your identity or e-mail address; ask an administrator to check the single sign-on settings.", ProviderName],
            }, StatusCodes.Status403Forbidden);

        // As SignInAsync with an authentication method, plus the provider's ID token for signing out there later.
        var session = new AuthenticationProperties { IsPersistent = true };
        if (external.Properties!.GetTokenValue(OpenIdConnectParameterNames.IdToken) is { Length: > 0 } idToken)
            session.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        await signIn.SignInWithClaimsAsync(account, session, [new Claim(ClaimTypes.AuthenticationMethod, SsoSetup.AuthenticationMethod(key))]);
        if (account.Role == AccountRole.Admin)
            await audit.AppendAsync("@" + account.UserName, "admin.sign_in", $"account:{account.Id}",
                new { method = "sso:" + key, ip = HttpContext.Connection.RemoteIpAddress?.ToString() }, ct);
        if (WebSetup.SupportedCulture(account.Language) is { } language) WebSetup.RememberCulture(Response, language);
        return LocalRedirect(IsLocal(ReturnUrl) ? ReturnUrl! : "/");
    }

    private static string Display(string key, SsoProviderSettings config) => string.IsNullOrWhiteSpace(config.DisplayName) ? key : config.DisplayName.Trim();

    private PageResult Fail(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return Page();
    }
}
