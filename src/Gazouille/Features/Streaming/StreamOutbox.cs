using System.Data.Common;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gazouille.Features.Streaming;

/// <summary>
/// Raises stream events only once what they announce is committed: a reader that gets an event can load its post.
/// Attached to the request's <c>GazouilleDb</c> as an interceptor. New notifications and changes of follows, team
/// membership and partner grants, and new published posts and boosts, are noticed in the change tracker by themselves; callers <see cref="Raise"/> the rest.
/// </summary>
public sealed class StreamOutbox(IEventBus bus, Operations.GazouilleMetrics metrics) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly List<StreamEvent> _pending = [];
    private int _newPosts;

    /// <summary>Sent when the current transaction commits, or at once when none is open (call it after the write).</summary>
    public void Raise(DbContext db, StreamEvent e)
    {
        _pending.Add(e);
        if (db.Database.CurrentTransaction is null) Flush();
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSave(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        AfterSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context?.Database.CurrentTransaction is null) Discard();
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush();
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard();
        return Task.CompletedTask;
    }

    private void Discard()
    {
        _pending.Clear();
        _newPosts = 0;
    }

    private void AfterSave(DbContext? db)
    {
        if (db?.Database.CurrentTransaction is null) Flush();
    }

    private void Collect(DbContext? db)
    {
        if (db is null) return;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            var changed = entry.State is EntityState.Added or EntityState.Deleted or EntityState.Modified;
            if (!changed) continue;
            switch (entry.Entity)
            {
                case Status st when entry.State == EntityState.Added && st.State == StatusState.Published:
                    _pending.Add(StreamEvent.Published(st.Id));
                    if (st.ReblogOfId is null) _newPosts++;
                    break;
                case Notification n when entry.State == EntityState.Added:
                    _pending.Add(StreamEvent.NotificationFor(n.AccountId, n.Id));
                    break;
                case Follow f:
                    _pending.Add(StreamEvent.AccessOf(f.FollowerId));
                    break;
                case TeamFollow tf:
                    _pending.Add(StreamEvent.AccessOf(tf.AccountId));
                    break;
                case TeamMember m:
                    _pending.Add(StreamEvent.AccessOf(m.AccountId));
                    break;
                case PartnerGrant g:
                    _pending.Add(StreamEvent.AccessOfOrg(g.PartnerOrgId));
                    break;
            }
        }
    }

    private void Flush()
    {
        for (; _newPosts > 0; _newPosts--) metrics.PostPublished();
        if (_pending.Count == 0) return;
        // Access changes go first: a stream learns it lost a channel before it could be sent that channel's next post.
        foreach (var e in _pending.Where(e => e.Kind == StreamEventKind.Access).Distinct()) bus.Publish(e);
        foreach (var e in _pending.Where(e => e.Kind != StreamEventKind.Access)) bus.Publish(e);
        _pending.Clear();
    }
}
