using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;

namespace Gazouille.Features.LeakGuard;

/// <summary>The signed-in author's own history of Leak Guard warnings, holds and blocks.</summary>
public sealed class WarningHistoryModel(LeakHistory history) : WebPageModel
{
    [FromQuery(Name = "max_id")] public long? MaxId { get; set; }
    public List<LeakHistoryEntry> Entries { get; private set; } = [];
    public string? OlderUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Viewer.AccountId == 0) return NotFound();
        Entries = await history.ForAsync(Viewer.AccountId, MaxId, LeakHistory.PageSize, ct);
        if (Entries.Count == LeakHistory.PageSize) OlderUrl = $"/settings/leak-guard?max_id={Entries[^1].Id}";
        return Page();
    }
}
