using System.Security.Claims;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Gazouille.Hosting;

/// <summary>Loads the <see cref="Viewer"/> of a request from the database at read time (grants, follows, teams).</summary>
public sealed class ViewerLoader(GazouilleDb db, TimeProvider clock)
{
    public async Task<Viewer?> LoadAsync(long accountId, CancellationToken ct = default)
    {
        var account = await db.Users.AsNoTracking()
            .Where(a => a.Id == accountId)
            .Select(a => new { a.Id, a.Role, a.PartnerOrgId, a.Suspended, a.PendingApproval })
            .FirstOrDefaultAsync(ct);
        if (account is null || account.Suspended || account.PendingApproval) return null;

        var teams = await db.TeamMembers.Where(m => m.AccountId == accountId).Select(m => m.TeamId).ToArrayAsync(ct);
        var followedTeams = await db.TeamFollows.Where(f => f.AccountId == accountId).Select(f => f.TeamId).ToArrayAsync(ct);
        if (account.PartnerOrgId is not { } org)
        {
            var following = await db.Follows.Where(f => f.FollowerId == accountId).Select(f => f.TargetId).ToArrayAsync(ct);
            return new Viewer(accountId, ViewerKind.Employee, account.Role, 0, teams, following, followedTeams, [], []);
        }

        var granted = await ActiveGrantedTeamsAsync(org, ct);
        var visibleEmployees = granted.Length == 0
            ? []
            : await db.TeamMembers.Where(m => granted.Contains(m.TeamId)).Select(m => m.AccountId).Distinct().ToArrayAsync(ct);
        // A guest reads its granted channels only; following people gives it nothing more.
        return new Viewer(accountId, ViewerKind.Guest, AccountRole.Employee, org, [], [], followedTeams.Intersect(granted).ToArray(), granted, visibleEmployees);
    }

    public async Task<long[]> ActiveGrantedTeamsAsync(long partnerOrgId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var grants = await db.PartnerGrants.AsNoTracking()
            .Where(g => g.PartnerOrgId == partnerOrgId && g.RevokedAt == null)
            .Select(g => new { g.TeamId, g.ExpiresAt })
            .ToListAsync(ct);
        return grants.Where(g => g.ExpiresAt is null || g.ExpiresAt > now).Select(g => g.TeamId).Distinct().ToArray();
    }
}

public static class ViewerHttpExtensions
{
    private const string ItemKey = "gazouille.viewer";

    public static Viewer Viewer(this HttpContext http) =>
        http.Items.TryGetValue(ItemKey, out var v) && v is Viewer viewer ? viewer : Data.Viewer.Anonymous;

    internal static void SetViewer(this HttpContext http, Viewer viewer) => http.Items[ItemKey] = viewer;

    public static long? AccountId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue(OpenIddictConstants.Claims.Subject), out var id) ? id : null;
}

/// <summary>
/// Resolves the signed-in account once per request. A token or cookie whose account is gone or suspended is answered
/// as an invalid token, so suspension ends every session at once.
/// </summary>
public sealed class ViewerMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http, ViewerLoader loader)
    {
        if (http.User.Identity?.IsAuthenticated == true && http.User.AccountId() is { } id)
        {
            var viewer = await loader.LoadAsync(id, http.RequestAborted);
            if (viewer is null)
            {
                if (ApiErrorMiddleware.IsApi(http.Request))
                {
                    http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await http.Response.WriteAsJsonAsync(Api.ApiError.Unauthorized, http.RequestAborted);
                    return;
                }
                http.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            else
            {
                http.SetViewer(viewer);
            }
        }
        await next(http);
    }
}
