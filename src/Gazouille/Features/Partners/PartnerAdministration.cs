using System.Globalization;
using System.Text;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Audit;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Partners;

/// <summary>
/// Partner organizations, grants and the access review, for the admin API and the admin pages alike. Admins manage
/// everything; a team lead grants and revokes for the teams they lead and reviews their access. Refusals are
/// <see cref="ApiException"/>s whose message is the same on the API and (translated) on the pages.
/// </summary>
public sealed class PartnerAdministration(GazouilleDb db, AuditLog audit, TimeProvider clock)
{
    public const int MaxDomains = 20;

    public static void RequireAdmin(Viewer viewer)
    {
        if (!viewer.IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
    }

    /// <summary>The teams the viewer leads (none for guests).</summary>
    public async Task<List<long>> LedTeamsAsync(Viewer viewer, CancellationToken ct) =>
        viewer.IsEmployee ? await db.TeamMembers.Where(m => m.AccountId == viewer.AccountId && m.IsLead).Select(m => m.TeamId).ToListAsync(ct) : [];

    private async Task RequireAdminOrLeadAsync(Viewer viewer, long teamId, CancellationToken ct)
    {
        if (viewer.IsAdmin) return;
        if (!viewer.IsEmployee || !await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.AccountId == viewer.AccountId && m.IsLead, ct))
            throw ApiException.Forbidden("Only administrators and the team's leads can do this");
    }

    private async Task<string> ActorAsync(Viewer viewer, CancellationToken ct) =>
        "@" + await db.Users.AsNoTracking().Where(a => a.Id == viewer.AccountId).Select(a => a.UserName).FirstAsync(ct);

    /// <summary>Organizations by handle, <paramref name="limit"/> after <paramref name="afterHandle"/>.</summary>
    public async Task<List<PartnerEntity>> ListAsync(Viewer viewer, string? afterHandle, int limit, CancellationToken ct)
    {
        RequireAdmin(viewer);
        var query = db.PartnerOrgs.AsNoTracking();
        if (!string.IsNullOrEmpty(afterHandle)) query = query.Where(o => string.Compare(o.Handle, afterHandle) > 0);
        var orgs = await query.OrderBy(o => o.Handle).Take(limit).ToListAsync(ct);
        var ids = orgs.Select(o => o.Id).ToList();
        var guests = await db.Users.Where(a => a.PartnerOrgId != null && ids.Contains(a.PartnerOrgId.Value)).GroupBy(a => a.PartnerOrgId!.Value)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return orgs.Select(o => Render(o, guests.GetValueOrDefault(o.Id))).ToList();
    }

    public async Task<PartnerEntity?> FindAsync(Viewer viewer, string handle, CancellationToken ct)
    {
        RequireAdmin(viewer);
        var h = handle.Trim().ToLowerInvariant();
        var org = await db.PartnerOrgs.AsNoTracking().FirstOrDefaultAsync(o => o.Handle == h, ct);
        return org is null ? null : Render(org, await db.Users.CountAsync(a => a.PartnerOrgId == org.Id, ct));
    }

    private static PartnerEntity Render(PartnerOrg o, int guests) =>
        new(Ids.Format(o.Id), o.Handle, o.Name, o.Domains.Split(',', StringSplitOptions.RemoveEmptyEntries), o.Verified, guests);

