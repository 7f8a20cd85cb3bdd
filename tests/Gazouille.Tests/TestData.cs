using Gazouille.Data;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gazouille.Tests;

/// <summary>
/// The data of one test server: a fresh data folder and a fresh database in it (SQLite) or beside it (PostgreSQL, when
/// GAZOUILLE_TEST_DATABASE=postgres). Both start as a copy of one migrated template, because migrating costs seconds;
/// startup still runs the migrations check, so a missing migration still fails.
/// </summary>
public sealed class TestData : IAsyncDisposable
{
    public static bool OnPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable("GAZOUILLE_TEST_DATABASE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The provider's name in failure messages and reports.</summary>
    public static string ProviderName => OnPostgres ? "PostgreSQL" : "SQLite";

    /// <summary>The checkout the tests run from (the folder holding Gazouille.slnx), for files the tests read: sources, docs.</summary>
    public static string RepositoryRoot => LazyRoot.Value;

    private static readonly Lazy<string> LazyRoot = new(FindRepositoryRoot);

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gazouille.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository root (Gazouille.slnx) was not found above " + AppContext.BaseDirectory);
    }

    private readonly string? _database;
    public DataLocation Location { get; }
    public string Directory => Location.DataDirectory;

    private TestData(DataLocation location, string? database)
    {
        Location = location;
        _database = database;
    }

    /// <summary>What a <c>gazouille</c> command needs to work on this data: <c>--data</c>, and the database when not SQLite.</summary>
    public IEnumerable<string> CliArguments =>
        Location.Provider == DatabaseProvider.Postgres
            ? ["--data", Directory, "--database", "postgres", "--connection", Location.PostgresConnection!]
            : ["--data", Directory];

    /// <summary>Data somewhere a test set up itself (e.g. a database on a private PostgreSQL cluster); dispose deletes the folder only.</summary>
    public static TestData At(DataLocation location)
    {
        location.EnsureDirectories();
        return new TestData(location, null);
    }

    /// <summary>A fresh folder and database; migrated from the template unless <paramref name="empty"/> (then the first command migrates it).</summary>
    public static async Task<TestData> CreateAsync(bool empty = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gazouille-tests", Guid.NewGuid().ToString("N"));
        if (!OnPostgres)
        {
            var sqlite = DataLocation.Resolve(dir, null, null);
            sqlite.EnsureDirectories();
            if (!empty) File.Copy(await SqliteTemplateAsync(), sqlite.SqlitePath, overwrite: true);
            return new TestData(sqlite, null);
        }
        var cluster = await PostgresCluster.GetAsync();
        var name = "gz_" + Guid.NewGuid().ToString("N");
        await cluster.ExecuteAsync(empty ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {await PostgresTemplateAsync()}");
        var location = DataLocation.Resolve(dir, "postgres", cluster.ConnectionTo(name));
        location.EnsureDirectories();
        return new TestData(location, name);
    }

    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? _sqliteTemplate;
    private static string? _postgresTemplate;

    private static async Task<string> SqliteTemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_sqliteTemplate is null)
            {
                var template = DataLocation.Resolve(Path.Combine(Path.GetTempPath(), "gazouille-tests", "template-" + Guid.NewGuid().ToString("N")), null, null);
                template.EnsureDirectories();
                await MigrateAsync(template, "PRAGMA wal_checkpoint(TRUNCATE);");
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                _sqliteTemplate = template.SqlitePath;
            }
            return _sqliteTemplate;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task<string> PostgresTemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_postgresTemplate is null)
            {
                var cluster = await PostgresCluster.GetAsync();
                var name = "gz_template_" + Guid.NewGuid().ToString("N")[..8];
                await cluster.ExecuteAsync($"CREATE DATABASE {name}");
                var connection = cluster.ConnectionTo(name);
                await MigrateAsync(DataLocation.Resolve(Path.GetTempPath(), "postgres", connection), null);
                // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
                NpgsqlConnection.ClearAllPools();
                _postgresTemplate = name;
            }
            return _postgresTemplate;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task MigrateAsync(DataLocation location, string? after)
    {
        var services = new ServiceCollection();
        services.AddDbContext<GazouilleDb>(location.Configure);
        await using var sp = services.BuildServiceProvider();
        await location.MigrateAsync(sp);
        if (after is null) return;
        await using var scope = sp.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GazouilleDb>().Database.ExecuteSqlRawAsync(after);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(Location.PostgresConnection));
            var cluster = await PostgresCluster.GetAsync();
            await cluster.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
