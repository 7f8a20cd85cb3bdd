using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;

namespace Gazouille.Features.Statuses;

/// <summary>The buttons under a post. htmx gets the post back re-rendered; without JavaScript, the page it came from.</summary>
public sealed class StatusActionsModel(StatusInteractions interactions, StatusFinder finder, StatusPublisher publisher, StatusRenderer renderer) : WebPageModel
{
    [FromRoute] public string Id { get; set; } = "";

    public IActionResult OnGet() => NotFound();

    public Task<IActionResult> OnPostFavouriteAsync(CancellationToken ct) => RunAsync(() => interactions.FavouriteAsync(Viewer, Id, ct), ct);
    public Task<IActionResult> OnPostUnfavouriteAsync(CancellationToken ct) => RunAsync(() => interactions.UnfavouriteAsync(Viewer, Id, ct), ct);
    public Task<IActionResult> OnPostBookmarkAsync(CancellationToken ct) => RunAsync(() => interactions.BookmarkAsync(Viewer, Id, ct), ct);
    public Task<IActionResult> OnPostUnbookmarkAsync(CancellationToken ct) => RunAsync(() => interactions.UnbookmarkAsync(Viewer, Id, ct), ct);
    public Task<IActionResult> OnPostUnreblogAsync(CancellationToken ct) => RunAsync(() => interactions.UnreblogAsync(Viewer, Id, ct), ct);

    // After a boost the page shows the original post, now marked as boosted.
    public Task<IActionResult> OnPostReblogAsync(CancellationToken ct) =>
        RunAsync(async () => { await interactions.ReblogAsync(Viewer, Id, ct); return (await interactions.FindTargetAsync(Viewer, Id, ct)).Id; }, ct);

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(Viewer, Id, ct);
        if (status is null || status.AccountId != Viewer.AccountId) return NotFound();
        await publisher.DeleteAsync(Viewer, status, ct);
        var back = Request.Headers.Referer.ToString();
        // Deleting from the post's own page goes home: that page no longer exists.
        return back.EndsWith("/" + Id, StringComparison.Ordinal) ? LocalRedirect("/") : BackOr("/");
    }

    private async Task<IActionResult> RunAsync(Func<Task<long>> action, CancellationToken ct)
    {
        long id;
        try
        {
            id = await action();
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            var why = Explain(e);
            return IsHtmx ? Content($"<p class=\"error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(why)}</p>", "text/html") : BadRequest(why);
        }
        if (!IsHtmx) return BackOr("/");
        var loaded = await renderer.LoadAsync([id], ct);
        return Partial("/Features/Statuses/_Status.cshtml", new StatusView(await renderer.RenderAsync(Viewer, loaded[0], ct)));
    }
}
