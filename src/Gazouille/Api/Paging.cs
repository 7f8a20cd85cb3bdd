using System.Linq.Expressions;
using System.Text;

namespace Gazouille.Api;

/// <summary>Mastodon's id-based paging: <c>max_id</c>, <c>since_id</c>, <c>min_id</c>, <c>limit</c>.</summary>
public sealed record PageRequest(long? MaxId, long? SinceId, long? MinId, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 40;

    public static PageRequest From(ApiParams p, int defaultLimit = DefaultLimit, int maxLimit = MaxLimit)
    {
        var limit = p.GetInt("limit") ?? defaultLimit;
        if (limit <= 0) limit = defaultLimit;
        return new PageRequest(ParseCursor(p.Get("max_id")), ParseCursor(p.Get("since_id")), ParseCursor(p.Get("min_id")), Math.Min(limit, maxLimit));
    }

    // A cursor that is not an id pages past everything rather than erroring, as Mastodon does.
    private static long? ParseCursor(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : Ids.TryParse(raw, out var id) ? id : 0;

    /// <summary>Applies the window to <paramref name="query"/>, newest first; fetches with min_id ascending then reverses.</summary>
    public async Task<List<TResult>> ApplyAsync<T, TResult>(IQueryable<T> query, Expression<Func<T, long>> key, Func<IQueryable<T>, Task<List<TResult>>> run)
    {
        var param = key.Parameters[0];
        if (MaxId is { } max) query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.LessThan(key.Body, Expression.Constant(max)), param));
        if (SinceId is { } since) query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(key.Body, Expression.Constant(since)), param));
        if (MinId is { } min)
        {
            query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(key.Body, Expression.Constant(min)), param));
            var asc = await run(query.OrderBy(key).Take(Limit));
            asc.Reverse();
            return asc;
        }
        return await run(query.OrderByDescending(key).Take(Limit));
    }
}

public static class LinkHeader
{
    private static readonly HashSet<string> PagingKeys = ["max_id", "since_id", "min_id"];

    /// <summary>Sets Mastodon's <c>Link</c> header for a page whose items span ids <paramref name="newest"/>…<paramref name="oldest"/>.</summary>
    public static void Set(HttpContext http, long? newest, long? oldest)
    {
        if (newest is null || oldest is null) return;
        var request = http.Request;
        var baseQuery = new StringBuilder();
        foreach (var (k, v) in request.Query)
        {
            if (PagingKeys.Contains(k)) continue;
            foreach (var value in v)
                baseQuery.Append(Uri.EscapeDataString(k)).Append('=').Append(Uri.EscapeDataString(value ?? "")).Append('&');
        }
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{baseQuery}";
        http.Response.Headers.Link = $"<{url}max_id={Ids.Format(oldest.Value)}>; rel=\"next\", <{url}min_id={Ids.Format(newest.Value)}>; rel=\"prev\"";
    }
}
