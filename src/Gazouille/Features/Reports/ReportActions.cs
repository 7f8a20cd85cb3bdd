using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Admin;
using Gazouille.Features.Audit;
using Gazouille.Features.Statuses;
using Gazouille.Features.Streaming;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Reports;

/// <summary>
/// What a moderator does about a report: hide or delete the reported posts, suspend the account, or warn its author.
/// Each action resolves the report in one transaction with its audit entry, tells the author why (a
/// <c>moderation_warning</c>) and tells the reporter that something was done (a <c>gazouille.report.resolved</c>).
/// </summary>
public sealed class ReportActions(GazouilleDb db, ReportBook book, AuditLog audit, AccountAdministration accounts, StatusPublisher publisher,
    StreamOutbox stream, TimeProvider clock)
{
    public static readonly string[] Actions = ["hide", "delete", "suspend", "warn"];
    public const string WarningNotification = "moderation_warning";
    public const string OutcomeNotification = "gazouille.report.resolved";

    public async Task<Report> TakeAsync(Viewer moderator, string rawReportId, string? rawAction, string? rawText, CancellationToken ct)
    {
        var report = await book.GetAsync(moderator, rawReportId, ct);
        var action = ValidateAction(rawAction);
        var text = ValidateText(rawText);
        if (report.ResolvedAt is not null) throw ApiException.Unprocessable("Validation failed: this report is already resolved; reopen it first");
        await ActAsync(moderator, report, report.TargetAccountId, action, text, ct);
        return report;
    }

    /// <summary>
    /// Mastodon's <c>POST /api/v1/admin/accounts/:id/action</c>: <c>none</c> warns, <c>suspend</c> (or <c>disable</c>)
    /// suspends; with <c>report_id</c> the report (which must be about that account) is resolved with it.
    /// </summary>
    public async Task ActOnAccountAsync(Viewer moderator, string rawAccountId, string? type, string? rawReportId, string? rawText, CancellationToken ct)
    {
        ReportBook.RequireModerator(moderator);
        if (!Ids.TryParse(rawAccountId, out var accountId) || !await db.Users.AnyAsync(a => a.Id == accountId, ct)) throw ApiException.NotFound();
        var action = (type ?? "none").Trim().ToLowerInvariant() switch
        {
            "none" => "warn",
            "suspend" or "disable" => "suspend",
            _ => throw ApiException.Unprocessable("Validation failed: type must be none, disable or suspend (Gazouille has no silence nor sensitive)"),
        };
        var text = ValidateText(rawText);
        Report? report = null;
        if (!string.IsNullOrEmpty(rawReportId))
        {
            report = await book.GetAsync(moderator, rawReportId, ct);
            if (report.TargetAccountId != accountId) throw ApiException.NotFound();
            if (report.ResolvedAt is not null) throw ApiException.Unprocessable("Validation failed: this report is already resolved; reopen it first");
        }
        await ActAsync(moderator, report, accountId, action, text, ct);
    }

    private async Task ActAsync(Viewer moderator, Report? report, long targetId, string action, string text, CancellationToken ct)
    {
        if (targetId == moderator.AccountId) throw ApiException.Forbidden("Another moderator must act on a report about you");
        // Posts deleted since the report are simply gone: the action applies to those that remain.
        var reported = report is null ? [] : ReportBook.StatusIdsOf(report).ToList();
        var posts = await db.Statuses.AsNoTracking().Where(s => reported.Contains(s.Id) && s.AccountId == targetId && s.ReblogOfId == null).ToListAsync(ct);
        if (action is "hide" or "delete" && posts.Count == 0)
            throw ApiException.Unprocessable("Validation failed: this report names no post that still exists; warn or suspend instead");

        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        switch (action)
        {
            case "hide":
                await HideAsync(posts.Select(p => p.Id).ToList(), ct);
                break;
            case "delete":
                foreach (var post in posts) await publisher.DeleteAsync(moderator, post, ct);
                break;
            case "suspend":
                await accounts.SuspendForReportAsync(moderator, targetId, ct);
                break;
        }

        var warning = new AccountWarning
        {
            Id = Snowflake.NewId(now), AccountId = targetId, ReportId = report?.Id, Action = action, Text = text,
            StatusIds = string.Join(',', posts.Select(p => p.Id)), CreatedAt = now,
        };
        db.AccountWarnings.Add(warning);
        // As in Mastodon, the warned account is the notification's account: moderators stay anonymous.
        db.Notifications.Add(new Notification { Id = Snowflake.NewId(now), AccountId = targetId, FromAccountId = targetId, Type = WarningNotification, WarningId = warning.Id, CreatedAt = now });
        if (report is not null)
        {
            report.Action = action;
            report.ActionText = text;
            report.ResolvedAt = now;
            report.ResolvedById = moderator.AccountId;
            report.UpdatedAt = now;
            book.TellReporter(report, now);
        }
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(await ActorAsync(moderator, ct), "report.action", report is null ? $"account:{targetId}" : $"report:{Ids.Format(report.Id)}",
            new { action, account = targetId, statuses = posts.Select(p => Ids.Format(p.Id)).ToList(), reason = text }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Hidden posts and their boosts leave every timeline and open stream; author and moderators can still open them.</summary>
    private async Task HideAsync(List<long> ids, CancellationToken ct)
    {
        var shown = await db.Statuses.AsNoTracking().AsSplitQuery().Include(s => s.Mentions).Include(s => s.AudienceOrgs).Include(s => s.Tags)
            .Where(s => (ids.Contains(s.Id) || (s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))) && s.State == StatusState.Published).ToListAsync(ct);
        foreach (var s in shown) stream.Raise(db, StreamEvent.Removed(s));
        // Only published posts: a held post stays held (undoing the hide must not publish what was never approved).
        await db.Statuses.Where(s => (ids.Contains(s.Id) || (s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))) && s.State == StatusState.Published)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, StatusState.Hidden), ct);
    }

    /// <summary>
    /// Undoes a hide: the report's posts that are hidden (and their boosts) are published again and come back to
    /// timelines and open streams. Audited (<c>report.unhide</c>); the report keeps its state. Returns how many posts.
    /// </summary>
    public async Task<int> UnhideAsync(Viewer moderator, string rawReportId, CancellationToken ct)
    {
        var report = await book.GetAsync(moderator, rawReportId, ct);
        if (report.TargetAccountId == moderator.AccountId) throw ApiException.Forbidden("Another moderator must act on a report about you");
        var reported = ReportBook.StatusIdsOf(report).ToList();
        var ids = await db.Statuses.AsNoTracking()
            .Where(s => reported.Contains(s.Id) && s.AccountId == report.TargetAccountId && s.ReblogOfId == null && s.State == StatusState.Hidden)
            .Select(s => s.Id).ToListAsync(ct);
        if (ids.Count == 0) throw ApiException.Unprocessable("Validation failed: none of this report's posts is hidden");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var restored = await db.Statuses.AsNoTracking()
            .Where(s => (ids.Contains(s.Id) || (s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))) && s.State == StatusState.Hidden)
            .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        await db.Statuses.Where(s => restored.Contains(s.Id)).ExecuteUpdateAsync(u => u.SetProperty(s => s.State, StatusState.Published), ct);
        foreach (var id in restored) stream.Raise(db, StreamEvent.Published(id));
        report.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(await ActorAsync(moderator, ct), "report.unhide", $"report:{Ids.Format(report.Id)}",
            new { account = report.TargetAccountId, statuses = ids.Select(Ids.Format).ToList() }, ct);
        await tx.CommitAsync(ct);
        return ids.Count;
    }

    private static string ValidateAction(string? raw)
    {
        var action = (raw ?? "").Trim().ToLowerInvariant();
        return Actions.Contains(action) ? action : throw ApiException.Unprocessable("Validation failed: type must be one of " + string.Join(", ", Actions));
    }

    /// <summary>The reason is told to the author: required, plain text, at most 1000 characters.</summary>
    public static string ValidateText(string? raw)
    {
        var text = Moderation.HeldPosts.ValidateReason(raw, required: true)!;
        if (StatusText.IsInvisible(text) || !StatusText.IsWellFormed(text))
            throw ApiException.Unprocessable("Validation failed: reason must tell the author why (it cannot be empty)");
        return text;
    }

    private async Task<string> ActorAsync(Viewer moderator, CancellationToken ct) =>
        "@" + await db.Users.AsNoTracking().Where(a => a.Id == moderator.AccountId).Select(a => a.UserName).FirstAsync(ct);
}
