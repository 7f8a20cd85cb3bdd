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

public sealed record NotificationEntity(string Id, string Type, string CreatedAt, string GroupKey, AccountEntity Account, StatusEntity? Status)
{
    /// <summary>Mastodon's AccountWarning, on a <c>moderation_warning</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AccountWarningEntity? ModerationWarning { get; init; }

    /// <summary>The reporter's own report, on a <c>gazouille.report.resolved</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Reports.ReportEntity? Report { get; init; }
}

/// <summary>Mastodon's AccountWarning; <c>gazouille.action</c> says what Gazouille did (hide, delete, suspend, warn).</summary>
public sealed record AccountWarningEntity(string Id, string Action, string Text, List<string> StatusIds, AccountEntity TargetAccount, object? Appeal,
    string CreatedAt, AccountWarningDetail Gazouille);

public sealed record AccountWarningDetail(string Action, string? ReportId);

public static class NotificationsApi
{
    private static readonly string[] KnownTypes = ["mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update", "admin.sign_up", "admin.report",
        Reports.ReportActions.WarningNotification, Reports.ReportActions.OutcomeNotification,
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

    private static async Task<Ok<List<NotificationEntity>>> List(HttpContext http, ApiParams p, NotificationReader notifications, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var query = notifications.Visible(viewer);
        var types = p.GetAll("types").Where(KnownTypes.Contains).ToArray();
        if (p.GetAll("types").Count > 0) query = query.Where(n => types.Contains(n.Type));
        var excluded = p.GetAll("exclude_types").ToArray();
        if (excluded.Length > 0) query = query.Where(n => !excluded.Contains(n.Type));
        if (p.GetId("account_id") is { } from) query = query.Where(n => n.FromAccountId == from);
        var page = PageRequest.From(p, 40, 80);
        var rows = await page.ApplyAsync(query, n => n.Id, q => q.ToListAsync(ct));
        LinkHeader.Set(http, rows.FirstOrDefault()?.Id, rows.LastOrDefault()?.Id);
        return TypedResults.Ok(await notifications.RenderAsync(viewer, rows, ct));
    }

    private static async Task<Results<Ok<NotificationEntity>, NotFound<ApiError>>> Get(string id, HttpContext http, NotificationReader notifications, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out var nid)) return TypedResults.NotFound(ApiError.NotFound);
        var row = await notifications.Visible(http.Viewer()).FirstOrDefaultAsync(n => n.Id == nid, ct);
        if (row is null) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok((await notifications.RenderAsync(http.Viewer(), [row], ct))[0]);
    }

    private static async Task<Ok<object>> Clear(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var me = http.Viewer().AccountId;
        using (ChangeClock.Declare(new ChangeKey(ChangeKind.Notifications, me)))
            await db.Notifications.Where(n => n.AccountId == me).ExecuteDeleteAsync(ct);
        return TypedResults.Ok<object>(new { });
    }

    private static async Task<Results<Ok<object>, NotFound<ApiError>>> Dismiss(string id, HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var me = http.Viewer().AccountId;
        if (!Ids.TryParse(id, out var nid)) return TypedResults.NotFound(ApiError.NotFound);
        int deleted;
        using (ChangeClock.Declare(new ChangeKey(ChangeKind.Notifications, me)))
            deleted = await db.Notifications.Where(n => n.AccountId == me && n.Id == nid).ExecuteDeleteAsync(ct);
        return deleted == 0 ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok<object>(new { });
    }
}
