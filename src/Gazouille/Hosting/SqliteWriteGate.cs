using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gazouille.Hosting;

/// <summary>
/// One writer at a time per SQLite database in this process, waited for without blocking a thread. SQLite lets one
/// connection write at a time: without this gate, every other writer of a busy moment got SQLITE_BUSY and slept in
/// SQLite's busy handler (1, 2, 5 … 100 ms naps on a thread-pool thread) until the lock was free, which on two cores
/// starved the thread pool and left the lock idle between naps (publishing measured 130 posts/s with most of its wall
/// time asleep). Here writers queue on a <see cref="SemaphoreSlim"/> instead, in arrival order, and the lock passes to
/// the next one as soon as it is released.
/// </summary>
/// <remarks>
/// The gate is taken when a transaction begins (Microsoft.Data.Sqlite begins them IMMEDIATE, so they hold SQLite's
/// write lock from their first statement) and given back when it commits, rolls back or fails, or when its connection
/// closes (a transaction disposed without either); a write outside a transaction (ExecuteUpdate, a one-statement
/// SaveChanges) takes it for the statement. It is only a way of waiting: SQLite's own lock still guarantees
/// correctness, and other processes (the admin CLI) still meet the busy timeout. A writer that waits longer than
/// <see cref="Timeout"/> gets SQLITE_BUSY, which the API answers with 503 like any other lock timeout.
/// </remarks>
public sealed class SqliteWriteGate : DbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();

    /// <summary>As long as SQLite's busy timeout (see <see cref="SqlitePragmas"/>).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<string, Gate> Gates = new(StringComparer.Ordinal);

    /// <summary>One per database file, for the life of the process.</summary>
    private sealed class Gate : IDisposable
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Waiting;

        public void Dispose() => Semaphore.Dispose();
    }

    /// <summary>The gate a connection holds for its transaction, or a command for its statement.</summary>
    private static readonly ConditionalWeakTable<object, Lease> Held = [];

    /// <summary>A held gate, found by its connection or command and, once begun, by its transaction.</summary>
    private sealed class Lease(Gate gate, object owner)
    {
        private int _released;

        public object Owner { get; } = owner;

        public DbTransaction? Transaction { get; set; }

        public void Release()
        {
            Held.Remove(Owner);
            if (Transaction is { } t) Held.Remove(t);
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Semaphore.Release();
        }
    }

    /// <summary>How many writers are waiting for the gate of this database now (tests, metrics).</summary>
    public static int Waiting(string dataSource) => Gates.TryGetValue(dataSource, out var g) ? Volatile.Read(ref g.Waiting) : 0;

    private static Gate GateOf(DbConnection connection) => Gates.GetOrAdd(((SqliteConnection)connection).DataSource, _ => new Gate());

    private static Exception Busy() => new SqliteException("database is locked: waited too long for the other writers of this server", 5);

    /// <summary>
    /// Whether the connection holds the gate for a transaction that is still running. A transaction disposed without a
    /// commit or rollback on a connection that stays open (<see cref="SqliteConnectionPerContext"/>) is noticed here,
    /// at the connection's next write, and its gate given back.
    /// </summary>
    private static bool HoldsGate(DbConnection connection)
    {
        if (!Held.TryGetValue(connection, out var lease)) return false;
        if (lease.Transaction is SqliteTransaction { Connection: null })
        {
            lease.Release();
            return false;
        }
        return true;
    }

    private static async ValueTask AcquireAsync(object owner, DbConnection connection, CancellationToken ct)
    {
        if (connection is not SqliteConnection) return;
        HoldsGate(connection);
        var gate = GateOf(connection);
        Interlocked.Increment(ref gate.Waiting);
        bool entered;
        try
        {
            entered = await gate.Semaphore.WaitAsync(Timeout, ct);
        }
        finally
        {
            Interlocked.Decrement(ref gate.Waiting);
        }
        if (!entered) throw Busy();
        Held.AddOrUpdate(owner, new Lease(gate, owner));
    }

    private static void Acquire(object owner, DbConnection connection)
    {
        if (connection is not SqliteConnection) return;
        HoldsGate(connection);
        var gate = GateOf(connection);
        Interlocked.Increment(ref gate.Waiting);
        bool entered;
        try
        {
            entered = gate.Semaphore.Wait(Timeout);
        }
        finally
        {
            Interlocked.Decrement(ref gate.Waiting);
        }
        if (!entered) throw Busy();
        Held.AddOrUpdate(owner, new Lease(gate, owner));
    }

    private static void Release(object? key)
    {
        if (key is not null && Held.TryGetValue(key, out var lease)) lease.Release();
    }

    /// <summary>
    /// A statement that writes, outside a transaction (inside one, the transaction already holds the gate). EF writes
    /// with INSERT, UPDATE and DELETE (ExecuteUpdate and ExecuteDelete, SaveChanges); anything else only reads.
    /// </summary>
    private static bool WritesAlone(DbCommand command)
    {
        if (command.Transaction is not null || command.Connection is not SqliteConnection connection || HoldsGate(connection)) return false;
        var text = command.CommandText.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    // Transactions.
    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await AcquireAsync(connection, connection, cancellationToken);
        return result;
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Acquire(connection, connection);
        return result;
    }

    // Once committed or rolled back, Microsoft.Data.Sqlite's transaction no longer knows its connection: the lease is
    // found by the transaction too.
    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (Held.TryGetValue(connection, out var lease))
        {
            lease.Transaction = result;
            Held.AddOrUpdate(result, lease);
        }
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default) => ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(transaction);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(transaction);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(transaction);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(transaction);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(transaction);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(transaction);
        return Task.CompletedTask;
    }

    // A transaction disposed without a commit or a rollback: its connection closes or is disposed with its context.
    InterceptionResult IDbConnectionInterceptor.ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    ValueTask<InterceptionResult> IDbConnectionInterceptor.ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    InterceptionResult IDbConnectionInterceptor.ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    ValueTask<InterceptionResult> IDbConnectionInterceptor.ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    // Writes outside a transaction.
    async ValueTask<InterceptionResult<int>> IDbCommandInterceptor.NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken)
    {
        if (WritesAlone(command)) await AcquireAsync(command, command.Connection!, cancellationToken);
        return result;
    }

    InterceptionResult<int> IDbCommandInterceptor.NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (WritesAlone(command)) Acquire(command, command.Connection!);
        return result;
    }

    ValueTask<int> IDbCommandInterceptor.NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken)
    {
        Release(command);
        return ValueTask.FromResult(result);
    }

    int IDbCommandInterceptor.NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Release(command);
        return result;
    }

    async ValueTask<InterceptionResult<DbDataReader>> IDbCommandInterceptor.ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken)
    {
        if (WritesAlone(command)) await AcquireAsync(command, command.Connection!, cancellationToken);
        return result;
    }

    InterceptionResult<DbDataReader> IDbCommandInterceptor.ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (WritesAlone(command)) Acquire(command, command.Connection!);
        return result;
    }

    // A statement that returns rows (INSERT … RETURNING) keeps the lock until its reader is done.
    InterceptionResult IDbCommandInterceptor.DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Release(command);
        return result;
    }

    async ValueTask<InterceptionResult<object>> IDbCommandInterceptor.ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken)
    {
        if (WritesAlone(command)) await AcquireAsync(command, command.Connection!, cancellationToken);
        return result;
    }

    InterceptionResult<object> IDbCommandInterceptor.ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        if (WritesAlone(command)) Acquire(command, command.Connection!);
        return result;
    }

    ValueTask<object?> IDbCommandInterceptor.ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken)
    {
        Release(command);
        return ValueTask.FromResult(result);
    }

    object? IDbCommandInterceptor.ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Release(command);
        return result;
    }

    void IDbCommandInterceptor.CommandFailed(DbCommand command, CommandErrorEventData eventData) => Release(command);

    Task IDbCommandInterceptor.CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken)
    {
        Release(command);
        return Task.CompletedTask;
    }

    void IDbCommandInterceptor.CommandCanceled(DbCommand command, CommandEndEventData eventData) => Release(command);

    Task IDbCommandInterceptor.CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken)
    {
        Release(command);
        return Task.CompletedTask;
    }
}
