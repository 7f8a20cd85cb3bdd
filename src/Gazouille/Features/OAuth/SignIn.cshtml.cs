using Gazouille.Data.Entities;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.OAuth;

/// <summary>Sign-in for the web app and the OAuth flow; a failed attempt says why without saying which part was wrong.</summary>
public sealed class SignInModel(SignInManager<Account> signIn, UserManager<Account> users, Audit.AuditLog audit, IStringLocalizer<WebText> t,
    Microsoft.Extensions.Options.IOptions<Hosting.GazouilleSettings> settings) : WebPageModel
{
    /// <summary>The company's identity providers, each a "Sign in with …" button (key, name shown).</summary>
    public IReadOnlyList<(string Key, string Name)> SingleSignOn { get; } = Sso.SsoSetup.Providers(settings.Value)
        .Select(p => (p.Key, string.IsNullOrWhiteSpace(p.Provider.DisplayName) ? p.Key : p.Provider.DisplayName.Trim())).ToList();

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string Login { get; set; } = "";
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? password)
    {
        Login = (Login ?? "").Trim();
        var account = Login.Length is 0 or > 256 ? null
            : Login.Contains('@', StringComparison.Ordinal) ? await users.FindByEmailAsync(Login) : await users.FindByNameAsync(Login);
        if (account is { PendingApproval: true })
        {
            // Said only to whoever knows the password, so the page does not tell strangers who signed up.
            var check = await signIn.CheckPasswordSignInAsync(account, password ?? "", lockoutOnFailure: true);
            return Fail(check.IsLockedOut ? t["Too many attempts: this account is locked for 15 minutes."]
                : check.Succeeded ? t[Accounts.SignUpPolicy.PendingApproval] : t["Wrong username or password."]);
        }
        if (account is null || account.Suspended) return Fail(t["Wrong username or password."]);
        var result = await signIn.PasswordSignInAsync(account, password ?? "", isPersistent: true, lockoutOnFailure: true);
        if (result.IsLockedOut) return Fail(t["Too many attempts: this account is locked for 15 minutes."]);
        if (!result.Succeeded) return Fail(t["Wrong username or password."]);
        if (account.Role == AccountRole.Admin)
            await audit.AppendAsync("@" + account.UserName, "admin.sign_in", $"account:{account.Id}",
                new { method = "web", ip = HttpContext.Connection.RemoteIpAddress?.ToString() }, HttpContext.RequestAborted);
        if (WebSetup.SupportedCulture(account.Language) is { } language) WebSetup.RememberCulture(Response, language);
        return LocalRedirect(IsLocal(ReturnUrl) ? ReturnUrl! : "/");
    }

    private PageResult Fail(string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
