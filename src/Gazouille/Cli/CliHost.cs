using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Identity;

namespace Gazouille.Cli;

/// <summary>The options every data command shares, and a service provider on the same data as a running server.</summary>
public static class CliHost
{
    public static readonly Option<string?> Data = new("--data") { Description = "Data folder (default ./data or $GAZOUILLE_DATA)", Recursive = true };
    public static readonly Option<string?> Database = new("--database") { Description = "sqlite (default) or postgres", Recursive = true };
    public static readonly Option<string?> Connection = new("--connection") { Description = "Npgsql connection string for --database postgres", Recursive = true };

    public static DataLocation Location(ParseResult r) => DataLocation.Resolve(r.GetValue(Data), r.GetValue(Database), r.GetValue(Connection));

    public static async Task<ServiceProvider> OpenAsync(ParseResult r, CancellationToken ct)
    {
        var data = Location(r);
        data.EnsureDirectories();
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(data.DataDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            // Data Protection warns that its key ring is stored unencrypted in the database: true, and documented.
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
            .AddFilter(DataLocation.ConnectionLogCategory, LogLevel.None));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddGazouilleCore(configuration, data);
        services.AddIdentityCore<Account>(Features.Accounts.AccountRules.ConfigureIdentity)
            .AddEntityFrameworkStores<GazouilleDb>();
        var provider = services.BuildServiceProvider();
        await data.MigrateAsync(provider, ct);
        return provider;
    }

    /// <summary>Runs a command body: usage mistakes exit 2, refused operations 1, both with a sentence on stderr.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Cannot use the data folder or database: {e.Message}. Check --data / --connection and permissions.");
            return 1;
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
