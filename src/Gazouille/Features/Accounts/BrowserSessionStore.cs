using System.Collections.Concurrent;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Streaming;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Accounts;

/// <summary>
/// Keeps browser sign-ins in the database (<see cref="BrowserSession"/>): the cookie carries the session's id only, so a
/// session can be listed and ended one by one. The cookie check runs on every page, so a ticket read from the database
/// is kept in memory for <see cref="SessionSettings.CacheSeconds"/>; ending a session publishes an event on the bus
/// that drops it from every node's memory at once (with the in-process bus and several nodes, within those seconds).
/// </summary>
public sealed class BrowserSessionStore : ITicketStore
{
    private const string ItemKey = "gazouille.browser_session";
    /// <summary>The prefix of a browser session in <see cref="StreamEvent.TokenId"/> (its streams end with it).</summary>
    public const string EventPrefix = "browser:";
    private static readonly TimeSpan LastSeenEvery = TimeSpan.FromMinutes(1);

    private sealed record Cached(long AccountId, AuthenticationTicket Ticket, long LoadedAt, DateTimeOffset LastSeenAt);

    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _cacheFor;

    private readonly IEventBus _bus;
    private readonly ILogger<BrowserSessionStore> _log;
    private int _subscribed;

    public BrowserSessionStore(IEventBus bus, TimeProvider clock, IOptions<GazouilleSettings> settings, ILogger<BrowserSessionStore> log)
    {
        _bus = bus;
        _clock = clock;
        _log = log;
        _cacheFor = TimeSpan.FromSeconds(Math.Max(0, settings.Value.Sessions.CacheSeconds));
        Subscribe();
    }