    public async Task<PartnerEntity> CreateAsync(Viewer viewer, string? handle, string? name, IEnumerable<string> domains, CancellationToken ct)
    {
        RequireAdmin(viewer);
        var h = (handle ?? "").Trim().ToLowerInvariant();
        if (!AudienceSpec.IsHandle(h)) throw ApiException.Unprocessable("Validation failed: handle must be 1 to 64 lower-case letters, digits, '-' or '_'");
        var n = (name ?? "").Trim();
        if (n.Length is 0 or > 200 || ProfileText.CheckDisplayName(n.Length > 60 ? n[..60] : n) is not null)
            throw ApiException.Unprocessable("Validation failed: name must be 1 to 200 printable characters");
        var list = CheckDomains(domains);
        if (await db.PartnerOrgs.AnyAsync(o => o.Handle == h, ct)) throw ApiException.Unprocessable($"Validation failed: a partner organization {h} already exists");
        var org = new PartnerOrg { Id = Snowflake.NewId(), Handle = h, Name = n, Domains = string.Join(',', list), CreatedAt = clock.GetUtcNow() };
        db.PartnerOrgs.Add(org);
        await audit.AppendAsync(await ActorAsync(viewer, ct), "partner.create", $"partner:{h}", new { name = n, domains = list }, ct);
        return Render(org, 0);
    }

    /// <summary>Replaces the organization's e-mail domains (they only describe it; guests come by invitation).</summary>
    public async Task<PartnerEntity> SetDomainsAsync(Viewer viewer, string handle, IEnumerable<string> domains, CancellationToken ct)
    {
        RequireAdmin(viewer);
        var h = handle.Trim().ToLowerInvariant();
        var org = await db.PartnerOrgs.FirstOrDefaultAsync(o => o.Handle == h, ct) ?? throw ApiException.NotFound();
        var list = CheckDomains(domains);
        var before = org.Domains;
        org.Domains = string.Join(',', list);
        await audit.AppendAsync(await ActorAsync(viewer, ct), "partner.domains", $"partner:{h}",
            new { from = before.Split(',', StringSplitOptions.RemoveEmptyEntries), to = list }, ct);
        return Render(org, await db.Users.CountAsync(a => a.PartnerOrgId == org.Id, ct));
    }

    /// <summary>Domains as typed: one per entry, or several separated by commas, semicolons or new lines (a space inside one is an error).</summary>
    public static string[] CheckDomains(IEnumerable<string> domains)
    {
        var list = domains.SelectMany(d => d.Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            .Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).Distinct().ToArray();
        if (list.Any(d => d.Length > 253 || d.Contains('@', StringComparison.Ordinal) || Uri.CheckHostName(d) != UriHostNameType.Dns))
            throw ApiException.Unprocessable("Validation failed: each domain must be a domain name such as example.com");
        if (list.Length > MaxDomains) throw ApiException.Unprocessable($"Validation failed: at most {MaxDomains} domains");
        return list;
    }

