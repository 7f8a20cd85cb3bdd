using Gazouille.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Web;

/// <summary>The language switch in every page's footer: remembered in a cookie, and on the account when signed in.</summary>
public sealed class LanguageModel(GazouilleDb db) : WebPageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync([FromForm] string? culture, [FromForm] string? returnUrl, CancellationToken ct)
    {
        var chosen = WebSetup.SupportedCulture(culture);
        if (chosen is null) return BadRequest();
        WebSetup.RememberCulture(Response, chosen);
        if (Viewer.IsSignedIn)
            await db.Users.Where(a => a.Id == Viewer.AccountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, chosen), ct);
        return LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }
}
