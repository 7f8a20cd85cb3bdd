using Gazouille.Data.Entities;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Accounts;

/// <summary>
/// Sign-up by invitation link (<c>?invite=</c>) or with an e-mail address on an allowed domain, under the same
/// <see cref="SignUpPolicy"/> as the API. A refusal says why and keeps what was typed, except the password.
/// </summary>
public sealed class SignUpModel(SignUpPolicy policy, SignInManager<Account> signIn, IStringLocalizer<WebText> t) : WebPageModel
{
    [BindProperty(SupportsGet = true)] public string? Invite { get; set; }
    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty(Name = "display_name")] public string? DisplayName { get; set; }
    public string? Error { get; private set; }
    /// <summary>The account was made and waits for an administrator's approval.</summary>
    public bool Pending { get; private set; }
    public bool Closed => policy.Mode == "closed";

    public async Task<PageResult> OnGetAsync(CancellationToken ct)
    {
        if (Closed) return Fail(t["Sign-up is closed on this instance; ask an administrator for an account."], StatusCodes.Status403Forbidden);
        if (!string.IsNullOrWhiteSpace(Invite) && await policy.FindUsableAsync(Invite, ct) is null)
        {
            // The form stays: on an instance open to company domains, a work e-mail still works without the link.
            Invite = null;
            return Fail(t[SignUpPolicy.InvalidInvitation], StatusCodes.Status410Gone);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? password, CancellationToken ct)
    {
        if (Closed) return Fail(t["Sign-up is closed on this instance; ask an administrator for an account."], StatusCodes.Status403Forbidden);
        var (account, error) = await policy.SignUpAsync(new SignUpRequest(Username ?? "", Email ?? "",
            string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName, password ?? "", string.IsNullOrWhiteSpace(Invite) ? null : Invite), ct);
        // The policy's reasons are English sentences shared with the API; those the page knows are shown in the reader's language.
        if (account is null) return Fail(t[error ?? "Sign-up failed, please try again."], StatusCodes.Status422UnprocessableEntity);
        if (account.PendingApproval)
        {
            Pending = true;
            return Page();
        }
        await signIn.SignInAsync(account, isPersistent: true);
        return LocalRedirect("/");
    }

    private PageResult Fail(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return Page();
    }
}
