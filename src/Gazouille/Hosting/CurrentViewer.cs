using System.Security.Claims;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Gazouille.Hosting;

/// <summary>Loads the <see cref="Viewer"/> of a request from the database at read time (grants, follows, teams).</summary>
public sealed class ViewerLoader(GazouilleDb db, TimeProvider clock, ViewerLoader.Queries queries, AccessCache cache, AccessCache.RequestEpoch epoch)
{
    public Task<Viewer?> LoadAsync(long accountId, CancellationToken ct = default) => LoadAsync(accountId, null, ct);

    /// <summary>
    /// Who a signed-in request is, from <see cref="AccessCache"/> when nothing it depends on changed since it was read
    /// (employees; with Redis, while no node changed anyone's access), else from the database.
    /// </summary>
    public async Task<Viewer?> CurrentAsync(long accountId, string? securityStamp, CancellationToken ct)
    {
        var seen = await epoch.ReadAsync();
        if (cache.TryGetViewer(accountId, securityStamp, seen, out var known)) return known;
        var since = cache.Start();
        var viewer = await LoadAsync(accountId, securityStamp, ct);
        if (viewer is not null) cache.StoreViewer(securityStamp, viewer, since, seen);
        return viewer;
    }

    /// <param name="securityStamp">For a browser session: the stamp in its cookie, which must still be the account's
    /// (an administrator's "end sessions" changes it).</param>
    public async Task<Viewer?> LoadAsync(long accountId, string? securityStamp, CancellationToken ct)
    {
        // One round trip for the account and its relations (this runs on every signed-in request): the account's own
        // row is two tagged rows (its organization, and role + suspension, pending approval or a stale session), then its teams, followed
        // teams and follows.
        var rows = new List<Row>();
        await foreach (var row in queries.AccountRows(db, accountId, securityStamp).WithCancellation(ct)) rows.Add(row);
        var self = rows.FirstOrDefault(r => r.Kind == SelfRow);
        if (self is null || self.Value >= RefusedFlag) return null;
        var role = (AccountRole)self.Value;
        var org = rows.First(r => r.Kind == OrgRow).Value;
        long[] Of(int kind) => rows.Where(r => r.Kind == kind).Select(r => r.Value).ToArray();

        if (org == 0)
            return new Viewer(accountId, ViewerKind.Employee, role, 0, Of(TeamRow), Of(FollowingRow), Of(FollowedTeamRow), [], []);

        var granted = await ActiveGrantedTeamsAsync(org, ct);
        var visibleEmployees = granted.Length == 0
            ? []
            : await db.TeamMembers.Where(m => granted.Contains(m.TeamId)).Select(m => m.AccountId).Distinct().ToArrayAsync(ct);
        // A guest reads its granted channels only; following people gives it nothing more.
        return new Viewer(accountId, ViewerKind.Guest, AccountRole.Employee, org, [], [], Of(FollowedTeamRow).Intersect(granted).ToArray(), granted, visibleEmployees);
    }

    /// <summary>A tagged row (a member initializer, not a constructor: EF translates only those inside UNION ALL).</summary>
    internal sealed class Row
    {
        public int Kind { get; init; }
        public long Value { get; init; }
    }

    /// <summary>
    /// Compiled once per server (a singleton, not a static: a compiled query belongs to one model, and one process may
    /// host servers on SQLite and on PostgreSQL, as the tests do). This runs on every signed-in request, and EF's
    /// per-execution work (parameter extraction, query cache lookup) was a tenth of a trivial authenticated request.
    /// </summary>
    public sealed class Queries
    {
        internal readonly Func<GazouilleDb, long, string?, IAsyncEnumerable<Row>> AccountRows = EF.CompileAsyncQuery(
        (GazouilleDb db, long accountId, string? securityStamp) =>
            db.Users.Where(a => a.Id == accountId)
                .Select(a => new Row { Kind = OrgRow, Value = a.PartnerOrgId ?? 0 })
            .Concat(db.Users.Where(a => a.Id == accountId)
                .Select(a => new Row
                {
                    Kind = SelfRow,
                    Value = (long)a.Role + (a.Suspended || a.PendingApproval || (securityStamp != null && a.SecurityStamp != securityStamp) ? RefusedFlag : 0),
                }))
            .Concat(db.TeamMembers.Where(m => m.AccountId == accountId).Select(m => new Row { Kind = TeamRow, Value = m.TeamId }))
            .Concat(db.TeamFollows.Where(f => f.AccountId == accountId).Select(f => new Row { Kind = FollowedTeamRow, Value = f.TeamId }))
            .Concat(db.Follows.Where(f => f.FollowerId == accountId).Select(f => new Row { Kind = FollowingRow, Value = f.TargetId })));
    }

    /// <summary>Added to the role when the account is suspended or awaits approval, or the session's security stamp is no longer the account's.</summary>
    private const long RefusedFlag = 1_000;

    private const int OrgRow = 0, SelfRow = 1, TeamRow = 2, FollowedTeamRow = 3, FollowingRow = 4;

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
            // A browser session carries the account's security stamp; tokens are revoked in their own stores.
            var stamp = http.User.Identity.AuthenticationType == Features.OAuth.ScopeHandler.CookieScheme
                ? http.User.FindFirstValue("AspNet.Identity.SecurityStamp") : null;
            var viewer = await loader.CurrentAsync(id, stamp, http.RequestAborted);
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
