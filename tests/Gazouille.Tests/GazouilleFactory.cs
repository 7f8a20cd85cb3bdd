using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.OAuth;
using Gazouille.Features.Teams;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// A real Gazouille server (the same <see cref="GazouilleApp"/> as <c>gazouille serve</c>) on an in-memory test server
/// over a fresh SQLite file. Helpers create people, teams and partners directly through the product's own services.
/// </summary>
public sealed class GazouilleFactory : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _ownsDirectory;
    public string DataDirectory { get; }
    public IServiceProvider Services => _app.Services;

    private GazouilleFactory(WebApplication app, string dir)
    {
        _app = app;
        DataDirectory = dir;
    }

    /// <summary>Starts a server; on <paramref name="dataDirectory"/> when given (kept on dispose), else on a fresh folder.</summary>
    public static async Task<GazouilleFactory> StartAsync(Dictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        var dir = dataDirectory ?? Path.Combine(Path.GetTempPath(), "gazouille-tests", Guid.NewGuid().ToString("N"));
        var data = DataLocation.Resolve(dir, null, null);
        if (dataDirectory is null) await CopyMigratedTemplateAsync(data);
        var builder = GazouilleApp.CreateBuilder(data);
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gazouille:Instance:BaseUrl"] = "http://gazouille.test" });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        var app = GazouilleApp.Build(builder);
        await data.MigrateAsync(app.Services);
        await app.StartAsync();
        return new GazouilleFactory(app, dir) { _ownsDirectory = dataDirectory is null };
    }

    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? _templateFile;

    /// <summary>
    /// Migrating a fresh SQLite file costs seconds; every test server starts from a copy of one migrated file instead.
    /// Startup still runs the migrations check, so a missing migration would still fail here.
    /// </summary>
    private static async Task CopyMigratedTemplateAsync(DataLocation target)
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_templateFile is null)
            {
                var templateDir = Path.Combine(Path.GetTempPath(), "gazouille-tests", "template-" + Guid.NewGuid().ToString("N"));
                var template = DataLocation.Resolve(templateDir, null, null);
                template.EnsureDirectories();
                var services = new ServiceCollection();
                services.AddDbContext<GazouilleDb>(template.Configure);
                await using (var sp = services.BuildServiceProvider())
                {
                    await template.MigrateAsync(sp);
                    await using var scope = sp.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<GazouilleDb>().Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
                }
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                _templateFile = template.SqlitePath;
            }
        }
        finally
        {
            TemplateGate.Release();
        }
        target.EnsureDirectories();
        File.Copy(_templateFile, target.SqlitePath, overwrite: true);
    }

    public HttpClient Client(string? token = null)
    {
        var client = _app.GetTestClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public TestServer Server => _app.GetTestServer();

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<long> CreateUserAsync(string username, AccountRole role = AccountRole.Employee, string? partner = null) =>
        WithScopeAsync(async sp =>
        {
            var (account, _, error) = await sp.GetRequiredService<AccountDirectory>()
                .CreateAsync(new NewAccount(username, $"{username}@example.test", null, role, partner, "correct horse battery"));
            return account?.Id ?? throw new InvalidOperationException(error);
        });

    public Task<string> TokenAsync(long accountId, string scopes = "read write follow push") =>
        WithScopeAsync(sp => PersonalAccessTokens.CreateAsync(sp.GetRequiredService<GazouilleDb>(), accountId, scopes.Split(' '), "test"));

    /// <summary>Creates a user and returns an authenticated client for it.</summary>
    public async Task<(long Id, HttpClient Client)> SignedInAsync(string username, AccountRole role = AccountRole.Employee, string? partner = null)
    {
        var id = await CreateUserAsync(username, role, partner);
        return (id, Client(await TokenAsync(id)));
    }

    public Task CreateTeamAsync(string handle, params string[] members) =>
        WithScopeAsync<object?>(async sp =>
        {
            var teams = sp.GetRequiredService<TeamDirectory>();
            var (team, error) = await teams.CreateAsync(handle, handle, null);
            if (team is null) throw new InvalidOperationException(error);
            foreach (var m in members)
                if (await teams.AddMemberAsync(handle, m, false) is { } e) throw new InvalidOperationException(e);
            return null;
        });

    public Task CreatePartnerAsync(string handle) =>
        WithScopeAsync<object?>(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = handle, Name = handle.ToUpperInvariant(), CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            return null;
        });

    public Task GrantAsync(string team, string partner, bool revoke = false) =>
        WithScopeAsync<object?>(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var t = await db.Teams.FirstAsync(x => x.Handle == team);
            var p = await db.PartnerOrgs.FirstAsync(x => x.Handle == partner);
            if (revoke)
                await db.PartnerGrants.Where(g => g.TeamId == t.Id && g.PartnerOrgId == p.Id).ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, DateTimeOffset.UtcNow));
            else
                db.PartnerGrants.Add(new PartnerGrant { Id = Snowflake.NewId(), TeamId = t.Id, PartnerOrgId = p.Id, GrantedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            return null;
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class HttpJson
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> PostStatusAsync(this HttpClient client, string text, string? audience = null, string? inReplyTo = null, string? visibility = null)
    {
        var body = new Dictionary<string, string?> { ["status"] = text, ["audience"] = audience, ["in_reply_to_id"] = inReplyTo, ["visibility"] = visibility }
            .Where(kv => kv.Value is not null).ToDictionary();
        var response = await client.PostAsJsonAsync("/api/v1/statuses", body);
        var json = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/statuses answered {(int)response.StatusCode}: {json}");
        return json;
    }
}
