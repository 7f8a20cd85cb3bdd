using Gazouille.Data;
using Gazouille.Features.Web;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Statuses;

/// <summary>Every version of an edited post, oldest first, rendered like the post itself.</summary>
public sealed class HistoryModel(StatusFinder finder, StatusRenderer renderer, GazouilleDb db, InstanceUrls urls) : WebPageModel
{
    [FromRoute] public string Username { get; set; } = "";
    [FromRoute] public string Id { get; set; } = "";

    public StatusEntity Status { get; private set; } = null!;
    public List<(string Content, string SpoilerText, string CreatedAt)> Versions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(Viewer, Id, ct);
        if (status is null || status.ReblogOf is not null || !string.Equals(status.Account?.UserName, Username, StringComparison.OrdinalIgnoreCase)) return NotFound();
        Status = await renderer.RenderAsync(Viewer, status, ct);
        var mentionUrls = Status.Mentions.ToDictionary(m => m.Username.ToLowerInvariant(), m => m.Url);
        var edits = await db.StatusEdits.AsNoTracking().Where(e => e.StatusId == status.Id).OrderBy(e => e.Id).ToListAsync(ct);
        Versions = edits.Count == 0
            ? [(Status.Content, Status.SpoilerText, Status.CreatedAt)]
            : edits.Select(e => (StatusText.Render(e.Text, u => mentionUrls.GetValueOrDefault(u), urls.Base), e.SpoilerText, Accounts.AccountRenderer.Iso(e.CreatedAt))).ToList();
        return Page();
    }
}
