using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Gazouille.Features.Timelines;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Bench;

/// <summary>
/// The server's services over a generated data folder (`gazouille admin generate`), without HTTP: what one request of
/// the home timeline does, stage by stage, so each stage can be measured alone.
/// </summary>
public sealed class ServerWorld : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private ServerWorld(ServiceProvider provider, long[] employees) => (this.provider, Employees) = (provider, employees);

    /// <summary>Employees who can sign in, in id order: the viewers of the measured requests.</summary>
    public long[] Employees { get; }

    public long Viewer(int i) => Employees[i % Employees.Length];

    public static async Task<ServerWorld> OpenAsync(string dataFolder)
    {
        if (!File.Exists(Path.Combine(dataFolder, "gazouille.db")))
            throw new InvalidOperationException($"No data set in {dataFolder}: run bench/load/run.sh S (or `gazouille admin generate`) first.");
        var data = DataLocation.Resolve(dataFolder, null, null);
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        // BENCH_SQL=1 prints every SQL command (to check what a change does to the queries).
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Warning);
            if (Environment.GetEnvironmentVariable("BENCH_SQL") == "1")
                b.AddConsole().AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information);
        });
        services.AddSingleton<IConfiguration>(configuration);
        services.AddGazouilleCore(configuration, data);
        services.AddIdentityCore<Account>(Features.Accounts.AccountRules.ConfigureIdentity).AddEntityFrameworkStores<GazouilleDb>();
        var provider = services.BuildServiceProvider();
        await data.MigrateAsync(provider);
        await using var scope = provider.CreateAsyncScope();
        var employees = await scope.ServiceProvider.GetRequiredService<GazouilleDb>().Users
            .Where(a => a.PartnerOrgId == null && !a.Suspended).OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync();
        return new ServerWorld(provider, employees);
    }

    public AsyncServiceScope Scope() => provider.CreateAsyncScope();

    public static async Task<Viewer> ViewerAsync(AsyncServiceScope scope, long accountId) =>
        await scope.ServiceProvider.GetRequiredService<ViewerLoader>().LoadAsync(accountId)
        ?? throw new InvalidOperationException($"Account {accountId} cannot sign in.");

    /// <summary>One home timeline request after authentication: the page of ids, the rows, the rendered entities.</summary>
    public static async Task<int> HomeAsync(AsyncServiceScope scope, Viewer viewer)
    {
        var ids = await scope.ServiceProvider.GetRequiredService<TimelineReader>().HomeAsync(viewer, new PageRequest(null, null, null, 20), default);
        var renderer = scope.ServiceProvider.GetRequiredService<StatusRenderer>();
        var rows = await renderer.LoadAsync(ids);
        return (await renderer.RenderManyAsync(viewer, rows)).Count;
    }

    /// <summary>The same request as the API makes it: both halves through the page cache.</summary>
    public static async Task<int> PageAsync(AsyncServiceScope scope, Viewer viewer)
    {
        var ids = await scope.ServiceProvider.GetRequiredService<TimelineReader>().HomeAsync(viewer, new PageRequest(null, null, null, 20), default);
        return (await scope.ServiceProvider.GetRequiredService<StatusRenderer>().RenderPageAsync(viewer, ids)).Count;
    }

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
