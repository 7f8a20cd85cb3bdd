using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;

namespace Gazouille.Features.Statuses;

/// <summary>A post in its conversation: what it answers above, the replies below, and a reply box in context.</summary>
public sealed class ThreadModel(StatusFinder finder, StatusRenderer renderer, ComposeBox compose) : WebPageModel
{
    [FromRoute] public string Username { get; set; } = "";
    [FromRoute] public string Id { get; set; } = "";

    public StatusEntity Status { get; private set; } = null!;
    public List<StatusEntity> Ancestors { get; private set; } = [];
    public List<StatusEntity> Descendants { get; private set; } = [];
    public ComposeView? Reply { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(Viewer, Id, ct);
        if (status is null || !string.Equals(status.Account?.UserName, Username, StringComparison.OrdinalIgnoreCase)) return NotFound();
        Status = await renderer.RenderAsync(Viewer, status, ct);
        if (status.ReblogOf is not null) return LocalRedirect($"/@{Status.Reblog!.Account.Username}/{Status.Reblog.Id}");
        var (ancestors, descendants) = await finder.ContextAsync(Viewer, status, ct);
        var rendered = (await renderer.RenderManyAsync(Viewer, await renderer.LoadAsync([.. ancestors, .. descendants], ct), ct)).ToDictionary(s => s.Id);
        Ancestors = ancestors.Select(Api.Ids.Format).Where(rendered.ContainsKey).Select(i => rendered[i]).ToList();
        Descendants = descendants.Select(Api.Ids.Format).Where(rendered.ContainsKey).Select(i => rendered[i]).ToList();
        if (status.State == Data.Entities.StatusState.Published)
            Reply = await compose.NewAsync(Viewer, Status.Account.Id == Viewer.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture) ? "" : $"@{Status.Account.Acct} ", inReplyTo: Status, ct: ct);
        return Page();
    }
}
