using System.Globalization;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.Streaming;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Gazouille.Features.Accounts;

/// <summary>
/// Everything that can act as one account: its browser sessions (<see cref="BrowserSession"/>), the apps holding its
/// OpenIddict tokens and its personal access tokens; listed and ended by their owner only (the page and the API).
/// </summary>
public sealed class OwnSessions(GazouilleDb db, IOpenIddictTokenManager tokens, IOpenIddictApplicationManager applications, AuditLog audit,
    IEventBus bus, TimeProvider clock)
{
    public sealed record BrowserRow(string Id, string UserAgent, string IpAddress, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, bool Current);
    public sealed record AppRow(string Id, string? Name, DateTimeOffset? Since, int Tokens);
    public sealed record TokenRow(long Id, string Name, string Scopes, DateTimeOffset CreatedAt);

    /// <summary>The account's browsers, most recently seen first (<paramref name="currentSessionId"/> marked).</summary>
    public async Task<List<BrowserRow>> BrowsersAsync(long accountId, string? currentSessionId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await db.BrowserSessions.AsNoTracking().Where(s => s.AccountId == accountId)
            .Select(s => new { s.Id, s.UserAgent, s.IpAddress, s.CreatedAt, s.LastSeenAt, s.ExpiresAt }).ToListAsync(ct);
        return rows.Where(s => s.ExpiresAt is null || s.ExpiresAt > now)
            .Select(s => new BrowserRow(s.Id, s.UserAgent, s.IpAddress, s.CreatedAt, s.LastSeenAt, s.Id == currentSessionId))
            .OrderByDescending(s => s.Current).ThenByDescending(s => s.LastSeenAt).ToList();
    }

    /// <summary>The apps holding valid tokens of the account; <see cref="AppRow.Name"/> is null for an app that is gone.</summary>
    public async Task<List<AppRow>> AppsAsync(long accountId, CancellationToken ct)
    {
        var byApp = new Dictionary<string, (DateTimeOffset? Since, int Count)>();
        foreach (var token in await ValidTokensAsync(accountId, null, ct))
        {
            var app = await tokens.GetApplicationIdAsync(token, ct) ?? "";
            var created = await tokens.GetCreationDateAsync(token, ct);
            var (since, count) = byApp.GetValueOrDefault(app);
            byApp[app] = (since is null || (created is not null && created < since) ? created : since, count + 1);
        }
        var apps = new List<AppRow>();
        foreach (var (appId, (since, count)) in byApp)
        {
            var app = appId.Length == 0 ? null : await applications.FindByIdAsync(appId, ct);
            var name = app is null ? null : await applications.GetDisplayNameAsync(app, ct) ?? appId;
            apps.Add(new AppRow(appId, name, since, count));
        }
        apps.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.CurrentCultureIgnoreCase));
        return apps;
    }

    public Task<List<TokenRow>> PersonalTokensAsync(long accountId, CancellationToken ct) =>
        db.PersonalAccessTokens.AsNoTracking().Where(p => p.AccountId == accountId && p.RevokedAt == null).OrderByDescending(p => p.Id)
            .Select(p => new TokenRow(p.Id, p.Name, p.Scopes, p.CreatedAt)).ToListAsync(ct);

    /// <summary>Signs one browser out, on every node; false when the account has no such session.</summary>
    public async Task<bool> EndBrowserAsync(long accountId, string sessionId, CancellationToken ct)
    {
        if (sessionId.Length != BrowserSession.IdLength) return false;
        if (await db.BrowserSessions.Where(s => s.Id == sessionId && s.AccountId == accountId).ExecuteDeleteAsync(ct) == 0) return false;
        bus.Publish(StreamEvent.Revoked(BrowserSessionStore.EventId(sessionId)));
        await AuditAsync(accountId, "account.end_session", new { session = sessionId[..6] }, ct);
        return true;
    }

    /// <summary>Revokes the account's tokens held by one app; how many ended (0: none, or not the account's).</summary>
    public async Task<int> EndAppAsync(long accountId, string applicationId, CancellationToken ct)
    {
        if (applicationId.Length is 0 or > 200) return 0;
        var ended = await RevokeTokensAsync(accountId, applicationId, ct);
        if (ended > 0) await AuditAsync(accountId, "account.revoke_app", new { application = applicationId, tokens = ended }, ct);
        return ended;
    }

    public async Task<bool> EndPersonalTokenAsync(long accountId, long tokenId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (await db.PersonalAccessTokens.Where(p => p.Id == tokenId && p.AccountId == accountId && p.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.RevokedAt, now), ct) == 0)
            return false;
        await AuditAsync(accountId, "account.revoke_token", new { token = tokenId.ToString(CultureInfo.InvariantCulture) }, ct);
        return true;
    }

    /// <summary>Every other browser session, every app and every personal token; <paramref name="keepSessionId"/> stays signed in.</summary>
    public async Task<long> EndEverythingElseAsync(long accountId, string? keepSessionId, CancellationToken ct)
    {
        var others = await db.BrowserSessions.Where(s => s.AccountId == accountId && s.Id != keepSessionId).Select(s => s.Id).ToListAsync(ct);
        long browsers = others.Count == 0 ? 0 : await db.BrowserSessions.Where(s => others.Contains(s.Id)).ExecuteDeleteAsync(ct);
        foreach (var id in others) bus.Publish(StreamEvent.Revoked(BrowserSessionStore.EventId(id)));
        var now = clock.GetUtcNow();
        long ended = await db.PersonalAccessTokens.Where(p => p.AccountId == accountId && p.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(p => p.RevokedAt, now), ct);
        ended += await RevokeTokensAsync(accountId, null, ct);
        await AuditAsync(accountId, "account.sign_out_elsewhere", new { browsers, tokens = ended }, ct);
        return browsers + ended;
    }

    private async Task<List<object>> ValidTokensAsync(long accountId, string? applicationId, CancellationToken ct)
    {
        var list = new List<object>();
        await foreach (var token in tokens.FindBySubjectAsync(accountId.ToString(CultureInfo.InvariantCulture), ct))
        {
            if (!await tokens.HasStatusAsync(token, OpenIddictConstants.Statuses.Valid, ct)) continue;
            if (await tokens.GetExpirationDateAsync(token, ct) is { } expires && expires < clock.GetUtcNow()) continue;
            var type = await tokens.GetTypeAsync(token, ct);
            if (type is not (OpenIddictConstants.TokenTypeIdentifiers.AccessToken or OpenIddictConstants.TokenTypeIdentifiers.RefreshToken)) continue;
            if (applicationId is not null && await tokens.GetApplicationIdAsync(token, ct) != applicationId) continue;
            list.Add(token);
        }
        return list;
    }

    /// <summary>Revokes the account's tokens (of one app, or all); open streams on them end too, on every node.</summary>
    private async Task<int> RevokeTokensAsync(long accountId, string? applicationId, CancellationToken ct)
    {
        var ended = 0;
        foreach (var token in await ValidTokensAsync(accountId, applicationId, ct))
        {
            if (!await tokens.TryRevokeAsync(token, ct)) continue;
            ended++;
            if (await tokens.GetIdAsync(token, ct) is { Length: > 0 } tokenId) bus.Publish(StreamEvent.Revoked(tokenId));
        }
        return ended;
    }

    private async Task AuditAsync(long accountId, string action, object details, CancellationToken ct)
    {
        var name = await db.Users.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.UserName).FirstAsync(ct);
        await audit.AppendAsync("@" + name, action, $"account:{accountId}", details, ct);
    }
}
