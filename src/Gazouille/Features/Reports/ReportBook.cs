using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Audit;
using Gazouille.Features.Statuses;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Reports;

/// <summary>
/// Reports: anyone signed in reports an account they can see, with posts of that account they can read; moderators
/// review, resolve and reopen. Everything the reporter may not see answers like what does not exist (I4).
/// </summary>
public sealed class ReportBook(GazouilleDb db, AuditLog audit, StatusRenderer statuses, AccountRenderer accounts, TimeProvider clock)
{
    public static readonly string[] Categories = ["misleading", "leak", "harassment", "spam", "violation", "other"];

    public async Task<Report> FileAsync(Viewer reporter, string? rawAccountId, IReadOnlyList<string> rawStatusIds, string? comment, string? category, CancellationToken ct)
    {
        if (!reporter.IsSignedIn) throw new ApiException(StatusCodes.Status401Unauthorized, ApiError.Unauthorized.Error);
        category = string.IsNullOrWhiteSpace(category) ? "other" : category.Trim().ToLowerInvariant();
        if (!Categories.Contains(category)) throw ApiException.Unprocessable("Validation failed: category must be one of " + string.Join(", ", Categories));
        comment = StatusText.NormalizeNewlines(comment ?? "").Trim();
        if (comment.Length > Report.CommentMaxLength) throw ApiException.Unprocessable($"Validation failed: comment is longer than {Report.CommentMaxLength} characters");
        if (comment.Any(c => char.IsControl(c) && c is not '\n' and not '\t')) throw ApiException.Unprocessable("Validation failed: comment holds control characters");
        if (rawStatusIds.Count > Report.MaxStatuses) throw ApiException.Unprocessable($"Validation failed: at most {Report.MaxStatuses} status_ids");

        // An account the reporter cannot see, and a post it cannot read (or not by that account), are "not found".
        if (!Ids.TryParse(rawAccountId, out var targetId)) throw ApiException.NotFound();
        if (!await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(reporter)).AnyAsync(a => a.Id == targetId, ct)) throw ApiException.NotFound();
        if (targetId == reporter.AccountId) throw ApiException.Unprocessable("Validation failed: you cannot report yourself");
        var ids = new List<long>();
        foreach (var raw in rawStatusIds.Distinct())
        {
            if (!Ids.TryParse(raw, out var sid)) throw ApiException.NotFound();
            if (!await db.Statuses.Where(Visibility.StatusesVisibleTo(reporter)).AnyAsync(s => s.Id == sid && s.AccountId == targetId, ct))
                throw ApiException.NotFound();
            ids.Add(sid);
        }

        var now = clock.GetUtcNow();
        var report = new Report
        {
            Id = Snowflake.NewId(), ReporterId = reporter.AccountId, TargetAccountId = targetId, Category = category, Comment = comment,
            StatusIds = string.Join(',', ids), CreatedAt = now, UpdatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Reports.Add(report);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(await ActorAsync(reporter.AccountId, ct), "report.create", $"account:{targetId}",
            new { report = Ids.Format(report.Id), category, statuses = ids.Count }, ct);
        await tx.CommitAsync(ct);
        return report;
    }

    public static void RequireModerator(Viewer viewer)
    {
        if (!viewer.IsModerator) throw ApiException.Forbidden("Only moderators and administrators review reports");
    }

    public async Task<List<Report>> ListAsync(Viewer moderator, bool resolved, long? maxId, int limit, CancellationToken ct)
    {
        RequireModerator(moderator);
        var query = db.Reports.AsNoTracking().Where(r => resolved ? r.ResolvedAt != null : r.ResolvedAt == null);
        if (maxId is { } max) query = query.Where(r => r.Id < max);
        return await query.OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
    }

    public async Task<Report> GetAsync(Viewer moderator, string rawId, CancellationToken ct)
    {
        RequireModerator(moderator);
        if (!Ids.TryParse(rawId, out var id)) throw ApiException.NotFound();
        return await db.Reports.FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw ApiException.NotFound();
    }

    public async Task<Report> SetResolvedAsync(Viewer moderator, string rawId, bool resolved, CancellationToken ct)
    {
        var report = await GetAsync(moderator, rawId, ct);
        if ((report.ResolvedAt is not null) == resolved) return report;
        var now = clock.GetUtcNow();
        report.ResolvedAt = resolved ? now : null;
        report.ResolvedById = resolved ? moderator.AccountId : null;
        report.Action = null;
        report.ActionText = "";
        report.UpdatedAt = now;
        if (resolved) TellReporter(report, now);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(await ActorAsync(moderator.AccountId, ct), resolved ? "report.resolve" : "report.reopen", $"report:{Ids.Format(report.Id)}", new { }, ct);
        await tx.CommitAsync(ct);
        return report;
    }

