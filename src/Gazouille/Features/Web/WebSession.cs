using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Notifications;
using Gazouille.Features.Timelines;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Web;

/// <summary>Who is reading, for the frame of every page: name, avatar, role, unread notifications, theme.</summary>
public sealed record WebMe(long Id, string Username, string DisplayName, string AvatarUrl, bool IsGuest, bool IsModerator, bool IsAdmin, string DefaultAudience, string Language);

/// <summary>Per-request facts the layout needs, loaded once and only when a page asks.</summary>
/// <remarks>
/// Both are on every page, so both are kept (<see cref="ViewerPageCache"/>) while nothing they show changed: the account
/// for its own row, the unread count for the reader's notifications, the posts they are about and the accounts they come
/// from (a post deleted or hidden, an account suspended, a notification added or dismissed shows on the next page).
/// </remarks>
public sealed class WebSession(IHttpContextAccessor accessor, GazouilleDb db, InstanceUrls urls, NotificationReader notifications, ViewerPageCache cache)
{
    /// <summary>Above this many notifications newer than the last seen, the count is read every time rather than kept.</summary>
    private const int MaxTrackedUnread = 300;

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
        var urlBase = urls.Base;
        if (cache.TryGet(v, urlBase, "web:me", out WebMe cached)) return _me = cached;
        var since = cache.Start();
        var a = await db.Users.AsNoTracking().FirstOrDefaultAsync(x => x.Id == v.AccountId, Http.RequestAborted);
        if (a is null) return null;
        _me = new WebMe(a.Id, a.UserName!, Display.Name(a.DisplayName, a.UserName!), urls.Avatar(a),
            v.IsGuest, v.IsModerator, v.IsAdmin, a.DefaultAudience, a.Language);
        cache.Store(v, urlBase, "web:me", since, [new ChangeKey(ChangeKind.Account, v.AccountId)], _me);
        return _me;
    }

    private sealed record Unread(long Seen, int Count);

    /// <summary>Notifications newer than the last the reader opened (the badge), capped at 99.</summary>
    public async Task<int> UnreadNotificationsAsync()
    {
        if (!Viewer.IsSignedIn) return 0;
        var seen = long.TryParse(Http.Request.Cookies[NotificationsSeenCookie], out var id) ? id : 0;
        var v = Viewer;
        // One entry per reader whatever its cookie says: a cookie made up anew on every request cannot fill the cache.
        const string key = "web:unread";
        if (cache.TryGet(v, "", key, out Unread cached) && cached.Seen == seen) return cached.Count;
        var since = cache.Start();
        var ct = Http.RequestAborted;
        // Whatever can change the count: the reader's notifications, and the post and the author of each one not yet seen.
        var candidates = await db.Notifications.AsNoTracking().Where(n => n.AccountId == v.AccountId && n.Id > seen)
            .OrderByDescending(n => n.Id).Take(MaxTrackedUnread + 1).Select(n => new { n.StatusId, n.FromAccountId }).ToListAsync(ct);
        var count = await notifications.CountNewerAsync(v, seen, 99, ct);
        if (candidates.Count <= MaxTrackedUnread)
        {
            var deps = new HashSet<ChangeKey> { new(ChangeKind.Notifications, v.AccountId) };
            foreach (var c in candidates)
            {
                if (c.StatusId is { } status) deps.Add(new(ChangeKind.Status, status));
                deps.Add(new(ChangeKind.Account, c.FromAccountId));
            }
            cache.Store(v, "", key, since, [.. deps], new Unread(seen, count));
        }
        return count;
    }

    /// <summary>light, dark or auto (follow the device).</summary>
    public string Theme => Http.Request.Cookies[WebSetup.ThemeCookie] is "light" or "dark" ? Http.Request.Cookies[WebSetup.ThemeCookie]! : "auto";
}
