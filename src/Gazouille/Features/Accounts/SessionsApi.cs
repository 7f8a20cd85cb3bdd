using System.Globalization;
using Gazouille.Api;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gazouille.Features.Accounts;

/// <summary>
/// One's own browser sessions, apps and personal access tokens (the API of /settings/sessions). Ids name their kind:
/// <c>browser:…</c>, <c>app:…</c>, <c>token:…</c>; another account's id, or one that does not exist, is a 404.
/// </summary>
public static class SessionsApi
{
    public sealed record SessionEntity(string Id, string Type, string Name, string? CreatedAt, string? LastSeenAt, string? Ip, string? Scopes,
        int? Tokens, bool Current);

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/sessions").WithTags("Sessions");
        group.MapGet("/", List).RequireScope("read:accounts");
        group.MapDelete("/{id}", End).RequireScope("write:accounts");
        return app;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async Task<Ok<List<SessionEntity>>> List(HttpContext http, OwnSessions sessions, CancellationToken ct)
    {
        var me = http.Viewer().AccountId;
        var list = new List<SessionEntity>();
        foreach (var b in await sessions.BrowsersAsync(me, BrowserSessionStore.CurrentId(http), ct))
            list.Add(new SessionEntity("browser:" + b.Id, "browser", b.UserAgent, Time(b.CreatedAt), Time(b.LastSeenAt), b.IpAddress, null, null, b.Current));
        foreach (var a in await sessions.AppsAsync(me, ct))
            list.Add(new SessionEntity("app:" + a.Id, "app", a.Name ?? "", a.Since is { } since ? Time(since) : null, null, null, null, a.Tokens, false));
        foreach (var t in await sessions.PersonalTokensAsync(me, ct))
            list.Add(new SessionEntity("token:" + t.Id.ToString(CultureInfo.InvariantCulture), "token", t.Name, Time(t.CreatedAt), null, null, t.Scopes, null, false));
        return TypedResults.Ok(list);
    }

    private static async Task<Ok<object>> End(string id, HttpContext http, OwnSessions sessions, CancellationToken ct)
    {
        var me = http.Viewer().AccountId;
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var (kind, key) = colon < 0 ? ("", "") : (id[..colon], id[(colon + 1)..]);
        var ended = kind switch
        {
            "browser" => await sessions.EndBrowserAsync(me, key, ct),
            "app" => await sessions.EndAppAsync(me, key, ct) > 0,
            "token" => long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId) && await sessions.EndPersonalTokenAsync(me, tokenId, ct),
            _ => false,
        };
        if (!ended) throw ApiException.NotFound();
        return TypedResults.Ok<object>(new { });
    }
}