    /// <summary>The reporter learns that the report was handled (and how), never the moderator's reason nor who they are.</summary>
    public void TellReporter(Report report, DateTimeOffset now) =>
        db.Notifications.Add(new Notification
        {
            Id = Snowflake.NewId(now), AccountId = report.ReporterId, FromAccountId = report.ReporterId, Type = ReportActions.OutcomeNotification,
            ReportId = report.Id, CreatedAt = now,
        });

    private async Task<string> ActorAsync(long accountId, CancellationToken ct) =>
        "@" + await db.Users.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.UserName).FirstAsync(ct);

    public static IReadOnlyList<long> StatusIdsOf(Report r) =>
        r.StatusIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>Mastodon's Report, for the reporter.</summary>
    public async Task<ReportEntity> RenderAsync(Viewer reporter, Report r, CancellationToken ct)
    {
        var target = await db.Users.AsNoTracking().FirstAsync(a => a.Id == r.TargetAccountId, ct);
        return new ReportEntity(Ids.Format(r.Id), r.ResolvedAt is not null, r.ResolvedAt is { } at ? AccountRenderer.Iso(at) : null, r.Category,
            r.Comment, false, AccountRenderer.Iso(r.CreatedAt), StatusIdsOf(r).Select(Ids.Format).ToList(), [],
            await accounts.RenderAsync(reporter, target, ct: ct), new ReportOutcome(r.ResolvedAt is null ? null : r.Action ?? "none", null));
    }

    /// <summary>Mastodon's Admin::Report (reduced): both accounts and the reported posts as the moderator sees them.</summary>
    public async Task<AdminReportEntity> RenderForModeratorAsync(Viewer moderator, Report r, CancellationToken ct)
    {
        var people = await db.Users.AsNoTracking().Where(a => a.Id == r.ReporterId || a.Id == r.TargetAccountId || a.Id == r.ResolvedById).ToListAsync(ct);
        async Task<AccountEntity?> Render(long? id) => people.FirstOrDefault(a => a.Id == id) is { } a ? await accounts.RenderAsync(moderator, a, ct: ct) : null;
        // Moderators review what was reported even where they are not in its audience, as Mastodon's do.
        var posts = await statuses.LoadAsync(StatusIdsOf(r).ToList(), ct);
        return new AdminReportEntity(Ids.Format(r.Id), r.ResolvedAt is not null, r.ResolvedAt is { } at ? AccountRenderer.Iso(at) : null, r.Category,
            r.Comment, false, AccountRenderer.Iso(r.CreatedAt), AccountRenderer.Iso(r.UpdatedAt),
            (await Render(r.ReporterId))!, (await Render(r.TargetAccountId))!, null, await Render(r.ResolvedById),
            await statuses.RenderManyAsync(moderator, posts, ct), [], new ReportOutcome(r.ResolvedAt is null ? null : r.Action ?? "none", r.ActionText,
                posts.Where(p => p.State == StatusState.Hidden && p.AccountId == r.TargetAccountId && p.ReblogOfId == null).Select(p => Ids.Format(p.Id)).ToList()));
    }
}

public sealed record ReportEntity(string Id, bool ActionTaken, string? ActionTakenAt, string Category, string Comment, bool Forwarded,
    string CreatedAt, List<string> StatusIds, List<string> RuleIds, AccountEntity TargetAccount, ReportOutcome Gazouille);

/// <summary>How a report was resolved: hide, delete, suspend, warn, or none (resolved without action); null while open.
/// The moderator's reason (<c>text</c>) is for moderators and the author, never the reporter;
/// <c>hidden_status_ids</c> (moderators only): the reported posts that are hidden now, which a moderator may show again.</summary>
public sealed record ReportOutcome(string? Action, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Text,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] List<string>? HiddenStatusIds = null);

public sealed record AdminReportEntity(string Id, bool ActionTaken, string? ActionTakenAt, string Category, string Comment, bool Forwarded,
    string CreatedAt, string UpdatedAt, AccountEntity Account, AccountEntity TargetAccount, AccountEntity? AssignedAccount,
    AccountEntity? ActionTakenByAccount, List<StatusEntity> Statuses, List<string> Rules, ReportOutcome Gazouille);
