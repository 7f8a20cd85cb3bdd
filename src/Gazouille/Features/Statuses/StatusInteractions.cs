using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Hosting;
using Gazouille.Data.Entities;
using Gazouille.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Statuses;

/// <summary>
/// Favourites, boosts and bookmarks, each only on published statuses the viewer may read. Every method answers the id of
/// the status to show afterwards (the boost itself after a boost, the original otherwise).
/// </summary>
public sealed class StatusInteractions(GazouilleDb db, StatusFinder finder, Notifier notifier, TimeProvider clock, Streaming.StreamOutbox stream)
{
    /// <summary>The status an interaction applies to: a boost stands for the post it boosts.</summary>
    public async Task<Status> FindTargetAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(viewer, id, ct) ?? throw ApiException.NotFound();
        if (status.State != StatusState.Published) throw ApiException.NotFound();
        return status.ReblogOf ?? status;
    }

    public async Task<long> FavouriteAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var status = await FindTargetAsync(viewer, id, ct);
        var me = viewer.AccountId;
        if (!await db.Favourites.AnyAsync(f => f.AccountId == me && f.StatusId == status.Id, ct))
        {
            db.Favourites.Add(new Favourite { Id = Snowflake.NewId(), AccountId = me, StatusId = status.Id, CreatedAt = clock.GetUtcNow() });
            await notifier.NotifyAsync(status.AccountId, me, "favourite", status, ct);
            await SaveIgnoringDuplicateAsync(ct);
        }
        return status.Id;
    }

    public async Task<long> UnfavouriteAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var status = await FindTargetAsync(viewer, id, ct);
        var me = viewer.AccountId;
        using (ChangeClock.Declare(new ChangeKey(ChangeKind.Status, status.Id)))
            await db.Favourites.Where(f => f.AccountId == me && f.StatusId == status.Id).ExecuteDeleteAsync(ct);
        using (ChangeClock.Declare(new ChangeKey(ChangeKind.Notifications, status.AccountId))) // the author's unread badge
            await db.Notifications.Where(n => n.FromAccountId == me && n.StatusId == status.Id && n.Type == "favourite").ExecuteDeleteAsync(ct);
        return status.Id;
    }

    public async Task<long> ReblogAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var original = await FindTargetAsync(viewer, id, ct);
        if (original.AudienceKind == AudienceKind.Direct)
            throw ApiException.Unprocessable("Validation failed: a direct message cannot be boosted");
        if (original.AudienceKind == AudienceKind.Followers)
            throw ApiException.Unprocessable("Validation failed: a followers-only post cannot be boosted");
        if (viewer.IsGuest && original.AudienceKind != AudienceKind.Partners)
            throw ApiException.Unprocessable("Validation failed: guests boost only within the partner channels shared with them");
        var existing = await db.Statuses.Where(s => s.AccountId == viewer.AccountId && s.ReblogOfId == original.Id).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct);
        if (existing is { } boostId) return boostId;

        // A boost copies the original's audience, so it never reaches further (I2); a guest's stays within its org (I3).
        var now = clock.GetUtcNow();
        var boost = new Status
        {
            Id = Snowflake.NewId(now), AccountId = viewer.AccountId, ReblogOfId = original.Id, AudienceKind = original.AudienceKind,
            AudienceTeamId = original.AudienceTeamId, AudienceOwnerId = original.AudienceOwnerId, Listed = original.Listed,
            State = StatusState.Published, CreatedAt = now, Language = original.Language,
        };
        boost.ThreadId = boost.Id;
        var orgs = viewer.IsGuest ? [viewer.PartnerOrgId] : original.AudienceOrgs.Select(o => o.PartnerOrgId).ToArray();
        boost.AudienceOrgs = orgs.Select(o => new StatusAudienceOrg { StatusId = boost.Id, PartnerOrgId = o }).ToList();
        db.Statuses.Add(boost);
        await notifier.NotifyAsync(original.AccountId, viewer.AccountId, "reblog", boost.AudienceOrgs.Count > 0 && viewer.IsGuest ? boost : original, ct);
        await db.SaveChangesAsync(ct);
        return boost.Id;
    }

    public async Task<long> UnreblogAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var original = await FindTargetAsync(viewer, id, ct);
        var me = viewer.AccountId;
        var gone = await db.Statuses.AsNoTracking().Include(s => s.AudienceOrgs).Where(s => s.AccountId == me && s.ReblogOfId == original.Id).ToListAsync(ct);
        var boosts = gone.Select(s => s.Id).ToList();
        using (ChangeClock.Declare(new ChangeKey(ChangeKind.Notifications, original.AccountId))) // the author's unread badge
        {
            await db.Notifications.Where(n => n.StatusId != null && boosts.Contains(n.StatusId.Value)).ExecuteDeleteAsync(ct);
            await db.Notifications.Where(n => n.FromAccountId == me && n.StatusId == original.Id && n.Type == "reblog").ExecuteDeleteAsync(ct);
        }
        ChangeKey[] changed = [new(ChangeKind.Status, original.Id), new(ChangeKind.AuthorPosts, me), new(ChangeKind.Account, me),
            .. boosts.Select(b => new ChangeKey(ChangeKind.Status, b))];
        using (ChangeClock.Declare(changed))
        {
            await db.StatusAudienceOrgs.Where(o => boosts.Contains(o.StatusId)).ExecuteDeleteAsync(ct);
            await db.Statuses.Where(s => boosts.Contains(s.Id)).ExecuteDeleteAsync(ct);
        }
        foreach (var boost in gone.Where(s => s.State == StatusState.Published)) stream.Raise(db, Streaming.StreamEvent.Removed(boost));
        return original.Id;
    }

    public async Task<long> BookmarkAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var status = await FindTargetAsync(viewer, id, ct);
        var me = viewer.AccountId;
        if (!await db.Bookmarks.AnyAsync(b => b.AccountId == me && b.StatusId == status.Id, ct))
        {
            db.Bookmarks.Add(new Bookmark { Id = Snowflake.NewId(), AccountId = me, StatusId = status.Id, CreatedAt = clock.GetUtcNow() });
            await SaveIgnoringDuplicateAsync(ct);
        }
        return status.Id;
    }

    public async Task<long> UnbookmarkAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var status = await FindTargetAsync(viewer, id, ct);
        var me = viewer.AccountId;
        using (ChangeClock.Declare(new ChangeKey(ChangeKind.Status, status.Id)))
            await db.Bookmarks.Where(b => b.AccountId == me && b.StatusId == status.Id).ExecuteDeleteAsync(ct);
        return status.Id;
    }

    private async Task SaveIgnoringDuplicateAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same favourite or bookmark arrived twice at once; one row is what both wanted.
            db.ChangeTracker.Clear();
        }
    }
}
