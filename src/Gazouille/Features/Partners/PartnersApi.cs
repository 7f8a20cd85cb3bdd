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
    int GuestsCount, string? LastActivityAt);

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
        group.MapGet("/grants", AccessReview).RequireScope("read:accounts");
        group.MapPost("/grants", Grant).RequireScope("write:accounts");
        group.MapDelete("/grants/{id}", Revoke).RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/suspend", (string id, HttpContext http, AccountAdministration admin, CancellationToken ct) => SetSuspended(id, true, http, admin, ct))
            .RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/unsuspend", (string id, HttpContext http, AccountAdministration admin, CancellationToken ct) => SetSuspended(id, false, http, admin, ct))
            .RequireScope("write:accounts");
        group.MapPost("/accounts/{id}/revoke_sessions", RevokeSessions).RequireScope("write:accounts");
        app.MapGet("/api/v1/gazouille/teams/{handle}/view_as/{partner}", ViewAs).WithTags("Partners").RequireScope("read:statuses");
        return group;
    }

    private static void RequireAdmin(HttpContext http)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
    }

    private static async Task RequireAdminOrLeadAsync(HttpContext http, GazouilleDb db, long teamId, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (viewer.IsAdmin) return;
        if (!viewer.IsEmployee || !await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.AccountId == viewer.AccountId && m.IsLead, ct))
            throw ApiException.Forbidden("Only administrators and the team's leads can do this");
    }

    private static async Task<Ok<List<PartnerEntity>>> ListPartners(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        RequireAdmin(http);
        var orgs = await db.PartnerOrgs.AsNoTracking().OrderBy(o => o.Handle).ToListAsync(ct);
        var guests = await db.Users.Where(a => a.PartnerOrgId != null).GroupBy(a => a.PartnerOrgId!.Value)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return TypedResults.Ok(orgs.Select(o => Render(o, guests.GetValueOrDefault(o.Id))).ToList());
    }

    private static PartnerEntity Render(PartnerOrg o, int guests) =>
        new(Ids.Format(o.Id), o.Handle, o.Name, o.Domains.Split(',', StringSplitOptions.RemoveEmptyEntries), o.Verified, guests);

    private static async Task<string> ActorAsync(HttpContext http, GazouilleDb db, CancellationToken ct) =>
        "@" + await db.Users.AsNoTracking().Where(a => a.Id == http.Viewer().AccountId).Select(a => a.UserName).FirstAsync(ct);

    private static async Task<Ok<PartnerEntity>> CreatePartner(HttpContext http, ApiParams p, GazouilleDb db, AuditLog audit, CancellationToken ct)
    {
        RequireAdmin(http);
        var handle = (p.Get("handle") ?? "").Trim().ToLowerInvariant();
        if (!AudienceSpec.IsHandle(handle)) throw ApiException.Unprocessable("Validation failed: handle must be 1 to 64 lower-case letters, digits, '-' or '_'");
        var name = (p.Get("name") ?? "").Trim();
        if (name.Length is 0 or > 200 || ProfileText.CheckDisplayName(name.Length > 60 ? name[..60] : name) is not null)
            throw ApiException.Unprocessable("Validation failed: name must be 1 to 200 printable characters");
        var domains = p.GetAll("domains").Concat(p.GetAll("domain")).Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).Distinct().ToArray();
        if (domains.Any(d => d.Contains('@', StringComparison.Ordinal) || Uri.CheckHostName(d) != UriHostNameType.Dns))
            throw ApiException.Unprocessable("Validation failed: each domain must be a domain name such as example.com");
        if (await db.PartnerOrgs.AnyAsync(o => o.Handle == handle, ct)) throw ApiException.Unprocessable($"Validation failed: a partner organization {handle} already exists");
        var org = new PartnerOrg { Id = Snowflake.NewId(), Handle = handle, Name = name, Domains = string.Join(',', domains), CreatedAt = DateTimeOffset.UtcNow };
        db.PartnerOrgs.Add(org);
        await audit.AppendAsync(await ActorAsync(http, db, ct), "partner.create", $"partner:{handle}", new { name, domains }, ct);
        return TypedResults.Ok(Render(org, 0));
    }

    private static async Task<Ok<GrantEntity>> Grant(HttpContext http, ApiParams p, GazouilleDb db, AuditLog audit, CancellationToken ct)
    {
        var teamHandle = (p.Get("team") ?? "").Trim().ToLowerInvariant();
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Handle == teamHandle, ct) ?? throw ApiException.Unprocessable($"Validation failed: there is no team {teamHandle}");
        await RequireAdminOrLeadAsync(http, db, team.Id, ct);
        var orgHandle = (p.Get("partner") ?? "").Trim().ToLowerInvariant();
        var org = await db.PartnerOrgs.FirstOrDefaultAsync(o => o.Handle == orgHandle, ct) ?? throw ApiException.Unprocessable($"Validation failed: there is no partner organization {orgHandle}");
        var rights = (p.Get("rights") ?? "read_reply") switch
        {
            "read" => GrantRights.Read,
            "read_reply" => GrantRights.ReadAndReply,
            _ => throw ApiException.Unprocessable("Validation failed: rights must be read or read_reply"),
        };
        DateTimeOffset? expires = null;
        if (p.Get("expires_at") is { Length: > 0 } raw)
        {
            if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) || e <= DateTimeOffset.UtcNow)
                throw ApiException.Unprocessable("Validation failed: expires_at must be a date and time in the future (ISO 8601)");
            expires = e.ToUniversalTime();
        }
        var now = DateTimeOffset.UtcNow;
        // A new grant replaces the active one, so rights and expiry are always what was last decided.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.PartnerGrants.Where(g => g.TeamId == team.Id && g.PartnerOrgId == org.Id && g.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now), ct);
        var grant = new PartnerGrant
        {
            Id = Snowflake.NewId(now), TeamId = team.Id, PartnerOrgId = org.Id, Rights = rights, GrantedAt = now,
            GrantedById = http.Viewer().AccountId, ExpiresAt = expires,
        };
        db.PartnerGrants.Add(grant);
        await AccountRules.FollowTeamForGuestsAsync(db, team.Id, org.Id, now, ct);
        await audit.AppendAsync(await ActorAsync(http, db, ct), "partner.grant", $"team:{team.Handle}/partner:{org.Handle}",
            new { grant = grant.Id, rights = p.Get("rights") ?? "read_reply", expires_at = expires }, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await ReviewAsync(db, [grant.Id], ct))[0]);
    }

    private static async Task<Results<NoContent, NotFound<ApiError>>> Revoke(string id, HttpContext http, GazouilleDb db, AuditLog audit, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out var gid)) return TypedResults.NotFound(ApiError.NotFound);
        var grant = await db.PartnerGrants.FirstOrDefaultAsync(g => g.Id == gid && g.RevokedAt == null, ct);
        if (grant is null) return TypedResults.NotFound(ApiError.NotFound);
        await RequireAdminOrLeadAsync(http, db, grant.TeamId, ct);
        grant.RevokedAt = DateTimeOffset.UtcNow;
        var names = await db.PartnerGrants.Where(g => g.Id == gid).Select(g => new { Team = g.Team!.Handle, Partner = g.PartnerOrg!.Handle }).FirstAsync(ct);
        await audit.AppendAsync(await ActorAsync(http, db, ct), "partner.revoke", $"team:{names.Team}/partner:{names.Partner}", new { grant = grant.Id }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Every grant in force (JSON, or CSV with <c>?format=csv</c>); a lead sees the grants of the teams they lead.</summary>
    private static async Task<IResult> AccessReview(HttpContext http, ApiParams p, GazouilleDb db, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (!viewer.IsEmployee) throw ApiException.Forbidden("Only administrators and team leads can review access");
        var now = DateTimeOffset.UtcNow;
        var query = db.PartnerGrants.AsNoTracking().Where(g => g.RevokedAt == null);
        if (!viewer.IsAdmin)
        {
            var led = await db.TeamMembers.Where(m => m.AccountId == viewer.AccountId && m.IsLead).Select(m => m.TeamId).ToListAsync(ct);
            if (led.Count == 0) throw ApiException.Forbidden("Only administrators and team leads can review access");
            query = query.Where(g => led.Contains(g.TeamId));
        }
        var ids = (await query.Select(g => new { g.Id, g.ExpiresAt }).ToListAsync(ct)).Where(g => g.ExpiresAt is null || g.ExpiresAt > now).Select(g => g.Id).ToList();
        var rows = await ReviewAsync(db, ids, ct);
        if (!string.Equals(p.Get("format"), "csv", StringComparison.OrdinalIgnoreCase)) return TypedResults.Ok(rows);
        var csv = new StringBuilder("team,partner,partner_name,rights,granted_at,granted_by,expires_at,guests,last_activity_at\r\n");
        foreach (var r in rows)
            csv.AppendJoin(',', new[] { r.Team, r.Partner, r.PartnerName, r.Rights, r.GrantedAt, r.GrantedBy ?? "", r.ExpiresAt ?? "", r.GuestsCount.ToString(CultureInfo.InvariantCulture), r.LastActivityAt ?? "" }.Select(Csv)).Append("\r\n");
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "access-review.csv");
    }

    // Quotes every field and defuses spreadsheet formulas, since names are typed by people.
    private static string Csv(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal)) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static async Task<List<GrantEntity>> ReviewAsync(GazouilleDb db, List<long> grantIds, CancellationToken ct)
    {
        var grants = await db.PartnerGrants.AsNoTracking().Include(g => g.Team).Include(g => g.PartnerOrg)
            .Where(g => grantIds.Contains(g.Id)).OrderBy(g => g.TeamId).ThenBy(g => g.PartnerOrgId).ToListAsync(ct);
        var granters = grants.Where(g => g.GrantedById is not null).Select(g => g.GrantedById!.Value).Distinct().ToList();
        var names = await db.Users.Where(a => granters.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.UserName!, ct);
        var result = new List<GrantEntity>();
        foreach (var g in grants)
        {
            var guests = db.Users.Where(a => a.PartnerOrgId == g.PartnerOrgId);
            var count = await guests.CountAsync(ct);
            var last = await db.Statuses.Where(s => s.AudienceTeamId == g.TeamId && guests.Any(a => a.Id == s.AccountId))
                .OrderByDescending(s => s.Id).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct);
            result.Add(new GrantEntity(Ids.Format(g.Id), g.Team!.Handle, g.PartnerOrg!.Handle, g.PartnerOrg.Name,
                g.Rights == GrantRights.Read ? "read" : "read_reply", AccountRenderer.Iso(g.GrantedAt),
                g.GrantedById is { } by ? names.GetValueOrDefault(by) : null, g.ExpiresAt is { } e ? AccountRenderer.Iso(e) : null,
                count, last is { } l ? AccountRenderer.Iso(Snowflake.TimeOf(l)) : null));
        }
        return result;
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

    /// <summary>The team's channels exactly as a guest of <paramref name="partner"/> would see them now.</summary>
    private static async Task<Results<Ok<List<StatusEntity>>, NotFound<ApiError>>> ViewAs(string handle, string partner, HttpContext http, ApiParams p,
        GazouilleDb db, ViewerLoader viewers, StatusRenderer renderer, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Handle == h, ct);
        var ph = partner.ToLowerInvariant();
        var org = await db.PartnerOrgs.AsNoTracking().FirstOrDefaultAsync(o => o.Handle == ph, ct);
        if (team is null || org is null || !http.Viewer().IsEmployee) return TypedResults.NotFound(ApiError.NotFound);
        await RequireAdminOrLeadAsync(http, db, team.Id, ct);
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