    /// <summary>Listens to the bus; when Redis is away, sessions are kept no longer than their few seconds and this is tried again.</summary>
    private void Subscribe()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 1) return;
        try
        {
            _bus.Subscribe(Evict);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Volatile.Write(ref _subscribed, 0);
            _log.LogWarning(e, "Browser sessions do not hear ended sessions from other nodes yet (the event bus is unavailable)");
        }
    }

    /// <summary>The id of the browser session the request came with (or signed in with), if any.</summary>
    public static string? CurrentId(HttpContext http) => http.Items.TryGetValue(ItemKey, out var id) ? id as string : null;

    /// <summary>The stream-event id that ends the session's streams and drops it from every node's memory.</summary>
    public static string EventId(string sessionId) => EventPrefix + sessionId;

    private void Evict(StreamEvent e)
    {
        if (e.Kind != StreamEventKind.TokenRevoked) return;
        if (e.TokenId is { } token)
        {
            if (token.StartsWith(EventPrefix, StringComparison.Ordinal)) _cache.TryRemove(token[EventPrefix.Length..], out _);
        }
        else if (e.AccountId is { } account)
        {
            foreach (var (key, entry) in _cache)
                if (entry.AccountId == account) _cache.TryRemove(key, out _);
        }
    }

    public Task<string> StoreAsync(AuthenticationTicket ticket) => throw new NotSupportedException("the store needs the request");
    public Task RenewAsync(string key, AuthenticationTicket ticket) => throw new NotSupportedException("the store needs the request");
    public Task<AuthenticationTicket?> RetrieveAsync(string key) => throw new NotSupportedException("the store needs the request");
    public Task RemoveAsync(string key) => throw new NotSupportedException("the store needs the request");

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var accountId = ticket.Principal.AccountId() ?? throw new InvalidOperationException("a browser session without an account");
        var now = _clock.GetUtcNow();
        var db = httpContext.RequestServices.GetRequiredService<GazouilleDb>();
        db.BrowserSessions.Add(new BrowserSession
        {
            Id = id, AccountId = accountId, Ticket = TicketSerializer.Default.Serialize(ticket), CreatedAt = now, LastSeenAt = now,
            ExpiresAt = ticket.Properties.ExpiresUtc,
            UserAgent = UserAgentSummary.Of(httpContext.Request.Headers.UserAgent.ToString()),
            IpAddress = Truncate(httpContext.Connection.RemoteIpAddress?.ToString() ?? "", BrowserSession.IpMaxLength),
        });
        await db.SaveChangesAsync(cancellationToken);
        await ForgetExpiredAsync(db, accountId, now, cancellationToken);
        httpContext.Items[ItemKey] = id;
        _cache[id] = new Cached(accountId, ticket, Stopwatch.GetTimestamp(), now);
        return id;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var accountId = ticket.Principal.AccountId() ?? throw new InvalidOperationException("a browser session without an account");
        var db = httpContext.RequestServices.GetRequiredService<GazouilleDb>();
        var bytes = TicketSerializer.Default.Serialize(ticket);
        var now = _clock.GetUtcNow();
        // The handler renews the key its cookie named, even when that session was ended meanwhile and the browser
        // has just signed in again: then the session is made anew under the same key.
        var changed = await db.BrowserSessions.Where(s => s.Id == key && s.AccountId == accountId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Ticket, bytes).SetProperty(s => s.ExpiresAt, ticket.Properties.ExpiresUtc).SetProperty(s => s.LastSeenAt, now), cancellationToken);
        if (changed == 0)
        {
            await db.BrowserSessions.Where(s => s.Id == key).ExecuteDeleteAsync(cancellationToken);
            db.BrowserSessions.Add(new BrowserSession
            {
                Id = key, AccountId = accountId, Ticket = bytes, CreatedAt = now, LastSeenAt = now, ExpiresAt = ticket.Properties.ExpiresUtc,
                UserAgent = UserAgentSummary.Of(httpContext.Request.Headers.UserAgent.ToString()),
                IpAddress = Truncate(httpContext.Connection.RemoteIpAddress?.ToString() ?? "", BrowserSession.IpMaxLength),
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        httpContext.Items[ItemKey] = key;
        _cache[key] = new Cached(accountId, ticket, Stopwatch.GetTimestamp(), now);
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (key.Length != BrowserSession.IdLength) return null;
        if (Volatile.Read(ref _subscribed) == 0) Subscribe();
        if (_cache.TryGetValue(key, out var cached) && Stopwatch.GetElapsedTime(cached.LoadedAt) < _cacheFor)
        {
            httpContext.Items[ItemKey] = key;
            return cached.Ticket;
        }
        var db = httpContext.RequestServices.GetRequiredService<GazouilleDb>();
        var row = await db.BrowserSessions.AsNoTracking().Where(s => s.Id == key)
            .Select(s => new { s.AccountId, s.Ticket, s.LastSeenAt, s.ExpiresAt }).FirstOrDefaultAsync(cancellationToken);
        var now = _clock.GetUtcNow();
        if (row is null || row.ExpiresAt < now || TicketSerializer.Default.Deserialize(row.Ticket) is not { } ticket)
        {
            _cache.TryRemove(key, out _);
            return null;
        }
        var lastSeen = row.LastSeenAt;
        if (now - lastSeen >= LastSeenEvery)
        {
            lastSeen = now;
            var ip = Truncate(httpContext.Connection.RemoteIpAddress?.ToString() ?? "", BrowserSession.IpMaxLength);
            await db.BrowserSessions.Where(s => s.Id == key).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now).SetProperty(s => s.IpAddress, ip), cancellationToken);
        }
        if (_cacheFor > TimeSpan.Zero)
        {
            if (_cache.Count > 50_000) Trim();
            _cache[key] = new Cached(row.AccountId, ticket, Stopwatch.GetTimestamp(), lastSeen);
        }
        httpContext.Items[ItemKey] = key;
        return ticket;
    }

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var db = httpContext.RequestServices.GetRequiredService<GazouilleDb>();
        await db.BrowserSessions.Where(s => s.Id == key).ExecuteDeleteAsync(cancellationToken);
        httpContext.RequestServices.GetRequiredService<IEventBus>().Publish(StreamEvent.Revoked(EventId(key)));
        _cache.TryRemove(key, out _);
    }

    /// <summary>Expired sessions of the account that signs in go (the only clean-up they need: an expired one is refused anyway).</summary>
    private static async Task ForgetExpiredAsync(GazouilleDb db, long accountId, DateTimeOffset now, CancellationToken ct)
    {
        var expired = (await db.BrowserSessions.AsNoTracking().Where(s => s.AccountId == accountId).Select(s => new { s.Id, s.ExpiresAt }).ToListAsync(ct))
            .Where(s => s.ExpiresAt < now).Select(s => s.Id).ToList();
        if (expired.Count > 0) await db.BrowserSessions.Where(s => expired.Contains(s.Id)).ExecuteDeleteAsync(ct);
    }

    private void Trim()
    {
        foreach (var (key, entry) in _cache)
            if (Stopwatch.GetElapsedTime(entry.LoadedAt) >= _cacheFor) _cache.TryRemove(key, out _);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>"Firefox, Linux" from a User-Agent header: enough for a person to recognise a browser, not a fingerprint.</summary>
public static class UserAgentSummary
{
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Vivaldi/", "Vivaldi"), ("SamsungBrowser/", "Samsung Internet"), ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];

    /// <summary>Empty when nothing is recognised (the page then says "unknown browser").</summary>
    public static string Of(string userAgent)
    {
        var browser = Browsers.FirstOrDefault(b => userAgent.Contains(b.Token, StringComparison.Ordinal)).Name;
        var system = Systems.FirstOrDefault(s => userAgent.Contains(s.Token, StringComparison.Ordinal)).Name;
        return (browser, system) switch
        {
            (null, null) => "",
            (not null, null) => browser,
            (null, not null) => system,
            _ => $"{browser}, {system}",
        };
    }
}
