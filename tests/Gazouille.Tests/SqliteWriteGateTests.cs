using System.Data;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Tests;

/// <summary>
/// SQLite writers of one server queue on <see cref="SqliteWriteGate"/> instead of sleeping in SQLite's busy handler, and a
/// context keeps its connection from its first query to its disposal (<see cref="SqliteConnectionPerContext"/>). These
/// are SQLite's own behaviours, so the tests use an SQLite database in both provider runs of the suite.
/// </summary>
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gazouille-tests", "gate-" + Guid.NewGuid().ToString("N"));
    private DataLocation _data = null!;
    private DbContextOptions<GazouilleDb> _options = null!;

    public async ValueTask InitializeAsync()
    {
        _data = DataLocation.Resolve(_dir, null, null);
        _data.EnsureDirectories();
        var builder = new DbContextOptionsBuilder<GazouilleDb>();
        _data.Configure(builder);
        _options = builder.Options;
        await using var db = new GazouilleDb(_options);
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    private GazouilleDb Context() => new(_options);

    private static Team NewTeam(string handle) => new() { Id = Snowflake.NewId(), Handle = handle, Name = handle, CreatedAt = DateTimeOffset.UtcNow };

    private int Waiting => SqliteWriteGate.Waiting(_data.SqlitePath);

    [Fact]
    public async Task A_second_writer_queues_behind_an_open_transaction_and_goes_on_when_it_commits()
    {
        await using var first = Context();
        await using var second = Context();
        await using var tx = await first.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
        first.Teams.Add(NewTeam("premiere"));
        await first.SaveChangesAsync(TestContext.Current.CancellationToken);

        second.Teams.Add(NewTeam("seconde"));
        var waiting = second.SaveChangesAsync(TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted, "the second writer went through while the first transaction held SQLite's write lock");
        Assert.Equal(1, Waiting); // queued on the gate, not asleep in SQLite's busy handler

        await tx.CommitAsync(TestContext.Current.CancellationToken);
        await waiting.WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(0, Waiting);
        await using var check = Context();
        Assert.Equal(["premiere", "seconde"], await check.Teams.OrderBy(t => t.Id).Select(t => t.Handle).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_write_outside_a_transaction_queues_too()
    {
        await using var first = Context();
        await using var second = Context();
        await using var tx = await first.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
        var update = second.Teams.Where(t => t.Handle == "personne").ExecuteUpdateAsync(u => u.SetProperty(t => t.Name, "x"), TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(update.IsCompleted);
        Assert.Equal(1, Waiting);
        await tx.RollbackAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, await update.WaitAsync(Patience, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_transaction_dropped_without_commit_gives_the_gate_back()
    {
        // Dropped on a connection the context opened for it: given back when the transaction ends.
        await using (var dropped = Context())
        {
            await using (var tx = await dropped.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                dropped.Teams.Add(NewTeam("jamais"));
                await dropped.SaveChangesAsync(TestContext.Current.CancellationToken);
            }
            await using var other = Context();
            other.Teams.Add(NewTeam("autre"));
            await other.SaveChangesAsync(TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);

            // Dropped on a connection that stays open (the context had read before): its own next write does not wait for
            // itself, and the gate is free again for everyone once that write is done.
            Assert.True(await dropped.Teams.AnyAsync(TestContext.Current.CancellationToken));
            await using (var tx = await dropped.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                dropped.ChangeTracker.Clear();
                dropped.Teams.Add(NewTeam("non"));
                await dropped.SaveChangesAsync(TestContext.Current.CancellationToken);
            }
            dropped.ChangeTracker.Clear();
            dropped.Teams.Add(NewTeam("oui"));
            await dropped.SaveChangesAsync(TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);
            other.Teams.Add(NewTeam("encore"));
            await other.SaveChangesAsync(TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);
        }
        await using var check = Context();
        Assert.Equal(["autre", "encore", "oui"], (await check.Teams.Select(t => t.Handle).ToListAsync(TestContext.Current.CancellationToken)).Order());
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task Many_concurrent_writers_all_succeed_one_after_the_other()
    {
        var writers = Enumerable.Range(0, 60).Select(async i =>
        {
            await using var db = Context();
            await using var tx = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            db.Teams.Add(NewTeam($"equipe{i}"));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            await Task.Yield();
            await tx.CommitAsync(TestContext.Current.CancellationToken);
        });
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await using var check = Context();
        Assert.Equal(60, await check.Teams.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task A_context_keeps_one_connection_from_its_first_query_to_its_disposal()
    {
        var db = Context();
        var connection = db.Database.GetDbConnection();
        Assert.Equal(ConnectionState.Closed, connection.State); // a context that reads nothing takes no connection
        await db.Teams.CountAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ConnectionState.Open, connection.State);
        await db.Teams.AnyAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ConnectionState.Open, connection.State);
        await db.DisposeAsync();
        Assert.Equal(ConnectionState.Closed, connection.State);
    }
}
