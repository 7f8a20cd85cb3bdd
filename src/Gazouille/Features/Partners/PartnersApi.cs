using System.Globalization;
using System.Text;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Admin;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Audit;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Partners;

public sealed record PartnerEntity(string Id, string Handle, string Name, string[] Domains, bool Verified, int GuestsCount);

public sealed record GrantEntity(
    string Id, string Team, string Partner, string PartnerName, string Rights, string GrantedAt, string? GrantedBy, string? ExpiresAt,
    int GuestsCount, string? LastActivityAt)
{
    /// <summary>For the pages; the API names the team by its handle.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string TeamName { get; init; } = "";
}

/// <summary>
/// Partner organizations, grants and the access review (who outside the company can read what, since when, granted by
/// whom, last activity). Admins manage everything; a team lead manages the grants of the teams they lead.
/// </summary>
public static class PartnersApi
{
    public static RouteGroupBuilder MapPartnersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/admin").WithTags("Partners");
        group.MapGet("/partners", ListPartners).RequireScope("read:accounts");
        group.MapPost("/partners", CreatePartner).RequireScope("write:accounts");
        group.MapPut("/partners/{handle}/domains", SetDomains).RequireScope("write:accounts");
        group.MapGet("/grants", AccessReview).RequireScope("read:accounts");
        group.MapPost("/grants", Grant).RequireScope("write:accounts");
        group.MapDelete("/grants/{id}", Revoke).RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/suspend", (string id, HttpContext http, AccountAdministration admin, CancellationToken ct) => SetSuspended(id, true, http, admin, ct))
            .RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/unsuspend", (string id, HttpContext http, AccountAdministration admin, CancellationToken ct) => SetSuspended(id, false, http, admin, ct))
            .RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/revoke_sessions", RevokeSessions).RequireScope("write:accounts");
        group.MapGet("/accounts/pending", PendingAccounts).RequireScope("read:accounts");
        group.MapPost("/accounts/{id}/approve", (string id, HttpContext http, AccountAdministration admin, CancellationToken ct) => Decide(id, true, http, admin, ct))
            .RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/reject", (string id, HttpContext http, AccountAdministration admin, CancellationToken ct) => Decide(id, false, http, admin, ct))
            .RequireScope("write:accounts");
        app.MapGet("/api/v1/gazouille/teams/{handle}/view_as/{partner}", ViewAs).WithTags("Partners").RequireScope("read:statuses");
        return group;
    }

    private static async Task<Ok<List<PartnerEntity>>> ListPartners(HttpContext http, PartnerAdministration partners, CancellationToken ct) =>
        TypedResults.Ok(await partners.ListAsync(http.Viewer(), null, int.MaxValue, ct));

    private static async Task<Ok<PartnerEntity>> CreatePartner(HttpContext http, ApiParams p, PartnerAdministration partners, CancellationToken ct) =>
        TypedResults.Ok(await partners.CreateAsync(http.Viewer(), p.Get("handle"), p.Get("name"), p.GetAll("domains").Concat(p.GetAll("domain")), ct));

    private static async Task<Ok<PartnerEntity>> SetDomains(string handle, HttpContext http, ApiParams p, PartnerAdministration partners, CancellationToken ct) =>
        TypedResults.Ok(await partners.SetDomainsAsync(http.Viewer(), handle, p.GetAll("domains").Concat(p.GetAll("domain")), ct));

    private static async Task<Ok<GrantEntity>> Grant(HttpContext http, ApiParams p, PartnerAdministration partners, CancellationToken ct) =>
        TypedResults.Ok(await partners.GrantAsync(http.Viewer(), p.Get("team"), p.Get("partner"), p.Get("rights"), p.Get("expires_at"), ct));

    private static async Task<Results<NoContent, NotFound<ApiError>>> Revoke(string id, HttpContext http, PartnerAdministration partners, CancellationToken ct) =>
        Ids.TryParse(id, out var gid) && await partners.RevokeAsync(http.Viewer(), gid, ct) ? TypedResults.NoContent() : TypedResults.NotFound(ApiError.NotFound);

    /// <summary>Every grant in force (JSON, or CSV with <c>?format=csv</c>); a lead sees the grants of the teams they lead.</summary>
    private static async Task<IResult> AccessReview(HttpContext http, ApiParams p, PartnerAdministration partners, CancellationToken ct)
    {
        var rows = await partners.ReviewAsync(http.Viewer(), ct);
        if (!string.Equals(p.Get("format"), "csv", StringComparison.OrdinalIgnoreCase)) return TypedResults.Ok(rows);
        return TypedResults.File(PartnerAdministration.ReviewCsv(rows), "text/csv; charset=utf-8", "access-review.csv");
    }

    /// <summary>Suspension ends every session and token at once: each request reloads the account (see ViewerMiddleware).</summary>
    private static async Task<Results<NoContent, NotFound<ApiError>>> SetSuspended(string id, bool suspended, HttpContext http, AccountAdministration admin, CancellationToken ct)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
        if (!Ids.TryParse(id, out var aid) || aid == http.Viewer().AccountId) return TypedResults.NotFound(ApiError.NotFound);
        await admin.SetSuspendedAsync(http.Viewer(), aid, suspended, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Ends the account's sessions and tokens (not the caller's own: that would lock an administrator out mid-request).</summary>
    private static async Task<Results<Ok<RevokedSessions>, NotFound<ApiError>>> RevokeSessions(string id, HttpContext http, AccountAdministration admin, CancellationToken ct)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
        if (!Ids.TryParse(id, out var aid) || aid == http.Viewer().AccountId) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok(new RevokedSessions(await admin.RevokeSessionsAsync(http.Viewer(), aid, ct)));
    }

    public sealed record RevokedSessions(long RevokedTokens);

    public sealed record PendingAccountEntity(string Id, string Username, string DisplayName, string Email, string? Partner, string CreatedAt);

    /// <summary>Sign-ups waiting for approval (when <c>SignUp:RequireApproval</c> is on), oldest first, <c>limit</c> (40, at most 200) after <c>since_id</c>.</summary>
    private static async Task<Ok<List<PendingAccountEntity>>> PendingAccounts(HttpContext http, ApiParams p, AccountAdministration admin, CancellationToken ct)
    {
        long? after = p.Get("since_id") is { } s && Ids.TryParse(s, out var id) ? id : null;
        var rows = await admin.PendingAsync(http.Viewer(), after, Math.Clamp(p.GetInt("limit") ?? 40, 1, 200), ct);
        return TypedResults.Ok(rows.Select(r => new PendingAccountEntity(Ids.Format(r.Id), r.Username, r.DisplayName, r.Email, r.Partner, AccountRenderer.Iso(r.CreatedAt))).ToList());
    }

    private static async Task<Results<NoContent, NotFound<ApiError>>> Decide(string id, bool approve, HttpContext http, AccountAdministration admin, CancellationToken ct)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
        if (!Ids.TryParse(id, out var aid)) return TypedResults.NotFound(ApiError.NotFound);
        if (approve) await admin.ApproveAsync(http.Viewer(), aid, ct);
        else await admin.RejectAsync(http.Viewer(), aid, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The team's channels exactly as a guest of <paramref name="partner"/> would see them now.</summary>
    private static async Task<Results<Ok<List<StatusEntity>>, NotFound<ApiError>>> ViewAs(string handle, string partner, HttpContext http, ApiParams p,
        GazouilleDb db, ViewerLoader viewers, StatusRenderer renderer, PartnerAdministration partners, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Handle == h, ct);
        var ph = partner.ToLowerInvariant();
        var org = await db.PartnerOrgs.AsNoTracking().FirstOrDefaultAsync(o => o.Handle == ph, ct);
        if (team is null || org is null || !http.Viewer().IsEmployee) return TypedResults.NotFound(ApiError.NotFound);
        if (!http.Viewer().IsAdmin && !(await partners.LedTeamsAsync(http.Viewer(), ct)).Contains(team.Id))
            throw ApiException.Forbidden("Only administrators and the team's leads can do this");
        var granted = await viewers.ActiveGrantedTeamsAsync(org.Id, ct);
        var members = granted.Length == 0 ? [] : await db.TeamMembers.Where(m => granted.Contains(m.TeamId)).Select(m => m.AccountId).Distinct().ToArrayAsync(ct);
        // A guest with no account of its own: it sees the channels, not any one guest's direct messages.
        var asGuest = new Viewer(-1, ViewerKind.Guest, AccountRole.Employee, org.Id, [], [], granted, granted, members);
        var query = db.Statuses.AsNoTracking().Where(Visibility.StatusesVisibleTo(asGuest)).Where(s => s.AudienceTeamId == team.Id && s.ReblogOfId == null);
        var page = PageRequest.From(p);
        var ids = await page.ApplyAsync(query, s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
        LinkHeader.Set(http, ids.FirstOrDefault(), ids.LastOrDefault());
        return TypedResults.Ok(await renderer.RenderManyAsync(asGuest, await renderer.LoadAsync(ids, ct), ct));
    }
}
