using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Statuses;

/// <summary>One audience an author may pick, with what it takes to say in words who will read.</summary>
public sealed record AudienceChoice(string Audience, AudienceKind Kind, string? TeamName, int Readers, IReadOnlyList<string> OrgNames);

/// <summary>The audiences an author may post to right now, widest last, each with its number of readers.</summary>
public sealed class AudienceChoices(GazouilleDb db, IOptions<GazouilleSettings> settings, TimeProvider clock)
{
    public async Task<List<AudienceChoice>> ForAsync(Viewer author, CancellationToken ct)
    {
        var choices = new List<AudienceChoice> { new("direct", AudienceKind.Direct, null, 0, []) };
        var now = clock.GetUtcNow();
        // Expiry is compared in memory: SQLite cannot order DateTimeOffset values.
        var grants = (await db.PartnerGrants.AsNoTracking().Where(g => g.RevokedAt == null)
                .Where(g => author.IsGuest ? g.PartnerOrgId == author.PartnerOrgId : author.TeamIds.Contains(g.TeamId))
                .Select(g => new { g.TeamId, g.PartnerOrgId, g.Rights, g.ExpiresAt, OrgName = g.PartnerOrg!.Name }).ToListAsync(ct))
            .Where(g => g.ExpiresAt is null || g.ExpiresAt > now).ToList();
        if (author.IsGuest)
        {
            var writable = grants.Where(g => g.Rights == GrantRights.ReadAndReply).Select(g => g.TeamId).Distinct().ToArray();
            var channels = await db.Teams.AsNoTracking().Where(t => writable.Contains(t.Id))
                .Select(t => new { t.Handle, t.Name, Members = t.Members.Count }).OrderBy(t => t.Name).ToListAsync(ct);
            var orgName = await db.PartnerOrgs.Where(o => o.Id == author.PartnerOrgId).Select(o => o.Name).FirstAsync(ct);
            var colleagues = await db.Users.CountAsync(a => a.PartnerOrgId == author.PartnerOrgId && !a.Suspended, ct);
            choices.AddRange(channels.Select(c => new AudienceChoice($"partners:{c.Handle}", AudienceKind.Partners, c.Name, c.Members + colleagues, [orgName])));
            return choices;
        }

        var followers = await db.Follows.CountAsync(f => f.TargetId == author.AccountId, ct);
        choices.Add(new("followers", AudienceKind.Followers, null, followers, []));
        var teams = await db.Teams.AsNoTracking().Where(t => author.TeamIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Handle, t.Name, Members = t.Members.Count }).OrderBy(t => t.Name).ToListAsync(ct);
        var teamIds = teams.Select(t => t.Id).ToArray();
        var shared = grants.Select(g => new { g.TeamId, g.PartnerOrgId, Name = g.OrgName }).ToList();
        var orgIds = shared.Select(s => (long?)s.PartnerOrgId).Distinct().ToArray();
        var guests = await db.Users.Where(a => orgIds.Contains(a.PartnerOrgId) && !a.Suspended)
            .GroupBy(a => a.PartnerOrgId).Select(g => new { Org = g.Key!.Value, Count = g.Count() }).ToDictionaryAsync(g => g.Org, g => g.Count, ct);
        foreach (var t in teams)
        {
            choices.Add(new($"team:{t.Handle}", AudienceKind.Team, t.Name, t.Members, []));
            var orgs = shared.Where(s => s.TeamId == t.Id).DistinctBy(s => s.Name).OrderBy(s => s.Name).ToList();
            if (orgs.Count > 0)
                choices.Add(new($"partners:{t.Handle}", AudienceKind.Partners, t.Name, t.Members + orgs.Sum(o => guests.GetValueOrDefault(o.PartnerOrgId)), orgs.Select(o => o.Name).ToList()));
        }
        var employees = await db.Users.CountAsync(a => a.PartnerOrgId == null && !a.Suspended, ct);
        choices.Add(new("company", AudienceKind.Company, null, employees, []));
        if (settings.Value.Audiences.PublicEnabled) choices.Add(new("public", AudienceKind.Public, null, 0, []));
        return choices;
    }
}
