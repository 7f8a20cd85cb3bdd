using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Teams;

public sealed record TeamEntity(string Id, string Handle, string Name, string Description, string Url, int MembersCount, bool Member, bool Lead, bool Following);

/// <summary>Teams (a Gazouille extension): a guest sees only the teams that grant its organization (I5).</summary>
public static class TeamsApi
{
    public static RouteGroupBuilder MapTeamsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/teams").WithTags("Teams").RequireScope("read:accounts");
        group.MapGet("/", List);
        group.MapGet("/{handle}", Get);
        group.MapGet("/{handle}/members", Members);
        group.MapPost("/{handle}/follow", Follow).RequireScope("write:follows");
        group.MapPost("/{handle}/unfollow", Unfollow).RequireScope("write:follows");
        return group;
    }

    private static IQueryable<Team> Visible(GazouilleDb db, Viewer viewer)
    {
        var granted = viewer.GrantedTeamIds;
        return viewer.IsEmployee ? db.Teams.AsNoTracking() : db.Teams.AsNoTracking().Where(t => granted.Contains(t.Id));
    }

    private static async Task<List<TeamEntity>> RenderAsync(GazouilleDb db, Viewer viewer, InstanceUrls urls, List<Team> teams, CancellationToken ct)
    {
        var ids = teams.Select(t => t.Id).ToList();
        var counts = await db.TeamMembers.Where(m => ids.Contains(m.TeamId)).GroupBy(m => m.TeamId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var me = viewer.AccountId;
        var leads = await db.TeamMembers.Where(m => m.AccountId == me && m.IsLead && ids.Contains(m.TeamId)).Select(m => m.TeamId).ToListAsync(ct);
        return teams.Select(t => new TeamEntity(Ids.Format(t.Id), t.Handle, t.Name, t.Description, urls.Team(t.Handle), counts.GetValueOrDefault(t.Id),
            viewer.TeamIds.Contains(t.Id), leads.Contains(t.Id), viewer.FollowedTeamIds.Contains(t.Id))).ToList();
    }

    private static async Task<Ok<List<TeamEntity>>> List(HttpContext http, GazouilleDb db, InstanceUrls urls, CancellationToken ct)
    {
        var teams = await Visible(db, http.Viewer()).OrderBy(t => t.Handle).Take(500).ToListAsync(ct);
        return TypedResults.Ok(await RenderAsync(db, http.Viewer(), urls, teams, ct));
    }

    private static async Task<Results<Ok<TeamEntity>, NotFound<ApiError>>> Get(string handle, HttpContext http, GazouilleDb db, InstanceUrls urls, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await Visible(db, http.Viewer()).FirstOrDefaultAsync(t => t.Handle == h, ct);
        return team is null ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok((await RenderAsync(db, http.Viewer(), urls, [team], ct))[0]);
    }

    private static async Task<Results<Ok<List<AccountEntity>>, NotFound<ApiError>>> Members(string handle, HttpContext http, ApiParams p, GazouilleDb db, AccountRenderer renderer, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await Visible(db, http.Viewer()).FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null) return TypedResults.NotFound(ApiError.NotFound);
        var limit = Math.Clamp(p.GetInt("limit") ?? 40, 1, 80);
        var offset = Math.Max(p.GetInt("offset") ?? 0, 0);
        var people = await db.TeamMembers.Where(m => m.TeamId == team.Id).OrderByDescending(m => m.IsLead).ThenBy(m => m.AccountId)
            .Skip(offset).Take(limit).Select(m => m.Account!).AsNoTracking().ToListAsync(ct);
        return TypedResults.Ok(await renderer.RenderManyAsync(http.Viewer(), people, ct: ct));
    }

    private static async Task<Results<Ok<TeamEntity>, NotFound<ApiError>>> Follow(string handle, HttpContext http, GazouilleDb db, InstanceUrls urls, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var h = handle.ToLowerInvariant();
        var team = await Visible(db, viewer).FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null) return TypedResults.NotFound(ApiError.NotFound);
        if (!await db.TeamFollows.AnyAsync(f => f.TeamId == team.Id && f.AccountId == viewer.AccountId, ct))
        {
            db.TeamFollows.Add(new TeamFollow { TeamId = team.Id, AccountId = viewer.AccountId, CreatedAt = DateTimeOffset.UtcNow });
            try { await db.SaveChangesAsync(ct); } catch (DbUpdateException) { db.ChangeTracker.Clear(); }
        }
        var updated = viewer with { FollowedTeamIds = [.. viewer.FollowedTeamIds, team.Id] };
        return TypedResults.Ok((await RenderAsync(db, updated, urls, [team], ct))[0]);
    }

    private static async Task<Results<Ok<TeamEntity>, NotFound<ApiError>>> Unfollow(string handle, HttpContext http, GazouilleDb db, InstanceUrls urls, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var h = handle.ToLowerInvariant();
        var team = await Visible(db, viewer).FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null) return TypedResults.NotFound(ApiError.NotFound);
        await db.TeamFollows.Where(f => f.TeamId == team.Id && f.AccountId == viewer.AccountId).ExecuteDeleteAsync(ct);
        var updated = viewer with { FollowedTeamIds = viewer.FollowedTeamIds.Where(t => t != team.Id).ToArray() };
        return TypedResults.Ok((await RenderAsync(db, updated, urls, [team], ct))[0]);
    }
}
