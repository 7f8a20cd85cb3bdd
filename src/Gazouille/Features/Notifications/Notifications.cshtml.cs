using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Notifications;

/// <summary>Mentions, boosts, favourites, follows: newest first; opening the page clears the badge.</summary>
public sealed class NotificationsModel(NotificationReader notifications, Web.WebSession session) : WebPageModel
{
    public const int PageSize = 30;

    [FromQuery(Name = "max_id")] public string? MaxId { get; set; }
    public List<NotificationEntity> Items { get; private set; } = [];
    public string? OlderUrl { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var page = new PageRequest(Ids.TryParse(MaxId, out var max) ? max : null, null, null, PageSize);
        var rows = await page.ApplyAsync(notifications.Visible(Viewer), n => n.Id, q => q.ToListAsync(ct));
        Items = await notifications.RenderAsync(Viewer, rows, ct);
        if (rows.Count == PageSize) OlderUrl = $"/notifications?max_id={Ids.Format(rows[^1].Id)}";
        if (MaxId is null && rows.Count > 0)
            Response.Cookies.Append(Web.WebSession.NotificationsSeenCookie, Ids.Format(rows[0].Id),
                Web.WebSetup.Remembered);
    }

    /// <summary>The navigation's unread badge alone, fetched when the live stream brings a notification or reconnects.</summary>
    public async Task<IActionResult> OnGetBadgeAsync() => Partial("/Features/Notifications/_Badge.cshtml", await session.UnreadNotificationsAsync());
}
