using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Timelines;

/// <summary>Timelines are read-time merges of the statuses the viewer may see (fan-out on read), paged by id.</summary>
public static class TimelinesApi
{
    public static IEndpointRouteBuilder MapTimelinesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/timelines").WithTags("Timelines");
        group.MapGet("/home", Home).RequireScope("read:statuses");
        group.MapGet("/public", Public);
        group.MapGet("/tag/{hashtag}", Tag);
        group.MapGet("/company", Company).RequireScope("read:statuses");
        group.MapGet("/team/{handle}", Team).RequireScope("read:statuses");
        app.MapGet("/api/v1/favourites", Favourites).RequireScope("read:favourites").WithTags("Timelines");
        app.MapGet("/api/v1/bookmarks", Bookmarks).RequireScope("read:bookmarks").WithTags("Timelines");
        return app;
    }

    /// <summary>Pages a query of visible statuses and renders the page, setting the Link header.</summary>
    public static async Task<Ok<List<StatusEntity>>> PageAsync(HttpContext http, ApiParams p, IQueryable<Status> query, StatusRenderer renderer, CancellationToken ct)
    {
        var page = PageRequest.From(p);
        var ids = await page.ApplyAsync(query, s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
        LinkHeader.Set(http, ids.Count == 0 ? null : ids[0], ids.Count == 0 ? null : ids[^1]);
        var statuses = await renderer.LoadAsync(ids, ct);
        return TypedResults.Ok(await renderer.RenderManyAsync(http.Viewer(), statuses, ct));
    }

    private static IQueryable<Status> Visible(GazouilleDb db, Viewer viewer) =>
        db.Statuses.AsNoTracking().Where(Visibility.StatusesVisibleTo(viewer));

    /// <summary>Lower bounds tried, newest first, before the whole history: 1 hour, 12 hours, 6 days, 60 days.</summary>
    private static readonly TimeSpan[] HomeWindows = [TimeSpan.FromHours(1), TimeSpan.FromHours(12), TimeSpan.FromDays(6), TimeSpan.FromDays(60)];

    private static async Task<Ok<List<StatusEntity>>> Home(HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var v = http.Viewer();
        var page = PageRequest.From(p);
        // Newest first, a page is complete as soon as a recent window holds `limit` posts: every post outside the window
        // is older than all of them. Short windows keep the work proportional to recent activity, not to history.
        List<long> ids = [];
        if (page.MinId is null)
        {
            var top = page.MaxId ?? Snowflake.MinIdAt(DateTimeOffset.UtcNow.AddMinutes(1));
            foreach (var window in HomeWindows)
            {
                var after = top - Snowflake.MinIdAt(DateTimeOffset.UnixEpoch.Add(window));
                if (page.SinceId is { } since && since >= after) break;
                ids = await page.ApplyAsync(HomeQuery(db, v, after), s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
                if (ids.Count >= page.Limit) break;
                ids = [];
            }
        }
        if (ids.Count == 0) ids = await page.ApplyAsync(HomeQuery(db, v, null), s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
        LinkHeader.Set(http, ids.Count == 0 ? null : ids[0], ids.Count == 0 ? null : ids[^1]);
        var statuses = await renderer.LoadAsync(ids, ct);
        return TypedResults.Ok(await renderer.RenderManyAsync(v, statuses, ct));
    }

    /// <summary>
    /// The home timeline: visible statuses whose author is the viewer or someone the viewer follows, or that are
    /// addressed to a team the viewer follows. The author/team condition is also written as an id subquery so that
    /// SQLite drives the query from the (AccountId, Id) and (AudienceTeamId, Id) indexes instead of scanning every
    /// visible post; the full condition is still applied to each row.
    /// </summary>
    private static IQueryable<Status> HomeQuery(GazouilleDb db, Viewer v, long? after)
    {
        var me = v.AccountId;
        var following = v.FollowingIds;
        var teams = v.FollowedTeamIds;
        var candidates = db.Statuses.Where(c => c.AccountId == me || following.Contains(c.AccountId)
            || (c.AudienceTeamId != null && teams.Contains(c.AudienceTeamId.Value)));
        if (after is { } a) candidates = candidates.Where(c => c.Id > a);
        var candidateIds = candidates.Select(c => c.Id);
        return Visible(db, v).Where(s => candidateIds.Contains(s.Id)).Where(s => s.AccountId == me || following.Contains(s.AccountId)
            || (s.AudienceTeamId != null && teams.Contains(s.AudienceTeamId.Value) && s.ReblogOfId == null));
    }

    private static Task<Ok<List<StatusEntity>>> Public(HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var query = Visible(db, http.Viewer()).Where(s => s.AudienceKind == AudienceKind.Public && s.Listed && s.ReblogOfId == null);
        return PageAsync(http, p, query, renderer, ct);
    }

    private static Task<Ok<List<StatusEntity>>> Company(HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var query = Visible(db, http.Viewer()).Where(s => (s.AudienceKind == AudienceKind.Company || s.AudienceKind == AudienceKind.Public) && s.Listed && s.ReblogOfId == null);
        return PageAsync(http, p, query, renderer, ct);
    }

    private static async Task<Results<Ok<List<StatusEntity>>, NotFound<ApiError>>> Team(string handle, HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var h = handle.ToLowerInvariant();
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null || (viewer.IsGuest && !viewer.GrantedTeamIds.Contains(team.Id))) return TypedResults.NotFound(ApiError.NotFound);
        var query = Visible(db, viewer).Where(s => s.AudienceTeamId == team.Id && s.ReblogOfId == null);
        return await PageAsync(http, p, query, renderer, ct);
    }

    private static Task<Ok<List<StatusEntity>>> Tag(string hashtag, HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var tag = hashtag.TrimStart('#').ToLowerInvariant();
        var query = Visible(db, http.Viewer()).Where(s => s.Tags.Any(t => t.Name == tag) && s.ReblogOfId == null);
        return PageAsync(http, p, query, renderer, ct);
    }

    private static async Task<Ok<List<StatusEntity>>> Favourites(HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var me = viewer.AccountId;
        var visible = Visible(db, viewer);
        var page = PageRequest.From(p);
        var rows = await page.ApplyAsync(db.Favourites.Where(f => f.AccountId == me && visible.Any(s => s.Id == f.StatusId)), f => f.Id,
            q => q.Select(f => new { f.Id, f.StatusId }).ToListAsync(ct));
        LinkHeader.Set(http, rows.FirstOrDefault()?.Id, rows.LastOrDefault()?.Id);
        return TypedResults.Ok(await renderer.RenderManyAsync(viewer, await renderer.LoadAsync(rows.Select(r => r.StatusId).ToList(), ct), ct));
    }

    private static async Task<Ok<List<StatusEntity>>> Bookmarks(HttpContext http, ApiParams p, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var me = viewer.AccountId;
        var visible = Visible(db, viewer);
        var page = PageRequest.From(p);
        var rows = await page.ApplyAsync(db.Bookmarks.Where(f => f.AccountId == me && visible.Any(s => s.Id == f.StatusId)), f => f.Id,
            q => q.Select(f => new { f.Id, f.StatusId }).ToListAsync(ct));
        LinkHeader.Set(http, rows.FirstOrDefault()?.Id, rows.LastOrDefault()?.Id);
        return TypedResults.Ok(await renderer.RenderManyAsync(viewer, await renderer.LoadAsync(rows.Select(r => r.StatusId).ToList(), ct), ct));
    }
}
