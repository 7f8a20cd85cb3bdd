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

/// <summary>Favourites, boosts and bookmarks, and who favourited or boosted — each only on statuses the viewer may read.</summary>
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

    private static async Task<Status> FindTargetAsync(string id, HttpContext http, StatusFinder finder, CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(http.Viewer(), id, ct) ?? throw ApiException.NotFound();
        if (status.State != StatusState.Published) throw ApiException.NotFound();
        return status.ReblogOf ?? status;
    }

    private static async Task<Ok<StatusEntity>> Render(HttpContext http, StatusRenderer renderer, long id, CancellationToken ct)
    {
        var loaded = await renderer.LoadAsync([id], ct);
        return TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), loaded[0], ct));
    }

    private static async Task<Ok<StatusEntity>> Favourite(string id, HttpContext http, StatusFinder finder, GazouilleDb db, Notifier notifier, StatusRenderer renderer, CancellationToken ct)
    {
        var status = await FindTargetAsync(id, http, finder, ct);
        var me = http.Viewer().AccountId;
        if (!await db.Favourites.AnyAsync(f => f.AccountId == me && f.StatusId == status.Id, ct))
        {
            db.Favourites.Add(new Favourite { Id = Snowflake.NewId(), AccountId = me, StatusId = status.Id, CreatedAt = DateTimeOffset.UtcNow });
            await notifier.NotifyAsync(status.AccountId, me, "favourite", status, ct);
            await SaveIgnoringDuplicateAsync(db, ct);
        }
        return await Render(http, renderer, status.Id, ct);
    }

    private static async Task<Ok<StatusEntity>> Unfavourite(string id, HttpContext http, StatusFinder finder, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var status = await FindTargetAsync(id, http, finder, ct);
        var me = http.Viewer().AccountId;
        await db.Favourites.Where(f => f.AccountId == me && f.StatusId == status.Id).ExecuteDeleteAsync(ct);
        await db.Notifications.Where(n => n.FromAccountId == me && n.StatusId == status.Id && n.Type == "favourite").ExecuteDeleteAsync(ct);
        return await Render(http, renderer, status.Id, ct);
    }

    private static async Task<Ok<StatusEntity>> Reblog(string id, HttpContext http, StatusFinder finder, GazouilleDb db, Notifier notifier, StatusRenderer renderer, CancellationToken ct)
    {
        var original = await FindTargetAsync(id, http, finder, ct);
        var viewer = http.Viewer();
        if (original.AudienceKind == AudienceKind.Direct)
            throw ApiException.Unprocessable("Validation failed: a direct message cannot be boosted");
        if (original.AudienceKind == AudienceKind.Followers)
            throw ApiException.Unprocessable("Validation failed: a followers-only post cannot be boosted");
        if (viewer.IsGuest && original.AudienceKind != AudienceKind.Partners)
            throw ApiException.Unprocessable("Validation failed: guests boost only within the partner channels shared with them");
        var existing = await db.Statuses.Where(s => s.AccountId == viewer.AccountId && s.ReblogOfId == original.Id).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct);
        if (existing is { } boostId) return await Render(http, renderer, boostId, ct);

        // A boost copies the original's audience, so it never reaches further (I2); a guest's stays within its org (I3).
        var now = DateTimeOffset.UtcNow;
        var boost = new Status
        {
            Id = Snowflake.NewId(now), AccountId = viewer.AccountId, ReblogOfId = original.Id, AudienceKind = original.AudienceKind,
            AudienceTeamId = original.AudienceTeamId, AudienceOwnerId = original.AudienceOwnerId, Listed = original.Listed,
            State = StatusState.Published, CreatedAt = now, Language = original.Language,
        };
        boost.ThreadId = boost.Id;
        var orgs = viewer.IsGuest ? [viewer.PartnerOrgId] : original.AudienceOrgs.Select(o => o.PartnerOrgId).ToArray();
        boost.AudienceOrgs = orgs.Select(o => new StatusAudienceOrg { StatusId = boost.Id, PartnerOrgId = o }).ToList();
        db.Statuses.Add(boost);
        await notifier.NotifyAsync(original.AccountId, viewer.AccountId, "reblog", boost.AudienceOrgs.Count > 0 && viewer.IsGuest ? boost : original, ct);
        await db.SaveChangesAsync(ct);
        return await Render(http, renderer, boost.Id, ct);
    }

    private static async Task<Ok<StatusEntity>> Unreblog(string id, HttpContext http, StatusFinder finder, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var original = await FindTargetAsync(id, http, finder, ct);
        var me = http.Viewer().AccountId;
        var boosts = await db.Statuses.Where(s => s.AccountId == me && s.ReblogOfId == original.Id).Select(s => s.Id).ToListAsync(ct);
        await db.Notifications.Where(n => n.StatusId != null && boosts.Contains(n.StatusId.Value)).ExecuteDeleteAsync(ct);
        await db.Notifications.Where(n => n.FromAccountId == me && n.StatusId == original.Id && n.Type == "reblog").ExecuteDeleteAsync(ct);
        await db.StatusAudienceOrgs.Where(o => boosts.Contains(o.StatusId)).ExecuteDeleteAsync(ct);
        await db.Statuses.Where(s => boosts.Contains(s.Id)).ExecuteDeleteAsync(ct);
        return await Render(http, renderer, original.Id, ct);
    }

    private static async Task<Ok<StatusEntity>> Bookmark(string id, HttpContext http, StatusFinder finder, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var status = await FindTargetAsync(id, http, finder, ct);
        var me = http.Viewer().AccountId;
        if (!await db.Bookmarks.AnyAsync(b => b.AccountId == me && b.StatusId == status.Id, ct))
        {
            db.Bookmarks.Add(new Bookmark { Id = Snowflake.NewId(), AccountId = me, StatusId = status.Id, CreatedAt = DateTimeOffset.UtcNow });
            await SaveIgnoringDuplicateAsync(db, ct);
        }
        return await Render(http, renderer, status.Id, ct);
    }

    private static async Task<Ok<StatusEntity>> Unbookmark(string id, HttpContext http, StatusFinder finder, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        var status = await FindTargetAsync(id, http, finder, ct);
        var me = http.Viewer().AccountId;
        await db.Bookmarks.Where(b => b.AccountId == me && b.StatusId == status.Id).ExecuteDeleteAsync(ct);
        return await Render(http, renderer, status.Id, ct);
    }

    private static async Task<Ok<List<AccountEntity>>> FavouritedBy(string id, HttpContext http, ApiParams p, StatusFinder finder, GazouilleDb db, AccountRenderer accounts, CancellationToken ct)
    {
        var status = await FindTargetAsync(id, http, finder, ct);
        var viewer = http.Viewer();
        var page = PageRequest.From(p, 40, 80);
        var visibleAccounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));
        var favs = await page.ApplyAsync(db.Favourites.Where(f => f.StatusId == status.Id && visibleAccounts.Any(a => a.Id == f.AccountId)), f => f.Id, q => q.ToListAsync(ct));
        var people = await db.Users.AsNoTracking().Where(a => favs.Select(f => f.AccountId).Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        LinkHeader.Set(http, favs.FirstOrDefault()?.Id, favs.LastOrDefault()?.Id);
        return TypedResults.Ok(await accounts.RenderManyAsync(viewer, favs.Select(f => people[f.AccountId]).ToList(), ct: ct));
    }

    private static async Task<Ok<List<AccountEntity>>> RebloggedBy(string id, HttpContext http, ApiParams p, StatusFinder finder, GazouilleDb db, AccountRenderer accounts, CancellationToken ct)
    {
        var status = await FindTargetAsync(id, http, finder, ct);
        var viewer = http.Viewer();
        var page = PageRequest.From(p, 40, 80);
        var boosts = await page.ApplyAsync(db.Statuses.Where(Visibility.StatusesVisibleTo(viewer)).Where(s => s.ReblogOfId == status.Id), s => s.Id,
            q => q.Select(s => new { s.Id, s.AccountId }).ToListAsync(ct));
        var ids = boosts.Select(b => b.AccountId).ToList();
        var people = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(viewer)).Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        LinkHeader.Set(http, boosts.FirstOrDefault()?.Id, boosts.LastOrDefault()?.Id);
        return TypedResults.Ok(await accounts.RenderManyAsync(viewer, boosts.Where(b => people.ContainsKey(b.AccountId)).Select(b => people[b.AccountId]).ToList(), ct: ct));
    }

    private static async Task SaveIgnoringDuplicateAsync(GazouilleDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same favourite or bookmark arrived twice at once; one row is what both wanted.
            db.ChangeTracker.Clear();
        }
    }
}
