using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Statuses;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Notifications;

/// <summary>Reads and renders a viewer's notifications (the API and the web page).</summary>
public sealed class NotificationReader(GazouilleDb db, AccountRenderer accounts, StatusRenderer statuses, Reports.ReportBook reports)
{
    /// <summary>
    /// The viewer's notifications whose status (if any) and author the viewer may still see (I1 at read time). The
    /// viewer's own held or rejected posts count as visible: that is how a moderator's decision reaches their author.
    /// </summary>
    public IQueryable<Notification> Visible(Viewer viewer)
    {
        var me = viewer.AccountId;
        var statuses = db.Statuses.Where(Visibility.StatusesVisibleToAuthorIncluded(viewer with { Role = AccountRole.Employee }));
        var accounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));
        return db.Notifications.AsNoTracking().Where(n => n.AccountId == me
            && (n.StatusId == null || statuses.Any(s => s.Id == n.StatusId))
            && accounts.Any(a => a.Id == n.FromAccountId));
    }

    /// <summary>How many notifications arrived after the last one the viewer saw (the badge), capped.</summary>
    public Task<int> CountNewerAsync(Viewer viewer, long afterId, int cap, CancellationToken ct) =>
        Visible(viewer).Where(n => n.Id > afterId).Take(cap).CountAsync(ct);

    public async Task<List<NotificationEntity>> RenderAsync(Viewer viewer, List<Notification> rows, CancellationToken ct)
    {
        var fromIds = rows.Select(r => r.FromAccountId).Distinct().ToList();
        var people = await db.Users.AsNoTracking().Where(a => fromIds.Contains(a.Id)).ToListAsync(ct);
        var renderedPeople = (await accounts.RenderManyAsync(viewer, people, ct: ct)).ToDictionary(a => a.Id);
        var statusIds = rows.Where(r => r.StatusId is not null).Select(r => r.StatusId!.Value).Distinct().ToList();
        var renderedStatuses = (await statuses.RenderManyAsync(viewer, await statuses.LoadAsync(statusIds, ct), ct)).ToDictionary(s => s.Id);
        var warningIds = rows.Where(r => r.WarningId is not null).Select(r => r.WarningId!.Value).ToList();
        var warnings = warningIds.Count == 0 ? [] : await db.AccountWarnings.AsNoTracking().Where(w => warningIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, ct);
        var reportIds = rows.Where(r => r.ReportId is not null).Select(r => r.ReportId!.Value).ToList();
        var renderedReports = new Dictionary<long, Reports.ReportEntity>();
        // Only the viewer's own reports: a notification never shows someone else's.
        foreach (var report in reportIds.Count == 0 ? [] : await db.Reports.AsNoTracking().Where(x => reportIds.Contains(x.Id) && x.ReporterId == viewer.AccountId).ToListAsync(ct))
            renderedReports[report.Id] = await reports.RenderAsync(viewer, report, ct);
        return rows.Select(r => new NotificationEntity(
            Ids.Format(r.Id), r.Type, AccountRenderer.Iso(r.CreatedAt), $"ungrouped-{r.Id}",
            renderedPeople[Ids.Format(r.FromAccountId)],
            r.StatusId is { } sid ? renderedStatuses.GetValueOrDefault(Ids.Format(sid)) : null)
        {
            ModerationWarning = r.WarningId is { } wid && warnings.GetValueOrDefault(wid) is { } w && w.AccountId == viewer.AccountId
                ? Warning(w, renderedPeople[Ids.Format(r.FromAccountId)]) : null,
            Report = r.ReportId is { } rid ? renderedReports.GetValueOrDefault(rid) : null,
        }).ToList();
    }

    /// <summary>Mastodon's action names where one fits; hiding has none, so it says <c>none</c> and <c>gazouille.action</c> tells.</summary>
    private static AccountWarningEntity Warning(AccountWarning w, AccountEntity target) => new(
        Ids.Format(w.Id), w.Action switch { "delete" => "delete_statuses", "suspend" => "suspend", _ => "none" }, w.Text,
        w.StatusIds.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList(), target, null, AccountRenderer.Iso(w.CreatedAt),
        new AccountWarningDetail(w.Action, w.ReportId is { } id ? Ids.Format(id) : null));
}
