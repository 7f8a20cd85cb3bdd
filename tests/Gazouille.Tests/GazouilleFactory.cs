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
/// over a fresh database: SQLite, or PostgreSQL when GAZOUILLE_TEST_DATABASE=postgres (see <see cref="TestData"/>).
/// Helpers create people, teams and partners directly through the product's own services.
/// </summary>
public sealed class GazouilleFactory : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsData;
    public TestData Data { get; }
    public string DataDirectory => Data.Directory;
    public IServiceProvider Services => _app.Services;

    private GazouilleFactory(WebApplication app, TestData data, bool ownsData)
    {
        _app = app;
        Data = data;
        _ownsData = ownsData;
    }

    /// <summary>Starts a server; on <paramref name="data"/> when given (kept on dispose), else on fresh data.</summary>
    public static async Task<GazouilleFactory> StartAsync(Dictionary<string, string?>? settings = null, TestData? data = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var ownsData = data is null;
        data ??= await TestData.CreateAsync();
        var builder = GazouilleApp.CreateBuilder(data.Location);
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gazouille:Instance:BaseUrl"] = "http://gazouille.test" });
        // Limits stay on (every answer carries their headers) but so high that no test meets them; RateLimitTests lowers them.
        builder.Configuration.AddInMemoryCollection(RaisedRateLimits);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        configure?.Invoke(builder);
        var app = GazouilleApp.Build(builder);
        await data.Location.MigrateAsync(app.Services);
        await app.StartAsync();
        return new GazouilleFactory(app, data, ownsData);
    }

    public static readonly Dictionary<string, string?> RaisedRateLimits = new[] { "PerAccount", "PerIp", "SignIn", "SignUp", "Check", "Uploads" }
        .ToDictionary(b => $"Gazouille:RateLimits:{b}:Limit", _ => (string?)"1000000");

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
        if (_ownsData) await Data.DisposeAsync();
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