    /// <summary>Grants (or re-grants: the new grant replaces the one in force) a team's partner channel to an organization.</summary>
    public async Task<GrantEntity> GrantAsync(Viewer viewer, string? teamHandle, string? orgHandle, string? rights, string? expiresAt, CancellationToken ct)
    {
        var th = (teamHandle ?? "").Trim().ToLowerInvariant();
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Handle == th, ct) ?? throw ApiException.Unprocessable($"Validation failed: there is no team {th}");
        await RequireAdminOrLeadAsync(viewer, team.Id, ct);
        var oh = (orgHandle ?? "").Trim().ToLowerInvariant();
        var org = await db.PartnerOrgs.FirstOrDefaultAsync(o => o.Handle == oh, ct) ?? throw ApiException.Unprocessable($"Validation failed: there is no partner organization {oh}");
        var r = (string.IsNullOrEmpty(rights) ? "read_reply" : rights) switch
        {
            "read" => GrantRights.Read,
            "read_reply" => GrantRights.ReadAndReply,
            _ => throw ApiException.Unprocessable("Validation failed: rights must be read or read_reply"),
        };
        var now = clock.GetUtcNow();
        DateTimeOffset? expires = null;
        if (!string.IsNullOrWhiteSpace(expiresAt))
        {
            if (!DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) || e <= now)
                throw ApiException.Unprocessable("Validation failed: expires_at must be a date and time in the future (ISO 8601)");
            expires = e.ToUniversalTime();
        }
        // A new grant replaces the active one, so rights and expiry are always what was last decided.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.PartnerGrants.Where(g => g.TeamId == team.Id && g.PartnerOrgId == org.Id && g.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now), ct);
        var grant = new PartnerGrant
        {
            Id = Snowflake.NewId(now), TeamId = team.Id, PartnerOrgId = org.Id, Rights = r, GrantedAt = now,
            GrantedById = viewer.AccountId, ExpiresAt = expires,
        };
        db.PartnerGrants.Add(grant);
        await AccountRules.FollowTeamForGuestsAsync(db, team.Id, org.Id, now, ct);
        await audit.AppendAsync(await ActorAsync(viewer, ct), "partner.grant", $"team:{team.Handle}/partner:{org.Handle}",
            new { grant = grant.Id, rights = r == GrantRights.Read ? "read" : "read_reply", expires_at = expires }, ct);
        await tx.CommitAsync(ct);
        return (await RenderGrantsAsync([grant.Id], ct))[0];
    }

    /// <summary>Ends a grant in force; false when there is none with that id (or the viewer may not see it).</summary>
    public async Task<bool> RevokeAsync(Viewer viewer, long grantId, CancellationToken ct)
    {
        var grant = await db.PartnerGrants.FirstOrDefaultAsync(g => g.Id == grantId && g.RevokedAt == null, ct);
        if (grant is null) return false;
        await RequireAdminOrLeadAsync(viewer, grant.TeamId, ct);
        grant.RevokedAt = clock.GetUtcNow();
        var names = await db.PartnerGrants.Where(g => g.Id == grantId).Select(g => new { Team = g.Team!.Handle, Partner = g.PartnerOrg!.Handle }).FirstAsync(ct);
        await audit.AppendAsync(await ActorAsync(viewer, ct), "partner.revoke", $"team:{names.Team}/partner:{names.Partner}", new { grant = grant.Id }, ct);
        return true;
    }

    /// <summary>Every grant in force that the viewer may review: all for admins, their teams' for leads.</summary>
    public async Task<List<GrantEntity>> ReviewAsync(Viewer viewer, CancellationToken ct)
    {
        if (!viewer.IsEmployee) throw ApiException.Forbidden("Only administrators and team leads can review access");
        var now = clock.GetUtcNow();
        var query = db.PartnerGrants.AsNoTracking().Where(g => g.RevokedAt == null);
        if (!viewer.IsAdmin)
        {
            var led = await LedTeamsAsync(viewer, ct);
            if (led.Count == 0) throw ApiException.Forbidden("Only administrators and team leads can review access");
            query = query.Where(g => led.Contains(g.TeamId));
        }
        var ids = (await query.Select(g => new { g.Id, g.ExpiresAt }).ToListAsync(ct)).Where(g => g.ExpiresAt is null || g.ExpiresAt > now).Select(g => g.Id).ToList();
        return await RenderGrantsAsync(ids, ct);
    }

    public static byte[] ReviewCsv(IEnumerable<GrantEntity> rows)
    {
        var csv = new StringBuilder("team,partner,partner_name,rights,granted_at,granted_by,expires_at,guests,last_activity_at\r\n");
        foreach (var r in rows)
            csv.AppendJoin(',', new[] { r.Team, r.Partner, r.PartnerName, r.Rights, r.GrantedAt, r.GrantedBy ?? "", r.ExpiresAt ?? "", r.GuestsCount.ToString(CultureInfo.InvariantCulture), r.LastActivityAt ?? "" }.Select(Csv)).Append("\r\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    // Quotes every field and defuses spreadsheet formulas, since names are typed by people.
    private static string Csv(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal)) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private async Task<List<GrantEntity>> RenderGrantsAsync(List<long> grantIds, CancellationToken ct)
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
                count, last is { } l ? AccountRenderer.Iso(Snowflake.TimeOf(l)) : null)
            { TeamName = g.Team.Name });
        }
        return result;
    }
}
