using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Reports;

/// <summary>The reports in the moderation area: open ones first (or the resolved ones), resolve or reopen. Moderators only.</summary>
public sealed class ReportsModel(ReportBook book, ReportActions actions, IStringLocalizer<WebText> t) : WebPageModel
{
    [FromQuery] public bool Resolved { get; set; }
    public List<AdminReportEntity> Items { get; private set; } = [];
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsModerator) context.Result = NotFound();
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        foreach (var r in await book.ListAsync(Viewer, Resolved, null, 100, ct)) Items.Add(await book.RenderForModeratorAsync(Viewer, r, ct));
    }

    public Task<IActionResult> OnPostResolveAsync([FromForm] string? id, CancellationToken ct) => SetAsync(id, true, t["Report resolved."], ct);

    public Task<IActionResult> OnPostReopenAsync([FromForm] string? id, CancellationToken ct) => SetAsync(id, false, t["Report reopened."], ct);

    public async Task<IActionResult> OnPostActAsync([FromForm] string? id, [FromForm] string? type, [FromForm] string? reason, CancellationToken ct)
    {
        try
        {
            await actions.TakeAsync(Viewer, id ?? "", type, reason, ct);
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            // The list comes back with the explanation, in the reader's language, and the status says it failed.
            Error = Explain(e);
            await OnGetAsync(ct);
            Response.StatusCode = e.Status;
            return Page();
        }
        Message = t["Report.Done." + type!.Trim().ToLowerInvariant()];
        return LocalRedirect("/moderation/reports");
    }

    /// <summary>Undoes a hide: the report's hidden posts are published again.</summary>
    public async Task<IActionResult> OnPostUnhideAsync([FromForm] string? id, CancellationToken ct)
    {
        bool resolved;
        try
        {
            await actions.UnhideAsync(Viewer, id ?? "", ct);
            resolved = (await book.GetAsync(Viewer, id ?? "", ct)).ResolvedAt is not null;
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            Error = Explain(e);
            await OnGetAsync(ct);
            Response.StatusCode = e.Status;
            return Page();
        }
        Message = t["Report.Done.unhide"];
        return LocalRedirect(resolved ? "/moderation/reports?resolved=true" : "/moderation/reports");
    }

    private async Task<IActionResult> SetAsync(string? id, bool resolved, string done, CancellationToken ct)
    {
        try
        {
            await book.SetResolvedAsync(Viewer, id ?? "", resolved, ct);
        }
        catch (ApiException)
        {
            return NotFound();
        }
        Message = done;
        return LocalRedirect(resolved ? "/moderation/reports" : "/moderation/reports?resolved=true");
    }
}
