using Gazouille.Features.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Accounts;

/// <summary>The viewer's own ways in: browser sessions (this one marked), the apps holding tokens and personal access tokens.</summary>
public sealed class SessionsModel(OwnSessions sessions, IStringLocalizer<WebText> t) : WebPageModel
{
    public List<OwnSessions.BrowserRow> Browsers { get; private set; } = [];
    public List<OwnSessions.AppRow> Apps { get; private set; } = [];
    public List<OwnSessions.TokenRow> PersonalTokens { get; private set; } = [];
    [TempData] public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = Viewer.AccountId;
        Browsers = await sessions.BrowsersAsync(me, BrowserSessionStore.CurrentId(HttpContext), ct);
        Apps = await sessions.AppsAsync(me, ct);
        PersonalTokens = await sessions.PersonalTokensAsync(me, ct);
    }

    public async Task<IActionResult> OnPostBrowserAsync([FromForm] string? id, CancellationToken ct)
    {
        if (!await sessions.EndBrowserAsync(Viewer.AccountId, id ?? "", ct)) return NotFound();
        if (id == BrowserSessionStore.CurrentId(HttpContext))
        {
            await HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return LocalRedirect("/auth/sign_in");
        }
        Message = t["Browser signed out."];
        return LocalRedirect("/settings/sessions");
    }

    public async Task<IActionResult> OnPostAppAsync([FromForm] string? id, CancellationToken ct)
    {
        if (await sessions.EndAppAsync(Viewer.AccountId, id ?? "", ct) == 0) return NotFound();
        Message = t["App signed out."];
        return LocalRedirect("/settings/sessions");
    }

    public async Task<IActionResult> OnPostTokenAsync([FromForm] long id, CancellationToken ct)
    {
        if (!await sessions.EndPersonalTokenAsync(Viewer.AccountId, id, ct)) return NotFound();
        Message = t["Token revoked."];
        return LocalRedirect("/settings/sessions");
    }

    /// <summary>Every other browser, every app and every personal token; this browser stays signed in.</summary>
    public async Task<IActionResult> OnPostOthersAsync(CancellationToken ct)
    {
        await sessions.EndEverythingElseAsync(Viewer.AccountId, BrowserSessionStore.CurrentId(HttpContext), ct);
        Message = t["Signed out everywhere else."];
        return LocalRedirect("/settings/sessions");
    }
}
