using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Statuses;
using Gazouille.Features.Teams;
using Gazouille.Features.Web;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Timelines;

/// <summary>Home, company, public, hashtag, bookmarks and favourites: one page over <see cref="TimelineReader"/>.</summary>
/// <remarks>
/// A reader's home is also kept as HTML (<see cref="ViewerHtmlCache"/>) with everything its page of posts, their
/// rendering and the compose box were read from: a repeat visit to an unchanged home renders nothing and reads nothing.
/// </remarks>
public sealed class TimelineModel(TimelineReader timelines, StatusRenderer renderer, ComposeBox compose, TeamDirectory teams,
    ViewerHtmlCache html, InstanceUrls urls) : WebPageModel
{
    public const int PageSize = 20;

    // Read from the route and the query rather than bound ([FromRoute], [FromQuery]): model binding builds value providers
    // and prefix containers on every view of the most visited page. Same values: the first, an empty one is none.
    public string? Kind => RouteData.Values["kind"] as string;
    public string? Tag => RouteData.Values["tag"] as string;
    public string? MaxId => Request.Query.TryGetValue("max_id", out var v) && !string.IsNullOrEmpty(v[0]) ? v[0] : null;

    public IReadOnlyList<StatusEntity> Statuses { get; private set; } = [];
    public string? OlderUrl { get; private set; }
    public string? NewPostsUrl { get; private set; }
    public ComposeView? Compose { get; private set; }
    public List<TeamEntity> SuggestedTeams { get; private set; } = [];
    public string Name => Tag is not null ? "tag" : Kind ?? "home";
    /// <summary>The page's body from the cache, or how to keep it once rendered (the home only).</summary>
    public ViewerHtmlSlot? Html { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Tag is not null && (Tag.Length > 100 || Tag.Any(char.IsControl))) return NotFound();
        if (Name == "company" && Viewer.IsGuest) return NotFound();
        if (Name != "home" || !html.Enabled || (MaxId is not null && ParseId(MaxId) is null)) return await ReadAsync(ct);
        var key = $"web:home:{System.Globalization.CultureInfo.CurrentUICulture.Name}:{MaxId}";
        var urlBase = urls.Base;
        if (html.TryServe(HttpContext, Viewer, urlBase, key) is { } cached)
        {
            Html = new ViewerHtmlSlot(cached);
            return Page();
        }
        var since = html.Start();
        using var read = ViewerPageCache.Record();
        var result = await ReadAsync(ct);
        // An empty home suggests teams to follow, read without the caches: it is not kept.
        if (Statuses.Count > 0)
            Html = new ViewerHtmlSlot(null, key, urlBase, since, [.. read.Keys, new ChangeKey(ChangeKind.Account, Viewer.AccountId)]);
        return result;
    }

    private async Task<IActionResult> ReadAsync(CancellationToken ct)
    {
        var page = new PageRequest(ParseId(MaxId), null, null, PageSize);
        List<long> ids;
        string? cursorOf = null;
        switch (Name)
        {
            case "home": ids = await timelines.HomeAsync(Viewer, page, ct); break;
            case "company": ids = await timelines.PageAsync(timelines.Company(Viewer), page, ct); break;
            case "public": ids = await timelines.PageAsync(timelines.Public(Viewer), page, ct); break;
            case "tag": ids = await timelines.PageAsync(timelines.Tag(Viewer, Tag!), page, ct); break;
            default:
                var rows = Name == "bookmarks" ? await timelines.BookmarksAsync(Viewer, page, ct) : await timelines.FavouritesAsync(Viewer, page, ct);
                ids = rows.Select(r => r.StatusId).ToList();
                cursorOf = rows.Count == PageSize ? Ids.Format(rows[^1].Id) : null;
                break;
        }
        Statuses = await renderer.RenderPageAsync(Viewer, ids, ct);
        var older = cursorOf ?? (ids.Count == PageSize ? Ids.Format(ids[^1]) : null);
        if (older is not null) OlderUrl = $"{Request.Path}?max_id={older}";
        if (Name is "home" or "company" or "public" or "tag" && MaxId is null)
        {
            Compose = await compose.NewAsync(Viewer, text: Tag is null ? "" : $" #{Tag}", ct: ct);
            if (Name == "home")
                NewPostsUrl = $"/?handler=new&since_id={(ids.Count > 0 ? Ids.Format(ids[0]) : "0")}";
        }
        if (Name == "home" && Statuses.Count == 0 && MaxId is null)
        {
            // A newcomer is shown whom to follow: its own teams first.
            var followed = Viewer.FollowedTeamIds;
            var mine = Viewer.TeamIds;
            SuggestedTeams = await teams.RenderAsync(Viewer, await teams.Visible(Viewer).Where(t => !followed.Contains(t.Id))
                .OrderByDescending(t => mine.Contains(t.Id)).ThenBy(t => t.Name).Take(8).ToListAsync(ct), ct);
        }
        return Page();
    }

    /// <summary>The "N new posts" banner, polled by the home page; never moves what is on screen.</summary>
    public async Task<IActionResult> OnGetNewAsync([FromQuery(Name = "since_id")] string? sinceId, CancellationToken ct)
    {
        var since = ParseId(sinceId) ?? 0;
        var count = await timelines.CountNewerInHomeAsync(Viewer, since, 99, ct);
        return Partial("/Features/Timelines/_NewPosts.cshtml", count);
    }

    private static long? ParseId(string? raw) => Ids.TryParse(raw, out var id) ? id : null;
}
