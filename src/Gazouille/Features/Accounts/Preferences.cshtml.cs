using Gazouille.Data;
using Gazouille.Features.Statuses;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Accounts;

/// <summary>Language, default audience and theme. Language and audience live on the account, the theme on the device.</summary>
public sealed class PreferencesModel(GazouilleDb db, AudienceChoices audiences, IStringLocalizer<WebText> t) : WebPageModel
{
    [BindProperty] public string Language { get; set; } = "fr";
    [BindProperty] public string DefaultAudience { get; set; } = "company";
    [BindProperty] public string Theme { get; set; } = "auto";
    public List<AudienceChoice> Choices { get; private set; } = [];
    public string? Error { get; private set; }
    public bool Saved { get; private set; }

    public async Task OnGetAsync([FromQuery] bool saved, CancellationToken ct)
    {
        var a = await db.Users.AsNoTracking().FirstAsync(x => x.Id == Viewer.AccountId, ct);
        Language = a.Language.Length > 0 ? a.Language : System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        DefaultAudience = a.DefaultAudience;
        Theme = Request.Cookies[WebSetup.ThemeCookie] is "light" or "dark" ? Request.Cookies[WebSetup.ThemeCookie]! : "auto";
        Choices = await audiences.ForAsync(Viewer, ct);
        Saved = saved;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Choices = await audiences.ForAsync(Viewer, ct);
        var language = WebSetup.SupportedCulture(Language);
        if (language is null) Error = t["Choose French or English."];
        else if (Choices.All(c => c.Audience != DefaultAudience)) Error = t["Choose one of the audiences in the list."];
        else if (Theme is not ("auto" or "light" or "dark")) Error = t["Choose a theme in the list."];
        if (Error is not null)
        {
            Response.StatusCode = 422;
            return Page();
        }
        await db.Users.Where(a => a.Id == Viewer.AccountId).ExecuteUpdateAsync(u => u
            .SetProperty(a => a.Language, language!).SetProperty(a => a.DefaultAudience, DefaultAudience), ct);
        WebSetup.RememberCulture(Response, language!);
        if (Theme == "auto") Response.Cookies.Delete(WebSetup.ThemeCookie);
        else Response.Cookies.Append(WebSetup.ThemeCookie, Theme, WebSetup.Remembered);
        return LocalRedirect("/settings/preferences?saved=true");
    }
}
