using Gazouille.Api;
using Gazouille.Features.Accounts;
using Gazouille.Features.Statuses;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Search;

/// <summary>The search page: posts, people and hashtags over <see cref="SearchService"/>, matches marked.</summary>
public sealed class SearchModel(SearchService search, StatusRenderer statuses, AccountRenderer accounts, IStringLocalizer<WebText> t) : WebPageModel
{
    public const int PageSize = 20;
    public static readonly string[] Kinds = ["all", "statuses", "accounts", "hashtags"];

    [FromQuery(Name = "q")] public string? Q { get; set; }
    [FromQuery(Name = "type")] public string? Type { get; set; }
    [FromQuery(Name = "max_id")] public string? MaxId { get; set; }
    [FromQuery(Name = "offset")] public string? Offset { get; set; }

    public string Kind => Kinds.Contains(Type) ? Type! : "all";
    public string Query { get; private set; } = "";
    public string? Error { get; private set; }
    public IReadOnlyList<SearchTerm> Terms { get; private set; } = [];
    public List<StatusEntity> Statuses { get; private set; } = [];
    public List<AccountEntity> Accounts { get; private set; } = [];
    public List<string> Hashtags { get; private set; } = [];
    public string? MoreUrl { get; private set; }
    public bool Searched => Query.Length > 0 && Error is null;
    public bool Nothing => Statuses.Count == 0 && Accounts.Count == 0 && Hashtags.Count == 0;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if ((Q ?? "").Length > SearchText.MaxQueryLength)
        {
            Error = t["Your search is too long: at most {0} characters.", SearchText.MaxQueryLength];
            Query = Q![..SearchText.MaxQueryLength];
            return Page();
        }
        Query = SearchText.Clean(Q);
        if (Query.Length == 0) return Page();
        Terms = SearchText.Terms(Query);
        var offset = int.TryParse(Offset, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var o) ? Math.Min(o, 10_000) : 0;
        var maxId = Ids.TryParse(MaxId, out var m) ? m : (long?)null;
        var title = t["Matches your search"];

        if (Kind is "all" or "accounts")
        {
            var limit = Kind == "all" ? 5 : PageSize;
            Accounts = await accounts.RenderManyAsync(Viewer, await search.AccountsAsync(Viewer, new SearchRequest(Query, Limit: limit, Offset: offset), ct), ct: ct);
            if (Kind == "accounts" && Accounts.Count == PageSize) MoreUrl = Link("accounts", $"offset={offset + PageSize}");
        }
        if (Kind is "all" or "hashtags")
        {
            var limit = Kind == "all" ? 10 : PageSize;
            Hashtags = await search.HashtagsAsync(Viewer, new SearchRequest(Query, Limit: limit, Offset: offset), ct);
            if (Kind == "hashtags" && Hashtags.Count == PageSize) MoreUrl = Link("hashtags", $"offset={offset + PageSize}");
        }
        if (Kind is "all" or "statuses")
        {
            var ids = await search.StatusesAsync(Viewer, new SearchRequest(Query, MaxId: maxId, Limit: PageSize), ct);
            Statuses = (await statuses.RenderManyAsync(Viewer, await statuses.LoadAsync(ids, ct), ct))
                .Select(s => s with { Content = SearchMarks.MarkHtml(s.Content, Terms, title) }).ToList();
            if (ids.Count == PageSize) MoreUrl = Link(Kind, $"max_id={Ids.Format(ids[^1])}");
        }
        return Page();
    }

    /// <summary>This search again, as another kind or another page.</summary>
    public string Link(string kind, string? more = null) =>
        $"/search?q={Uri.EscapeDataString(Query)}{(kind == "all" ? "" : "&type=" + kind)}{(more is null ? "" : "&" + more)}";
}
