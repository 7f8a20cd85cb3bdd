using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Notifications;

public sealed record NotificationEntity(string Id, string Type, string CreatedAt, string GroupKey, AccountEntity Account, StatusEntity? Status);

public static class NotificationsApi
{
    private static readonly string[] KnownTypes = ["mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update", "admin.sign_up", "admin.report",
        Moderation.HeldPosts.RejectedNotification, Moderation.HeldPosts.ApprovedNotification, Moderation.HeldPosts.EditRequestedNotification];

    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/notifications").WithTags("Notifications");
        group.MapGet("/", List).RequireScope("read:notifications");
        group.MapGet("/{id}", Get).RequireScope("read:notifications");
        group.MapPost("/clear", Clear).RequireScope("write:notifications");
        group.MapPost("/{id}/dismiss", Dismiss).RequireScope("write:notifications");
        return group;
    }

    /// <summary>
    /// The viewer's notifications whose status (if any) and author the viewer may still see (I1 at read time). The
    /// viewer's own held or rejected posts count as visible: that is how a moderator's decision reaches their author.
    /// </summary>
    private static IQueryable<Notification> Visible(GazouilleDb db, Viewer viewer)
    {
        var me = viewer.AccountId;
        var statuses = db.Statuses.Where(Visibility.StatusesVisibleToAuthorIncluded(viewer with { Role = AccountRole.Employee }));
        var accounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));
        return db.Notifications.AsNoTracking().Where(n => n.AccountId == me
            && (n.StatusId == null || statuses.Any(s => s.Id == n.StatusId))
            && accounts.Any(a => a.Id == n.FromAccountId));
    }

    private static async Task<Ok<List<NotificationEntity>>> List(HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer accounts, StatusRenderer statuses, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var query = Visible(db, viewer);
        var types = p.GetAll("types").Where(KnownTypes.Contains).ToArray();
        if (p.GetAll("types").Count > 0) query = query.Where(n => types.Contains(n.Type));
        var excluded = p.GetAll("exclude_types").ToArray();
        if (excluded.Length > 0) query = query.Where(n => !excluded.Contains(n.Type));
        if (p.GetId("account_id") is { } from) query = query.Where(n => n.FromAccountId == from);
        var page = PageRequest.From(p, 40, 80);
        var rows = await page.ApplyAsync(query, n => n.Id, q => q.ToListAsync(ct));
        LinkHeader.Set(http, rows.FirstOrDefault()?.Id, rows.LastOrDefault()?.Id);
        return TypedResults.Ok(await RenderAsync(viewer, rows, db, accounts, statuses, ct));
    }

    private static async Task<Results<Ok<NotificationEntity>, NotFound<ApiError>>> Get(string id, HttpContext http, GazouilleDb db, AccountRenderer accounts, StatusRenderer statuses, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out var nid)) return TypedResults.NotFound(ApiError.NotFound);
        var row = await Visible(db, http.Viewer()).FirstOrDefaultAsync(n => n.Id == nid, ct);
        if (row is null) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok((await RenderAsync(http.Viewer(), [row], db, accounts, statuses, ct))[0]);
    }

    private static async Task<Ok<object>> Clear(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var me = http.Viewer().AccountId;
        await db.Notifications.Where(n => n.AccountId == me).ExecuteDeleteAsync(ct);
        return TypedResults.Ok<object>(new { });
    }

    private static async Task<Results<Ok<object>, NotFound<ApiError>>> Dismiss(string id, HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var me = http.Viewer().AccountId;
        if (!Ids.TryParse(id, out var nid)) return TypedResults.NotFound(ApiError.NotFound);
        var deleted = await db.Notifications.Where(n => n.AccountId == me && n.Id == nid).ExecuteDeleteAsync(ct);
        return deleted == 0 ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok<object>(new { });
    }

    private static async Task<List<NotificationEntity>> RenderAsync(Viewer viewer, List<Notification> rows, GazouilleDb db, AccountRenderer accounts, StatusRenderer statuses, CancellationToken ct)
    {
        var fromIds = rows.Select(r => r.FromAccountId).Distinct().ToList();
        var people = await db.Users.AsNoTracking().Where(a => fromIds.Contains(a.Id)).ToListAsync(ct);
        var renderedPeople = (await accounts.RenderManyAsync(viewer, people, ct: ct)).ToDictionary(a => a.Id);
        var statusIds = rows.Where(r => r.StatusId is not null).Select(r => r.StatusId!.Value).Distinct().ToList();
        var renderedStatuses = (await statuses.RenderManyAsync(viewer, await statuses.LoadAsync(statusIds, ct), ct)).ToDictionary(s => s.Id);
        return rows.Select(r => new NotificationEntity(
            Ids.Format(r.Id), r.Type, AccountRenderer.Iso(r.CreatedAt), $"ungrouped-{r.Id}",
            renderedPeople[Ids.Format(r.FromAccountId)],
            r.StatusId is { } sid ? renderedStatuses.GetValueOrDefault(Ids.Format(sid)) : null)).ToList();
    }
}
