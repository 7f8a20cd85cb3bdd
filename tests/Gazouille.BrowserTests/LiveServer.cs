using System.Collections.Concurrent;
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
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gazouille.BrowserTests;

/// <summary>
/// The real Gazouille server (the same <see cref="GazouilleApp"/> as <c>gazouille serve</c>) on Kestrel, on a free loopback
/// port, over a fresh data folder deleted at the end. One server serves every test; each test makes its own people.
/// </summary>
public sealed class LiveServer : IAsyncLifetime
{
    public const string Password = "correct horse battery";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gazouille-browser-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private readonly ConcurrentDictionary<string, string> _tokens = new();
    private readonly HttpClient _http = new();
    private int _names;

    /// <summary>Extra settings, for a server of a test's own (single sign-on, say) that the test starts and disposes.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var data = DataLocation.Resolve(_dataDirectory, null, null);
        var builder = GazouilleApp.CreateBuilder(data, ["--applicationName=gazouille"]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Every test signs in from 127.0.0.1: the sign-in limit per address would soon refuse them.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gazouille:RateLimits:Enabled"] = "false" });
        builder.Configuration.AddInMemoryCollection(Settings);
        // The data protection keys of a throwaway folder need no encryption: silence the warning saying they have none.
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        _app = GazouilleApp.Build(builder);
        await data.MigrateAsync(_app.Services);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Assert.True(BaseAddress.IsLoopback, $"the test server must listen on loopback only, not {address}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public Uri Url(string pathAndQuery) => new(BaseAddress, pathAndQuery);

    /// <summary>A name no other test uses on this server: tests share the server, never their people or teams.</summary>
    public string Unique(string prefix) => $"{prefix}_{Interlocked.Increment(ref _names)}";

    private async Task WithScopeAsync(Func<IServiceProvider, Task> work)
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    /// <summary>Creates an employee (or a guest of <paramref name="partner"/>) whose password is <see cref="Password"/>.</summary>
    public async Task<string> CreateUserAsync(string prefix, AccountRole role = AccountRole.Employee, string? partner = null, string? displayName = null)
    {
        var username = Unique(prefix);
        await WithScopeAsync(async sp =>
        {
            var (account, _, error) = await sp.GetRequiredService<AccountDirectory>()
                .CreateAsync(new NewAccount(username, $"{username}@example.test", displayName, role, partner, Password));
            if (account is null) throw new InvalidOperationException(error);
        });
        return username;
    }

    public async Task<string> CreateTeamAsync(string prefix, string name, params string[] members)
    {
        var handle = Unique(prefix);
        await WithScopeAsync(async sp =>
        {
            var teams = sp.GetRequiredService<TeamDirectory>();
            var (team, error) = await teams.CreateAsync(handle, name, null);
            if (team is null) throw new InvalidOperationException(error);
            foreach (var m in members)
                if (await teams.AddMemberAsync(handle, m, lead: false) is { } e) throw new InvalidOperationException(e);
        });
        return handle;
    }

    public async Task<string> CreatePartnerAsync(string prefix, string name)
    {
        var handle = Unique(prefix);
        await WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = handle, Name = name, Domains = "", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        });
        return handle;
    }

    /// <summary>Lets a partner organization's guests read and reply in a team's partner channel, as <c>admin grant</c> does.</summary>
    public Task GrantAsync(string team, string partner) =>
        WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var t = await db.Teams.SingleAsync(x => x.Handle == team);
            var p = await db.PartnerOrgs.SingleAsync(x => x.Handle == partner);
            var now = DateTimeOffset.UtcNow;
            db.PartnerGrants.Add(new PartnerGrant { Id = Snowflake.NewId(), TeamId = t.Id, PartnerOrgId = p.Id, GrantedAt = now, Rights = GrantRights.ReadAndReply });
            await AccountRules.FollowTeamForGuestsAsync(db, t.Id, p.Id, now, default);
            await db.SaveChangesAsync();
        });

    /// <summary>
    /// Publishes through the Mastodon API (real HTTP, a personal token): for the posts a test needs to exist, not the ones
    /// it is about, which it writes in the browser. Returns the new post's id.
    /// </summary>
    public async Task<string> PostAsync(string username, string text, string? audience = null, string? inReplyTo = null)
    {
        var body = new Dictionary<string, string?> { ["status"] = text, ["audience"] = audience, ["in_reply_to_id"] = inReplyTo }
            .Where(kv => kv.Value is not null).ToDictionary();
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("/api/v1/statuses")) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(username));
        using var response = await _http.SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/statuses as @{username} answered {(int)response.StatusCode}: {json}");
        return JsonDocument.Parse(json).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string> TokenAsync(string username)
    {
        if (_tokens.TryGetValue(username, out var token)) return token;
        await WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var id = await db.Users.Where(a => a.UserName == username).Select(a => a.Id).SingleAsync();
            token = await PersonalAccessTokens.CreateAsync(db, id, ["read", "write"], "browser tests");
        });
        return _tokens[username] = token!;
    }
}
