using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Notifications;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Statuses;

/// <summary>Mastodon's favourite, boost and bookmark routes over <see cref="StatusInteractions"/>, and who favourited or boosted.</summary>
public static class StatusInteractionsApi
{
    public static RouteGroupBuilder MapStatusInteractions(this RouteGroupBuilder group)
    {
        group.MapPost("/{id}/favourite", Favourite).RequireScope("write:favourites");
        group.MapPost("/{id}/unfavourite", Unfavourite).RequireScope("write:favourites");
        group.MapPost("/{id}/reblog", Reblog).RequireScope("write:statuses");
        group.MapPost("/{id}/unreblog", Unreblog).RequireScope("write:statuses");
        group.MapPost("/{id}/bookmark", Bookmark).RequireScope("write:bookmarks");
        group.MapPost("/{id}/unbookmark", Unbookmark).RequireScope("write:bookmarks");
        group.MapGet("/{id}/favourited_by", FavouritedBy);
        group.MapGet("/{id}/reblogged_by", RebloggedBy);
        return group;
    }

    private static async Task<Ok<StatusEntity>> Render(HttpContext http, StatusRenderer renderer, long id, CancellationToken ct)
    {
        var loaded = await renderer.LoadAsync([id], ct);
        return TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), loaded[0], ct));
    }

    private static async Task<Ok<StatusEntity>> Favourite(string id, HttpContext http, StatusInteractions interactions, StatusRenderer renderer, CancellationToken ct) =>
        await Render(http, renderer, await interactions.FavouriteAsync(http.Viewer(), id, ct), ct);

    private static async Task<Ok<StatusEntity>> Unfavourite(string id, HttpContext http, StatusInteractions interactions, StatusRenderer renderer, CancellationToken ct) =>
        await Render(http, renderer, await interactions.UnfavouriteAsync(http.Viewer(), id, ct), ct);

    private static async Task<Ok<StatusEntity>> Reblog(string id, HttpContext http, StatusInteractions interactions, StatusRenderer renderer, CancellationToken ct) =>
        await Render(http, renderer, await interactions.ReblogAsync(http.Viewer(), id, ct), ct);

    private static async Task<Ok<StatusEntity>> Unreblog(string id, HttpContext http, StatusInteractions interactions, StatusRenderer renderer, CancellationToken ct) =>
        await Render(http, renderer, await interactions.UnreblogAsync(http.Viewer(), id, ct), ct);

    private static async Task<Ok<StatusEntity>> Bookmark(string id, HttpContext http, StatusInteractions interactions, StatusRenderer renderer, CancellationToken ct) =>
        await Render(http, renderer, await interactions.BookmarkAsync(http.Viewer(), id, ct), ct);

    private static async Task<Ok<StatusEntity>> Unbookmark(string id, HttpContext http, StatusInteractions interactions, StatusRenderer renderer, CancellationToken ct) =>
        await Render(http, renderer, await interactions.UnbookmarkAsync(http.Viewer(), id, ct), ct);

    private static async Task<Ok<List<AccountEntity>>> FavouritedBy(string id, HttpContext http, ApiParams p, StatusInteractions interactions, GazouilleDb db, AccountRenderer accounts, CancellationToken ct)
    {
        var status = await interactions.FindTargetAsync(http.Viewer(), id, ct);
        var viewer = http.Viewer();
        var page = PageRequest.From(p, 40, 80);
        var visibleAccounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));
        var favs = await page.ApplyAsync(db.Favourites.Where(f => f.StatusId == status.Id && visibleAccounts.Any(a => a.Id == f.AccountId)), f => f.Id, q => q.ToListAsync(ct));
        var people = await db.Users.AsNoTracking().Where(a => favs.Select(f => f.AccountId).Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        LinkHeader.Set(http, favs.FirstOrDefault()?.Id, favs.LastOrDefault()?.Id);
        return TypedResults.Ok(await accounts.RenderManyAsync(viewer, favs.Select(f => people[f.AccountId]).ToList(), ct: ct));
    }

    private static async Task<Ok<List<AccountEntity>>> RebloggedBy(string id, HttpContext http, ApiParams p, StatusInteractions interactions, GazouilleDb db, AccountRenderer accounts, CancellationToken ct)
    {
        var status = await interactions.FindTargetAsync(http.Viewer(), id, ct);
        var viewer = http.Viewer();
        var page = PageRequest.From(p, 40, 80);
        var boosts = await page.ApplyAsync(db.Statuses.Where(Visibility.StatusesVisibleTo(viewer)).Where(s => s.ReblogOfId == status.Id), s => s.Id,
            q => q.Select(s => new { s.Id, s.AccountId }).ToListAsync(ct));
        var ids = boosts.Select(b => b.AccountId).ToList();
        var people = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(viewer)).Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        LinkHeader.Set(http, boosts.FirstOrDefault()?.Id, boosts.LastOrDefault()?.Id);
        return TypedResults.Ok(await accounts.RenderManyAsync(viewer, boosts.Where(b => people.ContainsKey(b.AccountId)).Select(b => people[b.AccountId]).ToList(), ct: ct));
    }
}
