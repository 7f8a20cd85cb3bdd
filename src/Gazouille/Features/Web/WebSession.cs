using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Notifications;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Web;

/// <summary>Who is reading, for the frame of every page: name, avatar, role, unread notifications, theme.</summary>
public sealed record WebMe(long Id, string Username, string DisplayName, string AvatarUrl, bool IsGuest, bool IsModerator, bool IsAdmin, string DefaultAudience, string Language);

/// <summary>Per-request facts the layout needs, loaded once and only when a page asks.</summary>
public sealed class WebSession(IHttpContextAccessor accessor, GazouilleDb db, InstanceUrls urls, NotificationReader notifications)
{
    public const string NotificationsSeenCookie = "gazouille_notifications_seen";
    private WebMe? _me;
    private bool _loaded;

    private HttpContext Http => accessor.HttpContext ?? throw new InvalidOperationException("No request");

    public Viewer Viewer => Http.Viewer();

    public async Task<WebMe?> MeAsync()
    {
        if (_loaded) return _me;
        _loaded = true;
        var v = Viewer;
        if (!v.IsSignedIn) return null;
        var a = await db.Users.AsNoTracking().FirstOrDefaultAsync(x => x.Id == v.AccountId, Http.RequestAborted);
        if (a is null) return null;
        _me = new WebMe(a.Id, a.UserName!, Display.Name(a.DisplayName, a.UserName!), urls.Avatar(a),
            v.IsGuest, v.IsModerator, v.IsAdmin, a.DefaultAudience, a.Language);
        return _me;
    }

    /// <summary>Notifications newer than the last the reader opened (the badge), capped at 99.</summary>
    public async Task<int> UnreadNotificationsAsync()
    {
        if (!Viewer.IsSignedIn) return 0;
        var seen = long.TryParse(Http.Request.Cookies[NotificationsSeenCookie], out var id) ? id : 0;
        return await notifications.CountNewerAsync(Viewer, seen, 99, Http.RequestAborted);
    }

    /// <summary>light, dark or auto (follow the device).</summary>
    public string Theme => Http.Request.Cookies[WebSetup.ThemeCookie] is "light" or "dark" ? Http.Request.Cookies[WebSetup.ThemeCookie]! : "auto";
}
