using System.Runtime.CompilerServices;
using Gazouille.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using System.Data.Common;

namespace Gazouille.Hosting;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Where the data lives, as chosen on the command line (<c>--data</c>, <c>--database</c>, <c>--connection</c>).</summary>
public sealed record DataLocation(string DataDirectory, DatabaseProvider Provider, string? PostgresConnection)
{
    /// <summary>
    /// EF Core logs an error here when the migrator finds that a new PostgreSQL database does not exist yet (it then
    /// creates it); a real connection failure surfaces as the exception that the caller reports, so this log is noise.
    /// </summary>
    public const string ConnectionLogCategory = "Microsoft.EntityFrameworkCore.Database.Connection";

    public string SqlitePath => Path.Combine(DataDirectory, "gazouille.db");
    public string MediaDirectory => Path.Combine(DataDirectory, "media");

    public static DataLocation Resolve(string? data, string? database, string? connection)
    {
        var dir = Path.GetFullPath(data ?? Environment.GetEnvironmentVariable("GAZOUILLE_DATA") ?? "data");
        var provider = (database ?? "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => DatabaseProvider.Sqlite,
            "postgres" or "postgresql" => DatabaseProvider.Postgres,
            var other => throw new UsageException($"Unknown database '{other}'. Use --database sqlite (the default) or --database postgres."),
        };
        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(connection))
            throw new UsageException("--database postgres needs --connection \"Host=…;Database=…;Username=…;Password=…\".");
        return new DataLocation(dir, provider, connection);
    }

    /// <remarks>
    /// Collections (the viewer's teams, follows, a page of ids) are sent as ONE array parameter (SQLite json_each,
    /// PostgreSQL arrays) rather than EF 10's default of one parameter per element: with one parameter per element EF
    /// rewrites and re-checks the SQL on every execution, which was a fifth of a home timeline request's CPU.
    /// </remarks>
    public void Configure(DbContextOptionsBuilder options)
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            options.UseNpgsql(PostgresConnection, o => o.MigrationsAssembly("Gazouille.Data.Postgres")
                .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
        }
        else
        {
            var cs = new SqliteConnectionStringBuilder { DataSource = SqlitePath, Cache = SqliteCacheMode.Private, Pooling = true, DefaultTimeout = 30 };
            options.UseSqlite(cs.ToString(), o => o.MigrationsAssembly("Gazouille.Data.Sqlite")
                .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
            options.AddInterceptors(SqlitePragmas.Instance, SqliteConnectionPerContext.Instance, SqliteWriteGate.Instance);
        }
    }

    public void EnsureDirectories()
    {
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(MediaDirectory);
    }

    public async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
        await db.Database.MigrateAsync(ct);
        if (Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}

/// <summary>
/// Per-connection SQLite settings: WAL is persistent, but synchronous, foreign keys and the busy timeout belong to a
/// connection. EF opens and closes its connection around every query, and Microsoft.Data.Sqlite hands back a pooled
/// native handle each time, which keeps these settings; so they are run once per native handle, not once per query
/// (three statements parsed and run before every query were a measurable part of a cached timeline read).
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private static readonly ConditionalWeakTable<object, object> Configured = [];
    private static readonly object Done = new();

    /// <summary>For code that changed these settings on its connection (the data generator): the next open applies them again.</summary>
    public static void Forget(DbConnection connection)
    {
        if ((connection as SqliteConnection)?.Handle is { } handle) Configured.Remove(handle);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        object? handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out _)) return;
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
            cmd.ExecuteNonQuery();
        }
        if (handle is not null) Configured.AddOrUpdate(handle, Done);
    }
}

/// <summary>A mistake in how a command was called: printed to stderr as is, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Keeps a context's SQLite connection open from its first query until the context is disposed (the end of a request),
/// instead of EF's open-and-close around every query. Each open and close went through Microsoft.Data.Sqlite's pool,
/// whose one lock all threads share: publishing a post opened it about twenty times, and under load a tenth of the
/// CPU was spent spinning on that lock. EF leaves open a connection it finds open, and closes it with the context.
/// </summary>
/// <remarks>
/// An open connection outside a statement or transaction holds no lock and no snapshot in WAL mode, so keeping it
/// changes nothing for other readers and writers. A context that reads nothing never takes a connection.
/// </remarks>
public sealed class SqliteConnectionPerContext : DbConnectionInterceptor
{
    public static readonly SqliteConnectionPerContext Instance = new();

    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        eventData.Context is null ? result : InterceptionResult.Suppress();

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        ValueTask.FromResult(eventData.Context is null ? result : InterceptionResult.Suppress());
}
