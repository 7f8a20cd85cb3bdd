using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(Gazouille.Tests.PostgresClusterShutdown))]

namespace Gazouille.Tests;

/// <summary>
/// A throw-away PostgreSQL cluster from Debian's binaries (/usr/lib/postgresql/&lt;ver&gt;/bin), started on first use
/// when GAZOUILLE_TEST_DATABASE=postgres: initdb into a temp folder, listening on 127.0.0.1 on a free port with its
/// socket in that folder, durability off (a test database never survives a crash anyway), stopped and deleted at the
/// end of the run. GAZOUILLE_TEST_POSTGRES=&lt;connection string of a superuser&gt; uses an existing server instead.
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(() => StartAsync(shared: true));
    private readonly string? _folder;
    private readonly string? _binaries;
    private readonly string? _runAs;

    /// <summary>A superuser connection to the maintenance database <c>postgres</c>.</summary>
    public string AdminConnection { get; }

    private PostgresCluster(string adminConnection, string? folder = null, string? binaries = null, string? runAs = null)
    {
        AdminConnection = adminConnection;
        _folder = folder;
        _binaries = binaries;
        _runAs = runAs;
    }

    public static Task<PostgresCluster> GetAsync() => Shared.Value;

    internal static bool Started => Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully;

    /// <summary>
    /// A pooled connection string to one test database, as a server would use. Pooling matters: without it every
    /// DbContext forks a PostgreSQL backend, which made the suite several times slower than on SQLite. Pools stay small
    /// and idle connections close soon, because hundreds of test servers share one cluster.
    /// </summary>
    public string ConnectionTo(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnection)
        {
            Database = database, Pooling = true, MaxPoolSize = 20, ConnectionIdleLifetime = 15, ConnectionPruningInterval = 5,
        }.ConnectionString;

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A cluster of its own, for a test that stops and starts it (<see cref="PauseAsync"/>); deleted by <see cref="StopAsync"/>.</summary>
    public static Task<PostgresCluster> StartPrivateAsync() => StartAsync(shared: false);

    private string? _options;

    /// <summary>Stops the server as an operator's restart would ("fast": open connections are cut), keeping its data.</summary>
    public Task PauseAsync() => RunPostgresAsync("pg_ctl", "-D", Path.Combine(_folder!, "data"), "-m", "fast", "-w", "stop");

    public Task ResumeAsync() =>
        RunPostgresAsync("pg_ctl", "-D", Path.Combine(_folder!, "data"), "-l", Path.Combine(_folder!, "server.log"), "-o", _options!, "-w", "-t", "60", "start");

    private static async Task<PostgresCluster> StartAsync(bool shared)
    {
        if (shared && Environment.GetEnvironmentVariable("GAZOUILLE_TEST_POSTGRES") is { Length: > 0 } existing)
            return new PostgresCluster(new NpgsqlConnectionStringBuilder(existing) { Database = "postgres" }.ConnectionString);

        var binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        if (binaries is null)
            throw new InvalidOperationException("GAZOUILLE_TEST_DATABASE=postgres needs Debian's PostgreSQL: apt-get install -y postgresql (or set GAZOUILLE_TEST_POSTGRES to a server's connection string).");

        // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user that the package created.
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var folder = Path.Combine(Path.GetTempPath(), "gazouille-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (runAs is not null) await RunAsync("chown", null, runAs, folder);
        var data = Path.Combine(folder, "data");
        var port = FreePort();
        var cluster = new PostgresCluster(
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=30",
            folder, binaries, runAs);
        await cluster.RunPostgresAsync("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=400 -c fsync=off -c synchronous_commit=off " +
                      "-c full_page_writes=off -c shared_buffers=64MB";
        cluster._options = options;
        await cluster.ResumeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopAsync().GetAwaiter().GetResult();
        return cluster;
    }

    private int _stopped;

    public async Task StopAsync()
    {
        if (_folder is null || Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try { await RunPostgresAsync("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private Task RunPostgresAsync(string tool, params string[] args) =>
        _runAs is null ? RunAsync(Path.Combine(_binaries!, tool), null, args) : RunAsync("runuser", null, ["-u", _runAs, "--", Path.Combine(_binaries!, tool), .. args]);

    private static async Task RunAsync(string file, string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            // runuser keeps the working directory, which the postgres user may not be allowed to enter.
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        // pg_ctl's server keeps the pipes open when started without -l; it always gets -l here.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout} {await stderr}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Stops the cluster once every test of the assembly has run.</summary>
public sealed class PostgresClusterShutdown : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        if (PostgresCluster.Started) await (await PostgresCluster.GetAsync()).StopAsync();
    }
}
