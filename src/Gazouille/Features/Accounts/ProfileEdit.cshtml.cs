using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Web;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Accounts;

/// <summary>Edit one's own name, bio and picture; on error the typed text stays and nothing is saved.</summary>
public sealed class ProfileEditModel(GazouilleDb db, ProfileEditor profiles, InstanceUrls urls) : WebPageModel
{
    [BindProperty] public string DisplayName { get; set; } = "";
    [BindProperty] public string Bio { get; set; } = "";
    public IFormFile? Avatar { get; set; }
    public string AvatarUrl { get; private set; } = "";
    public string Username { get; private set; } = "";
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = await db.Users.AsNoTracking().FirstAsync(a => a.Id == Viewer.AccountId, ct);
        (DisplayName, Bio, AvatarUrl, Username) = (me.DisplayName, me.Bio, urls.Avatar(me), me.UserName!);
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? avatar, CancellationToken ct)
    {
        var me = await db.Users.FirstAsync(a => a.Id == Viewer.AccountId, ct);
        (AvatarUrl, Username) = (urls.Avatar(me), me.UserName!);
        try
        {
            await profiles.ApplyAsync(me, DisplayName ?? "", Bio ?? "", ct);
            await profiles.SaveAsync(me, avatar, ct);
        }
        catch (ApiException e)
        {
            // Shared English sentences of the API; those the page knows are shown in the reader's language.
            Error = Explain(e);
            Response.StatusCode = e.Status;
            return Page();
        }
        return LocalRedirect($"/@{me.UserName}");
    }
}
