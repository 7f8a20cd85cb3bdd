using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Media;
using Gazouille.Features.Notifications;
using Gazouille.Features.OAuth;
using Gazouille.Features.Search;
using Gazouille.Features.Statuses;
using Gazouille.Features.Timelines;
using Gazouille.Features.RateLimits;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/accounts").WithTags("Accounts");
        group.MapGet("/verify_credentials", VerifyCredentials).RequireScope("read:accounts");
        group.MapMethods("/update_credentials", ["PATCH", "PUT"], UpdateCredentials).RequireScope("write:accounts").RequireRateLimit(RateLimitBucket.Uploads);
        group.MapGet("/lookup", Lookup);
        group.MapGet("/search", Search).RequireScope("read:accounts");
        group.MapGet("/relationships", Relationships).RequireScope("read:follows");
        group.MapGet("/{id}", Get);
        group.MapGet("/{id}/statuses", Statuses);
        group.MapGet("/{id}/followers", Followers);
        group.MapGet("/{id}/following", Following);
        group.MapPost("/{id}/follow", Follow).RequireScope("write:follows");
        group.MapPost("/{id}/unfollow", Unfollow).RequireScope("write:follows");
        return group;
    }

    private static async Task<Account?> FindVisibleAsync(GazouilleDb db, Viewer viewer, string rawId, CancellationToken ct) =>
        Ids.TryParse(rawId, out var id)
            ? await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(viewer)).FirstOrDefaultAsync(a => a.Id == id, ct)
            : null;

    private static async Task<Ok<AccountEntity>> VerifyCredentials(HttpContext http, GazouilleDb db, AccountRenderer renderer, CancellationToken ct)
    {
        var me = await db.Users.AsNoTracking().FirstAsync(a => a.Id == http.Viewer().AccountId, ct);
        return TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), me, withSource: true, ct));
    }

    private static async Task<Ok<AccountEntity>> UpdateCredentials(HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer renderer, ProfileEditor profiles, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var me = await db.Users.FirstAsync(a => a.Id == viewer.AccountId, ct);
        try
        {
            await profiles.ApplyAsync(me, p.Get("display_name"), p.Get("note"), p.Get("leak_guard_override"), ct);
        }
        catch (ApiException e) when (e.Message.Contains(Trust.ImpersonationGuard.Refusal, StringComparison.Ordinal))
        {
            throw new ApiException(e.Status, Trust.ImpersonationGuard.InLanguage(e.Message, me.Language, http.Request));
        }
        if (p.Get("source[language]") is { Length: > 0 } language)
        {
            language = language.Trim().ToLowerInvariant();
            if (language is not ("fr" or "en")) throw ApiException.Unprocessable("Validation failed: language must be fr or en");
            me.Language = language;
        }
        var audience = p.Get("source[audience]") ?? p.Get("source[privacy]") switch
        {
            "public" or "unlisted" => "company",
            "private" => "followers",
            "direct" => "direct",
            null or "" => null,
            _ => throw ApiException.Unprocessable("Validation failed: source[privacy] must be public, unlisted, private or direct"),
        };
        if (audience is not null)
        {
            if (!AudienceSpec.TryParse(audience, out var spec, out var error)) throw ApiException.Unprocessable("Validation failed: " + error);
            if (viewer.IsGuest && spec.Kind is not (AudienceKind.Partners or AudienceKind.Direct))
                throw ApiException.Unprocessable("Validation failed: guests post to partner channels only");
            var formatted = AudienceSpec.Format(spec.Kind, spec.Team, spec.Orgs);
            if (formatted.Length > Account.DefaultAudienceMaxLength)
                throw ApiException.Unprocessable($"Validation failed: source[audience] is longer than {Account.DefaultAudienceMaxLength} characters; name fewer organizations");
            me.DefaultAudience = formatted;
        }
        await profiles.SaveAsync(me, p.GetFile("avatar"), ct);
        return TypedResults.Ok(await renderer.RenderAsync(viewer, me, withSource: true, ct));
    }

    private static async Task<Results<Ok<AccountEntity>, NotFound<ApiError>>> Get(string id, HttpContext http, GazouilleDb db, AccountRenderer renderer, CancellationToken ct)
    {
        var account = await FindVisibleAsync(db, http.Viewer(), id, ct);
        return account is null ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), account, ct: ct));
    }

    private static async Task<Results<Ok<AccountEntity>, NotFound<ApiError>>> Lookup(HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer renderer, InstanceUrls urls, CancellationToken ct)
    {
        var acct = (p.Get("acct") ?? "").Trim().TrimStart('@');
        var at = acct.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!string.Equals(acct[(at + 1)..], urls.Host, StringComparison.OrdinalIgnoreCase)) return TypedResults.NotFound(ApiError.NotFound);
            acct = acct[..at];
        }
        var normalized = acct.ToUpperInvariant();
        var account = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(http.Viewer())).FirstOrDefaultAsync(a => a.NormalizedUserName == normalized, ct);
        return account is null ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), account, ct: ct));
    }

    private static async Task<Ok<List<AccountEntity>>> Search(HttpContext http, ApiParams p, SearchService search, AccountRenderer renderer, CancellationToken ct)
    {
        var found = await search.AccountsAsync(http.Viewer(), SearchApi.Read(p, 40, 80), ct);
        return TypedResults.Ok(await renderer.RenderManyAsync(http.Viewer(), found, ct: ct));
    }

    private static async Task<Ok<List<RelationshipEntity>>> Relationships(HttpContext http, ApiParams p, GazouilleDb db, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var ids = p.GetAll("id").Select(r => Ids.TryParse(r, out var id) ? id : 0).Where(id => id > 0).Distinct().Take(100).ToList();
        var visible = await db.Users.Where(Visibility.AccountsVisibleTo(viewer)).Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        var me = viewer.AccountId;
        var followedBy = await db.Follows.Where(f => f.TargetId == me && visible.Contains(f.FollowerId)).Select(f => f.FollowerId).ToListAsync(ct);
        return TypedResults.Ok(visible.Select(id => new RelationshipEntity(Ids.Format(id), viewer.FollowingIds.Contains(id), true, false, [],
            followedBy.Contains(id), false, false, false, false, false, false, false, false, "")).ToList());
    }

    private static async Task<Results<Ok<List<StatusEntity>>, NotFound<ApiError>>> Statuses(string id, HttpContext http, ApiParams p, GazouilleDb db, TimelineReader timelines, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var account = await FindVisibleAsync(db, viewer, id, ct);
        if (account is null) return TypedResults.NotFound(ApiError.NotFound);
        if (p.GetBool("pinned") == true || p.GetBool("only_media") == true) return TypedResults.Ok(new List<StatusEntity>());
        var query = timelines.Account(viewer, account.Id, p.GetBool("exclude_replies") == true, p.GetBool("exclude_reblogs") == true, p.Get("tagged"));
        var ids = await timelines.PageAsync(query, PageRequest.From(p), ct);
        LinkHeader.Set(http, ids.Count == 0 ? null : ids[0], ids.Count == 0 ? null : ids[^1]);
        return TypedResults.Ok(await renderer.RenderManyAsync(viewer, await renderer.LoadAsync(ids, ct), ct));
    }

    private static async Task<Results<Ok<List<AccountEntity>>, NotFound<ApiError>>> Followers(string id, HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer renderer, CancellationToken ct) =>
        await FollowListAsync(id, http, p, db, renderer, followers: true, ct);

    private static async Task<Results<Ok<List<AccountEntity>>, NotFound<ApiError>>> Following(string id, HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer renderer, CancellationToken ct) =>
        await FollowListAsync(id, http, p, db, renderer, followers: false, ct);

    private static async Task<Results<Ok<List<AccountEntity>>, NotFound<ApiError>>> FollowListAsync(string id, HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer renderer, bool followers, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var account = await FindVisibleAsync(db, viewer, id, ct);
        if (account is null) return TypedResults.NotFound(ApiError.NotFound);
        var visible = db.Users.Where(Visibility.AccountsVisibleTo(viewer));
        var query = followers
            ? db.Follows.Where(f => f.TargetId == account.Id && visible.Any(a => a.Id == f.FollowerId)).Select(f => new { f.Id, Other = f.FollowerId })
            : db.Follows.Where(f => f.FollowerId == account.Id && visible.Any(a => a.Id == f.TargetId)).Select(f => new { f.Id, Other = f.TargetId });
        var rows = await PageRequest.From(p, 40, 80).ApplyAsync(query, f => f.Id, q => q.ToListAsync(ct));
        var others = rows.Select(r => r.Other).ToList();
        var people = await db.Users.AsNoTracking().Where(a => others.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        LinkHeader.Set(http, rows.FirstOrDefault()?.Id, rows.LastOrDefault()?.Id);
        return TypedResults.Ok(await renderer.RenderManyAsync(viewer, rows.Select(r => people[r.Other]).ToList(), ct: ct));
    }

    private static async Task<Results<Ok<RelationshipEntity>, NotFound<ApiError>>> Follow(string id, HttpContext http, GazouilleDb db, FollowGraph follows, CancellationToken ct)
    {
        var target = await FindVisibleAsync(db, http.Viewer(), id, ct);
        if (target is null) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok(await follows.FollowAsync(http.Viewer(), target.Id, ct));
    }

    private static async Task<Results<Ok<RelationshipEntity>, NotFound<ApiError>>> Unfollow(string id, HttpContext http, GazouilleDb db, FollowGraph follows, CancellationToken ct)
    {
        var target = await FindVisibleAsync(db, http.Viewer(), id, ct);
        if (target is null) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok(await follows.UnfollowAsync(http.Viewer(), target.Id, ct));
    }
}
