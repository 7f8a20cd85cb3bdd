using Gazouille.Api;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Moderation;

/// <summary>
/// The moderators' queue of false-positive reports: the findings and the reported text (masked), the author's comment;
/// accept or reject with a note for the author, and on acceptance an exception term or a dictionary fix. Moderators only.
/// </summary>
public sealed class FalsePositiveQueueModel(FalsePositives book, PolicyEditor editor, IStringLocalizer<WebText> t) : WebPageModel
{
    [FromQuery] public string? Status { get; set; }
    public List<FalsePositiveEntity> Items { get; private set; } = [];
    public List<PolicyCategory> Categories { get; private set; } = [];
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }

    public string Shown => Status is "accepted" or "rejected" ? Status : "open";

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsModerator) context.Result = NotFound();
    }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Items = await book.RenderAsync(await book.QueueAsync(Viewer, Shown, null, 100, ct), forModerator: true, ct);
        try
        {
            Categories = PolicyEditor.Categories(await editor.LoadAsync(ct));
        }
        catch (ApiException)
        {
            Categories = []; // an unreadable stored policy: accepting and rejecting still work, policy changes will say why not
        }
    }

    /// <summary>The dictionary a finding type comes from, to preselect the category of a dictionary fix.</summary>
    public static string CategoryOf(string type) => type switch
    {
        "confidential_marker" => "confidential",
        "internal_only_marker" => "internal_only",
        _ => type,
    };

    /// <summary>The first finding whose text is shown in clear (masked values cannot become terms).</summary>
    public static FalsePositiveFinding? Suggested(FalsePositiveEntity r) =>
        r.Findings.FirstOrDefault(f => f.Type is not ("secret" or "iban" or "card" or "nir") && f.Text.Length > 0);

    public async Task<IActionResult> OnPostResolveAsync([FromForm] string? id, [FromForm] string? decision, [FromForm] string? note,
        [FromForm(Name = "policy_change")] string? policyChange, [FromForm] string? term, [FromForm] string? category, CancellationToken ct)
    {
        if (decision is not ("accept" or "reject")) return await FailAsync(t["Choose accept or reject."], StatusCodes.Status422UnprocessableEntity, ct);
        try
        {
            var fix = decision == "accept" ? PolicyFix.Parse(policyChange, term, category) : PolicyFix.None;
            await book.ResolveAsync(Viewer, id, decision == "accept", note, fix, ct);
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            return await FailAsync(Explain(e), e.Status, ct);
        }
        Message = decision == "accept" ? t["Report accepted."] : t["Report rejected."];
        return LocalRedirect("/moderation/false-positives");
    }

    private async Task<IActionResult> FailAsync(string error, int status, CancellationToken ct)
    {
        Error = error;
        await LoadAsync(ct);
        Response.StatusCode = status;
        return Page();
    }
}
