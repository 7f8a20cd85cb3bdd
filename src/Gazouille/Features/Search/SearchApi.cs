using Gazouille.Api;
using Gazouille.Features.Accounts;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gazouille.Features.Search;

/// <summary>Mastodon's <c>/api/v2/search</c>: accounts, hashtags and statuses (full text), each seen as the viewer may.</summary>
public static class SearchApi
{
    private static readonly string[] Types = ["accounts", "hashtags", "statuses"];

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v2/search", Search).WithTags("Search");
        return app;
    }

    /// <summary>The parameters Mastodon's search takes; <c>resolve</c> and <c>exclude_unreviewed</c> are accepted and ignored.</summary>
    public static SearchRequest Read(ApiParams p, int defaultLimit, int maxLimit)
    {
        var limit = p.GetInt("limit") ?? defaultLimit;
        var offset = p.GetInt("offset") ?? 0;
        _ = p.GetBool("resolve");
        return new SearchRequest(
            p.Get("q") ?? "",
            p.GetBool("following") == true,
            p.GetId("account_id"),
            Cursor(p.Get("max_id")),
            Cursor(p.Get("min_id")),
            limit <= 0 ? defaultLimit : Math.Min(limit, maxLimit),
            Math.Clamp(offset, 0, 10_000));
    }

    // A cursor that is not an id pages past everything, as in timelines.
    private static long? Cursor(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : Ids.TryParse(raw, out var id) ? id : 0;

    private static async Task<Ok<SearchResultsEntity>> Search(HttpContext http, ApiParams p, SearchService search,
        AccountRenderer accounts, StatusRenderer statuses, InstanceUrls urls, CancellationToken ct)
    {
        var type = p.Get("type")?.Trim().ToLowerInvariant();
        if (type is { Length: > 0 } && !Types.Contains(type))
            throw ApiException.BadRequest("type must be accounts, hashtags or statuses.");
        var request = Read(p, 20, 40);
        var viewer = http.Viewer();
        bool Wants(string t) => type is null or "" || type == t;

        var foundAccounts = Wants("accounts") ? await accounts.RenderManyAsync(viewer, await search.AccountsAsync(viewer, request, ct), ct: ct) : [];
        var foundTags = Wants("hashtags")
            ? (await search.HashtagsAsync(viewer, request, ct)).Select(n => new HashtagEntity(n, $"{urls.Base}/tags/{Uri.EscapeDataString(n)}", [], false)).ToList()
            : [];
        var foundStatuses = new List<StatusEntity>();
        if (Wants("statuses"))
        {
            var ids = await search.StatusesAsync(viewer, request, ct);
            if (type == "statuses") LinkHeader.Set(http, ids.Count == 0 ? null : ids[0], ids.Count == 0 ? null : ids[^1]);
            foundStatuses = await statuses.RenderManyAsync(viewer, await statuses.LoadAsync(ids, ct), ct);
        }
        return TypedResults.Ok(new SearchResultsEntity(foundAccounts, foundStatuses, foundTags));
    }
}

/// <summary>Mastodon's Search entity.</summary>
public sealed record SearchResultsEntity(List<AccountEntity> Accounts, List<StatusEntity> Statuses, List<HashtagEntity> Hashtags);

/// <summary>Mastodon's Tag entity; Gazouille keeps no usage history yet.</summary>
public sealed record HashtagEntity(string Name, string Url, object[] History, bool Following);
