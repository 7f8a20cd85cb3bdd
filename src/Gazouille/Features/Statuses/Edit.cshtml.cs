using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Statuses;

/// <summary>The author edits a post's text; the audience stays (DESIGN: an edit never widens who reads).</summary>
public sealed class EditModel(StatusFinder finder, StatusPublisher publisher, StatusRenderer renderer, IStringLocalizer<WebText> t) : WebPageModel
{
    [FromRoute] public string Id { get; set; } = "";
    [BindProperty(Name = "status")] public string Text { get; set; } = "";
    public StatusEntity Status { get; private set; } = null!;
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(Viewer, Id, ct);
        if (status is null || status.AccountId != Viewer.AccountId || status.ReblogOf is not null) return NotFound();
        Status = await renderer.RenderAsync(Viewer, status, ct);
        Text = status.Text;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(Viewer, Id, ct);
        if (status is null || status.AccountId != Viewer.AccountId || status.ReblogOf is not null) return NotFound();
        Status = await renderer.RenderAsync(Viewer, status, ct);
        Text ??= "";
        if (string.IsNullOrWhiteSpace(Text)) Error = t["Write something before posting."];
        else
        {
            try
            {
                await publisher.EditAsync(Viewer, status.Id, Text, null, null, null, ct);
                return LocalRedirect($"/@{Status.Account.Username}/{Status.Id}");
            }
            catch (ApiException e)
            {
                Error = Explain(e);
            }
        }
        Response.StatusCode = 422;
        return Page();
    }
}
