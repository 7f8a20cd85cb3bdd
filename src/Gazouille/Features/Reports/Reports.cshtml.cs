using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Reports;

/// <summary>The reports in the moderation area: open ones first (or the resolved ones), resolve or reopen. Moderators only.</summary>
public sealed class ReportsModel(ReportBook book, IStringLocalizer<WebText> t) : WebPageModel
{
    [FromQuery] public bool Resolved { get; set; }
    public List<AdminReportEntity> Items { get; private set; } = [];
    [TempData] public string? Message { get; set; }

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
