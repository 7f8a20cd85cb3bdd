using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Teams;

public sealed record TeamEntity(string Id, string Handle, string Name, string Description, string Url, int MembersCount, bool Member, bool Lead, bool Following)
{
    /// <summary>Marked official by an administrator (<c>admin verify-account</c>).</summary>
    public bool Official { get; init; }
}

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

    private static async Task<Ok<List<TeamEntity>>> List(HttpContext http, GazouilleDb db, TeamDirectory directory, CancellationToken ct)
    {
        var list = await directory.Visible(http.Viewer()).OrderBy(t => t.Handle).Take(500).ToListAsync(ct);
        return TypedResults.Ok(await directory.RenderAsync(http.Viewer(), list, ct));
    }

    private static async Task<Results<Ok<TeamEntity>, NotFound<ApiError>>> Get(string handle, HttpContext http, GazouilleDb db, TeamDirectory directory, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await directory.Visible(http.Viewer()).FirstOrDefaultAsync(t => t.Handle == h, ct);
        return team is null ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok((await directory.RenderAsync(http.Viewer(), [team], ct))[0]);
    }

    private static async Task<Results<Ok<List<AccountEntity>>, NotFound<ApiError>>> Members(string handle, HttpContext http, ApiParams p, GazouilleDb db, TeamDirectory directory, AccountRenderer renderer, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await directory.Visible(http.Viewer()).FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null) return TypedResults.NotFound(ApiError.NotFound);
        var limit = Math.Clamp(p.GetInt("limit") ?? 40, 1, 80);
        var offset = Math.Max(p.GetInt("offset") ?? 0, 0);
        var people = await db.TeamMembers.Where(m => m.TeamId == team.Id).OrderByDescending(m => m.IsLead).ThenBy(m => m.AccountId)
            .Skip(offset).Take(limit).Select(m => m.Account!).AsNoTracking().ToListAsync(ct);
        return TypedResults.Ok(await renderer.RenderManyAsync(http.Viewer(), people, ct: ct));
    }

    private static async Task<Results<Ok<TeamEntity>, NotFound<ApiError>>> Follow(string handle, HttpContext http, TeamDirectory directory, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await directory.Visible(http.Viewer()).FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok(await directory.FollowAsync(http.Viewer(), team, ct));
    }

    private static async Task<Results<Ok<TeamEntity>, NotFound<ApiError>>> Unfollow(string handle, HttpContext http, TeamDirectory directory, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await directory.Visible(http.Viewer()).FirstOrDefaultAsync(t => t.Handle == h, ct);
        if (team is null) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok(await directory.UnfollowAsync(http.Viewer(), team, ct));
    }
}
