using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Hosting;
using Gazouille.Data.Entities;
using Gazouille.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

/// <summary>Following people: the API and the web follow button. The target has been checked visible by the caller.</summary>
public sealed class FollowGraph(GazouilleDb db, Notifier notifier, TimeProvider clock, Streaming.StreamOutbox stream)
{
    public async Task<RelationshipEntity> FollowAsync(Viewer viewer, long targetId, CancellationToken ct)
    {
        if (targetId == viewer.AccountId) throw ApiException.Unprocessable("Validation failed: you cannot follow yourself");
        if (viewer.IsGuest) throw ApiException.Unprocessable("Validation failed: guests follow the team channels shared with them, not people");
        if (!await db.Follows.AnyAsync(f => f.FollowerId == viewer.AccountId && f.TargetId == targetId, ct))
        {
            db.Follows.Add(new Follow { Id = Snowflake.NewId(), FollowerId = viewer.AccountId, TargetId = targetId, CreatedAt = clock.GetUtcNow() });
            await notifier.NotifyAsync(targetId, viewer.AccountId, "follow", null, ct);
            try { await db.SaveChangesAsync(ct); } catch (DbUpdateException) { db.ChangeTracker.Clear(); }
        }
        return await RelationshipAsync(viewer.AccountId, targetId, following: true, ct);
    }

    public async Task<RelationshipEntity> UnfollowAsync(Viewer viewer, long targetId, CancellationToken ct)
    {
        using (ChangeClock.Declare([.. ChangeKey.AccountAndAccess(viewer.AccountId), new ChangeKey(ChangeKind.Account, targetId)]))
            await db.Follows.Where(f => f.FollowerId == viewer.AccountId && f.TargetId == targetId).ExecuteDeleteAsync(ct);
        stream.Raise(db, Streaming.StreamEvent.AccessOf(viewer.AccountId));
        return await RelationshipAsync(viewer.AccountId, targetId, following: false, ct);
    }

    private async Task<RelationshipEntity> RelationshipAsync(long me, long targetId, bool following, CancellationToken ct)
    {
        var followedBy = await db.Follows.AnyAsync(f => f.FollowerId == targetId && f.TargetId == me, ct);
        return new RelationshipEntity(Ids.Format(targetId), following, following, false, [], followedBy, false, false, false, false, false, false, false, false, "");
    }
}
