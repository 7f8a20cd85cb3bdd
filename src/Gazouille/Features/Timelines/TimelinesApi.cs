using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Timelines;

/// <summary>Mastodon's timeline routes over <see cref="TimelineReader"/>.</summary>
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

    /// <summary>Renders a page of status ids, setting the Link header.</summary>
    private static async Task<StatusPage> RenderAsync(HttpContext http, List<long> ids, StatusRenderer renderer, CancellationToken ct)
    {
        LinkHeader.Set(http, ids.Count == 0 ? null : ids[0], ids.Count == 0 ? null : ids[^1]);
        return new StatusPage(await renderer.RenderPageAsync(http.Viewer(), ids, ct));
    }

    private static async Task<StatusPage> Home(HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct) =>
        await RenderAsync(http, await timelines.HomeAsync(http.Viewer(), PageRequest.From(p), ct), renderer, ct);

    private static async Task<StatusPage> Public(HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct) =>
        await RenderAsync(http, await timelines.PageAsync(timelines.Public(http.Viewer()), PageRequest.From(p), ct), renderer, ct);

    private static async Task<StatusPage> Company(HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct) =>
        await RenderAsync(http, await timelines.PageAsync(timelines.Company(http.Viewer()), PageRequest.From(p), ct), renderer, ct);

    private static async Task<Results<StatusPage, NotFound<ApiError>>> Team(string handle, HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct)
    {
        var query = await timelines.TeamAsync(http.Viewer(), handle, ct);
        if (query is null) return TypedResults.NotFound(ApiError.NotFound);
        return await RenderAsync(http, await timelines.PageAsync(query, PageRequest.From(p), ct), renderer, ct);
    }

    private static async Task<StatusPage> Tag(string hashtag, HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct) =>
        await RenderAsync(http, await timelines.PageAsync(timelines.Tag(http.Viewer(), hashtag), PageRequest.From(p), ct), renderer, ct);

    private static async Task<Ok<List<StatusEntity>>> Favourites(HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct)
    {
        var rows = await timelines.FavouritesAsync(http.Viewer(), PageRequest.From(p), ct);
        LinkHeader.Set(http, rows.Count == 0 ? null : rows[0].Id, rows.Count == 0 ? null : rows[^1].Id);
        return TypedResults.Ok(await renderer.RenderManyAsync(http.Viewer(), await renderer.LoadAsync(rows.Select(r => r.StatusId).ToList(), ct), ct));
    }

    private static async Task<Ok<List<StatusEntity>>> Bookmarks(HttpContext http, ApiParams p, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct)
    {
        var rows = await timelines.BookmarksAsync(http.Viewer(), PageRequest.From(p), ct);
        LinkHeader.Set(http, rows.Count == 0 ? null : rows[0].Id, rows.Count == 0 ? null : rows[^1].Id);
        return TypedResults.Ok(await renderer.RenderManyAsync(http.Viewer(), await renderer.LoadAsync(rows.Select(r => r.StatusId).ToList(), ct), ct));
    }
}
