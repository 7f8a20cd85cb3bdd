using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gazouille.Features.Accounts;

/// <summary>
/// Follower, following and post counts of accounts as employees see them (plain totals), kept for a few seconds: every
/// post on a timeline page shows its author's counts, and counting a popular author's followers on every request was a
/// quarter of the home timeline's time. Any write to posts or follows made by this process empties the cache at once
/// (<see cref="Invalidator"/> watches the SQL), so a reader never sees counts older than its own writes; writes made
/// by another process (the admin CLI, another node) show within <see cref="Lifetime"/>.
/// Guests' and anonymous readers' counts depend on what they may see (I3) and are never cached.
/// </summary>
public sealed class AccountCounts(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 100_000;

    public readonly record struct Counts(int Followers, int Following, int Statuses);

    private readonly ConcurrentDictionary<long, (Counts Counts, long Epoch, DateTimeOffset Expires)> entries = new();
    private long epoch;

    /// <summary>The current epoch: read it before querying and hand it to <see cref="Store"/>.</summary>
    public long Epoch => Interlocked.Read(ref epoch);

    public bool TryGet(long accountId, out Counts counts)
    {
        if (entries.TryGetValue(accountId, out var e) && e.Epoch == Epoch && e.Expires > clock.GetUtcNow())
        {
            counts = e.Counts;
            return true;
        }
        counts = default;
        return false;
    }

    /// <summary>Keeps counts read while <paramref name="readEpoch"/> was current, unless a write happened since.</summary>
    public void Store(long readEpoch, long accountId, Counts counts)
    {
        if (readEpoch != Epoch) return;
        if (entries.Count >= MaxEntries) entries.Clear();
        entries[accountId] = (counts, readEpoch, clock.GetUtcNow() + Lifetime);
    }

    public void Invalidate()
    {
        Interlocked.Increment(ref epoch);
        entries.Clear();
    }

    /// <summary>
    /// Empties the cache whenever this process writes posts or follows, whatever the code path (SaveChanges,
    /// ExecuteDelete…): once when the write runs and again when its transaction commits, so that a reader who counted
    /// between the two (still seeing the old rows) cannot keep its counts.
    /// </summary>
    public sealed class Invalidator(AccountCounts counts) : DbCommandInterceptor, IDbTransactionInterceptor
    {
        private readonly ConditionalWeakTable<DbTransaction, object> pending = new();

        private static readonly string[] Writes =
        [
            "INSERT INTO \"Statuses\"", "UPDATE \"Statuses\"", "DELETE FROM \"Statuses\"",
            "INSERT INTO \"Follows\"", "UPDATE \"Follows\"", "DELETE FROM \"Follows\"",
        ];

        private void Check(DbCommand command)
        {
            var sql = command.CommandText;
            if (sql.StartsWith("SELECT", StringComparison.Ordinal)) return;
            foreach (var w in Writes)
                if (sql.Contains(w, StringComparison.Ordinal))
                {
                    counts.Invalidate();
                    if (command.Transaction is { } t) pending.AddOrUpdate(t, t);
                    return;
                }
        }

        private void Committed(DbTransaction transaction)
        {
            if (pending.Remove(transaction)) counts.Invalidate();
        }

        public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(transaction);

        public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Committed(transaction);
            return Task.CompletedTask;
        }

        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            Check(command);
            return result;
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return ValueTask.FromResult(result);
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            Check(command);
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return ValueTask.FromResult(result);
        }
    }
}
