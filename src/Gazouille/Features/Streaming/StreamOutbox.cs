using System.Data.Common;
using System.Runtime.CompilerServices;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gazouille.Features.Streaming;

/// <summary>
/// Raises stream events only once what they announce is committed: a reader that gets an event can load its post.
/// Attached to the request's <c>GazouilleDb</c> as an interceptor. New notifications and changes of follows, team
/// membership and partner grants, and new published posts and boosts, are noticed in the change tracker by themselves; callers <see cref="Raise"/> the rest.
/// One instance serves every context (so the context options are built once, not per request); what a unit of work
/// has collected so far lives with its context and goes away with it.
/// </summary>
public sealed class StreamOutbox(IEventBus bus, Operations.GazouilleMetrics metrics) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed class UnitOfWork
    {
        public readonly List<StreamEvent> Pending = [];
        public int NewPosts;
    }

    private readonly ConditionalWeakTable<DbContext, UnitOfWork> _units = new();

    private UnitOfWork Of(DbContext db) => _units.GetValue(db, _ => new UnitOfWork());

    /// <summary>Sent when the current transaction commits, or at once when none is open (call it after the write).</summary>
    public void Raise(DbContext db, StreamEvent e)
    {
        Of(db).Pending.Add(e);
        if (db.Database.CurrentTransaction is null) Flush(db);
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
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null) Discard(db);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } db) Flush(db);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } db) Discard(db);
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    private void Discard(DbContext db)
    {
        if (!_units.TryGetValue(db, out var unit)) return;
        unit.Pending.Clear();
        unit.NewPosts = 0;
    }

    private void AfterSave(DbContext? db)
    {
        if (db is not null && db.Database.CurrentTransaction is null) Flush(db);
    }

    private void Collect(DbContext? db)
    {
        if (db is null) return;
        var unit = Of(db);
        foreach (var entry in db.ChangeTracker.Entries())
        {
            var changed = entry.State is EntityState.Added or EntityState.Deleted or EntityState.Modified;
            if (!changed) continue;
            switch (entry.Entity)
            {
                case Status st when entry.State == EntityState.Added && st.State == StatusState.Published:
                    unit.Pending.Add(StreamEvent.Published(st.Id));
                    if (st.ReblogOfId is null) unit.NewPosts++;
                    break;
                case Notification n when entry.State == EntityState.Added:
                    unit.Pending.Add(StreamEvent.NotificationFor(n.AccountId, n.Id));
                    break;
                case Follow f:
                    unit.Pending.Add(StreamEvent.AccessOf(f.FollowerId));
                    break;
                case TeamFollow tf:
                    unit.Pending.Add(StreamEvent.AccessOf(tf.AccountId));
                    break;
                case TeamMember m:
                    unit.Pending.Add(StreamEvent.AccessOf(m.AccountId));
                    break;
                case PartnerGrant g:
                    unit.Pending.Add(StreamEvent.AccessOfOrg(g.PartnerOrgId));
                    break;
            }
        }
    }

    private void Flush(DbContext db)
    {
        if (!_units.TryGetValue(db, out var unit)) return;
        for (; unit.NewPosts > 0; unit.NewPosts--) metrics.PostPublished();
        if (unit.Pending.Count == 0) return;
        // Access changes go first: a stream learns it lost a channel before it could be sent that channel's next post.
        var pending = unit.Pending.ToArray();
        unit.Pending.Clear();
        foreach (var e in pending.Where(e => e.Kind == StreamEventKind.Access).Distinct()) bus.Publish(e);
        foreach (var e in pending.Where(e => e.Kind != StreamEventKind.Access)) bus.Publish(e);
    }
}
