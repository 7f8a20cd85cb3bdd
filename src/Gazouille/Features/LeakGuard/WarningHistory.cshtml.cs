using Gazouille.Api;
using Gazouille.Data.Entities;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.LeakGuard;

/// <summary>
/// The signed-in author's own history of Leak Guard warnings, holds and blocks, with "this is not a leak" on each entry
/// and the outcome of their false-positive reports (also those sent from the compose box's tips).
/// </summary>
public sealed class WarningHistoryModel(LeakHistory history, FalsePositives falsePositives, Statuses.StatusFinder finder, Statuses.StatusRenderer renderer,
    IStringLocalizer<WebText> t) : WebPageModel
{
    [FromQuery(Name = "max_id")] public long? MaxId { get; set; }
    public List<LeakHistoryEntry> Entries { get; private set; } = [];
    public Dictionary<long, FalsePositiveReport> Reported { get; private set; } = [];
    public List<FalsePositiveEntity> Reports { get; private set; } = [];
    public string? OlderUrl { get; private set; }
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Viewer.AccountId == 0) return NotFound();
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Entries = await history.ForAsync(Viewer.AccountId, MaxId, LeakHistory.PageSize, ct);
        if (Entries.Count == LeakHistory.PageSize) OlderUrl = $"/settings/leak-guard?max_id={Entries[^1].Id}";
        Reported = await falsePositives.ForEntriesAsync(Viewer.AccountId, Entries.Select(e => long.Parse(e.Id, System.Globalization.CultureInfo.InvariantCulture)), ct);
        Reports = await falsePositives.RenderAsync(await falsePositives.MineAsync(Viewer, null, 20, ct), forModerator: false, ct);
    }

    /// <summary>"This is not a leak" on an entry of the history.</summary>
    public async Task<IActionResult> OnPostReportAsync([FromForm(Name = "history_id")] string? historyId, [FromForm] string? comment, CancellationToken ct)
    {
        if (Viewer.AccountId == 0) return NotFound();
        try
        {
            await falsePositives.ReportEntryAsync(Viewer, historyId, comment, ct);
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            return await FailAsync(e, ct);
        }
        Message = t["Thank you: a moderator will look at your report. Its outcome will show here."];
        return LocalRedirect("/settings/leak-guard");
    }

    /// <summary>"This is not a leak" on a tip of the compose box: the compose form's text and audience are sent here.</summary>
    public async Task<IActionResult> OnPostReportTextAsync([FromForm(Name = "status")] string? text, [FromForm(Name = "audience")] string? audience,
        [FromForm(Name = "in_reply_to_id")] string? inReplyToId, [FromForm(Name = "fp_comment")] string? comment, CancellationToken ct)
    {
        if (Viewer.AccountId == 0) return NotFound();
        try
        {
            // A reply is judged for its parent's audience, as the compose box's tips are.
            if (!string.IsNullOrEmpty(inReplyToId))
                audience = await finder.FindVisibleAsync(Viewer, inReplyToId, ct) is { } parent ? (await renderer.RenderAsync(Viewer, parent, ct)).Audience : throw ApiException.NotFound();
            await falsePositives.ReportTextAsync(Viewer, text, audience, comment, ct);
        }
        catch (ApiException e)
        {
            if (IsHtmx) return Fragment(Explain(e), error: true, e.Status);
            return await FailAsync(e, ct);
        }
        var done = t["Thank you: a moderator will look at your report. Its outcome will show here."];
        if (IsHtmx) return Fragment(t["Thank you: a moderator will look at your report. Follow it in your Leak Guard history."], error: false, StatusCodes.Status200OK);
        Message = done;
        return LocalRedirect("/settings/leak-guard");
    }

    private ContentResult Fragment(string text, bool error, int status)
    {
        var html = System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);
        return new ContentResult
        {
            Content = error ? $"<p class=\"error\" role=\"alert\">{html}</p>" : $"<p class=\"notice\" role=\"status\">{html} <a href=\"/settings/leak-guard\">{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(t["My Leak Guard history"])}</a></p>",
            ContentType = "text/html; charset=utf-8", StatusCode = status,
        };
    }

    private async Task<IActionResult> FailAsync(ApiException e, CancellationToken ct)
    {
        Error = Explain(e);
        await LoadAsync(ct);
        Response.StatusCode = e.Status;
        return Page();
    }
}
