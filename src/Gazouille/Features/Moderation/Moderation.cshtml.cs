using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Moderation;

/// <summary>The moderation queue in the web app: held posts with their findings highlighted; approve or reject with a reason.</summary>
public sealed class ModerationModel(GazouilleDb db, StatusRenderer renderer, HeldPosts held, IStringLocalizer<WebText> t) : WebPageModel
{
    public const int PageSize = 20;

    [FromQuery(Name = "max_id")] public string? MaxId { get; set; }
    public List<(HeldPostEntity Post, string Text)> Items { get; private set; } = [];
    public string? OlderUrl { get; private set; }
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsModerator) context.Result = NotFound();
    }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var query = held.Pending();
        var page = new PageRequest(Ids.TryParse(MaxId, out var max) ? max : null, null, null, PageSize);
        var ids = await page.ApplyAsync(query, s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
        var texts = await db.Statuses.AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => Ids.Format(s.Id), s => s.Text, ct);
        var posts = await ModerationApi.RenderAsync(HttpContext, db, renderer, ids, ct);
        Items = posts.Select(p => (p, texts.GetValueOrDefault(p.Id, ""))).ToList();
        if (ids.Count == PageSize) OlderUrl = $"/moderation?max_id={Ids.Format(ids[^1])}";
    }

    public Task<IActionResult> OnPostApproveAsync([FromForm] long id, CancellationToken ct) =>
        RunAsync(() => held.ApproveAsync(Viewer, id, ct), t["Approved: the post is published and its readers are notified."], ct);

    public Task<IActionResult> OnPostRejectAsync([FromForm] long id, [FromForm] string? reason, CancellationToken ct) =>
        RunAsync(() => held.RejectAsync(Viewer, id, reason, ct), t["Rejected: the author is told why."], ct);

    private async Task<IActionResult> RunAsync(Func<Task> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (ApiException e) when (e.Status != StatusCodes.Status404NotFound)
        {
            Error = Explain(e);
            await LoadAsync(ct);
            Response.StatusCode = e.Status;
            return Page();
        }
        Message = done;
        return LocalRedirect("/moderation");
    }
}
