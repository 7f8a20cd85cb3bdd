using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Statuses;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Reports;

/// <summary>
/// "Report / Signaler" under a post or on a profile: a small form (category, comment) filed through <see cref="ReportBook"/>.
/// A page without JavaScript; with htmx the form and the thanks replace the link in place. Only what the viewer can
/// see can be reported: anything else is the same 404 as nothing.
/// </summary>
public sealed class ReportModel(ReportBook book, StatusFinder finder, GazouilleDb db, IStringLocalizer<WebText> t) : WebPageModel
{
    public static readonly string[] WebCategories = ["misleading", "leak", "harassment", "other"];

    [BindProperty(SupportsGet = true, Name = "status")] public string? StatusId { get; set; }
    [BindProperty(SupportsGet = true, Name = "account")] public string? Username { get; set; }
    [BindProperty] public string? Category { get; set; }
    [BindProperty] public string? Comment { get; set; }
    public string TargetUsername { get; private set; } = "";
    public long TargetId { get; private set; }
    public string? Excerpt { get; private set; }
    public string? Error { get; private set; }
    public bool Filed { get; private set; }
    /// <summary>Where the form and its answer go in the page (htmx): unique per post or profile.</summary>
    public string SlotId => StatusId is { Length: > 0 } ? $"report-slot-{StatusId}" : "report-slot-profile";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await FindAsync(ct) ? Answer() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await FindAsync(ct)) return NotFound();
        try
        {
            await book.FileAsync(Viewer, Ids.Format(TargetId), StatusId is { Length: > 0 } s ? [s] : [], Comment, Category, ct);
            Filed = true;
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            Error = Explain(e);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        return Answer();
    }

    private IActionResult Answer() => IsHtmx ? Partial("/Features/Reports/_ReportForm.cshtml", this) : Page();

    private async Task<bool> FindAsync(CancellationToken ct)
    {
        if (StatusId is { Length: > 0 })
        {
            var status = await finder.FindVisibleAsync(Viewer, StatusId, ct);
            // A boost is reported as its original post, which is what the reader saw.
            if (status?.ReblogOf is { } original) { status = original; StatusId = Ids.Format(original.Id); }
            if (status is null || status.State != Data.Entities.StatusState.Published || status.AccountId == Viewer.AccountId) return false;
            TargetId = status.AccountId;
            Excerpt = status.Text.Length > 280 ? status.Text[..280] + "…" : status.Text;
        }
        else if (Username is { Length: > 0 and <= 64 } name)
        {
            var normalized = name.TrimStart('@').ToUpperInvariant();
            TargetId = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(Viewer)).Where(a => a.NormalizedUserName == normalized)
                .Select(a => a.Id).FirstOrDefaultAsync(ct);
            if (TargetId == 0 || TargetId == Viewer.AccountId) return false;
        }
        else return false;
        TargetUsername = await db.Users.AsNoTracking().Where(a => a.Id == TargetId).Select(a => a.UserName!).FirstAsync(ct);
        return true;
    }

    public string CategoryLabel(string category) => t["Report.Category." + category];
}
