using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Statuses;

/// <summary>An audience bound to rows: the team, whose followers, which orgs.</summary>
public sealed record ResolvedAudience(AudienceKind Kind, long? TeamId, long? OwnerId, long[] OrgIds, bool Listed);

/// <summary>
/// Decides the audience a new post really gets: checks that the author may write there, maps Mastodon's visibility,
/// and narrows a reply (or a guest's post) so that it never reaches beyond its parent (I2) or its org (I3).
/// </summary>
public sealed class AudienceResolver(GazouilleDb db, IOptions<GazouilleSettings> settings, ViewerLoader viewers)
{
    public const string NoSuchChannel = "There is no partner channel by that name shared with you";

    public async Task<(ResolvedAudience? Audience, string? Error)> ResolveAsync(
        Viewer author, string? audience, string? visibility, string defaultAudience, Status? parent, CancellationToken ct)
    {
        var listed = true;
        AudienceSpec spec;
        if (!string.IsNullOrWhiteSpace(audience))
        {
            if (!AudienceSpec.TryParse(audience, out spec, out var error)) return (null, error);
        }
        else if (!string.IsNullOrWhiteSpace(visibility))
        {
            var defaults = settings.Value.Audiences;
            var mapped = visibility.Trim().ToLowerInvariant() switch
            {
                "public" => defaults.PublicVisibilityMapsTo,
                "unlisted" => "company",
                "private" => "followers",
                "direct" => "direct",
                _ => null,
            };
            if (mapped is null) return (null, "visibility must be one of public, unlisted, private or direct");
            listed = visibility.Trim().ToLowerInvariant() != "unlisted";
            if (!AudienceSpec.TryParse(mapped, out spec, out _)) return (null, $"The instance maps visibility to an unknown audience '{mapped}'");
        }
        else if (parent is not null)
        {
            if (!author.IsGuest) return (Copy(parent), null);
            spec = new AudienceSpec(parent.AudienceKind, null, []);
        }
        else if (!AudienceSpec.TryParse(defaultAudience, out spec, out _))
        {
            spec = new AudienceSpec(AudienceKind.Company, null, []);
        }

        if (author.IsGuest) return await ResolveForGuestAsync(author, spec, parent, ct);

        ResolvedAudience resolved;
        switch (spec.Kind)
        {
            case AudienceKind.Public:
                if (!settings.Value.Audiences.PublicEnabled)
                    return (null, "Posting to the whole Internet is turned off on this instance; choose company to reach every employee");
                resolved = new ResolvedAudience(AudienceKind.Public, null, null, [], listed);
                break;
            case AudienceKind.Company:
                resolved = new ResolvedAudience(AudienceKind.Company, null, null, [], listed);
                break;
            case AudienceKind.Followers:
                resolved = new ResolvedAudience(AudienceKind.Followers, null, author.AccountId, [], true);
                break;
            case AudienceKind.Direct:
                resolved = new ResolvedAudience(AudienceKind.Direct, null, null, [], true);
                break;
            default:
                var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Handle == spec.Team, ct);
                if (team is null) return (null, $"There is no team @{spec.Team}");
                if (!author.TeamIds.Contains(team.Id)) return (null, $"Only members of @{team.Handle} can post to its channels");
                if (spec.Kind == AudienceKind.Team)
                {
                    resolved = new ResolvedAudience(AudienceKind.Team, team.Id, null, [], true);
                    break;
                }
                var orgIds = new List<long>();
                foreach (var handle in spec.Orgs)
                {
                    var org = await db.PartnerOrgs.AsNoTracking().FirstOrDefaultAsync(o => o.Handle == handle, ct);
                    if (org is null) return (null, $"There is no partner organization {handle}");
                    if (!(await viewers.ActiveGrantedTeamsAsync(org.Id, ct)).Contains(team.Id))
                        return (null, $"{org.Name} has no access to the partner channel of @{team.Handle}; ask an admin to grant it");
                    orgIds.Add(org.Id);
                }
                resolved = new ResolvedAudience(AudienceKind.Partners, team.Id, null, [.. orgIds], true);
                break;
        }
        return (parent is null || IsWithin(resolved, parent) ? resolved : Copy(parent), null);
    }

    /// <summary>A guest writes only into the partner channels granted to its org, and only its own org reads it back.</summary>
    private async Task<(ResolvedAudience?, string?)> ResolveForGuestAsync(Viewer guest, AudienceSpec spec, Status? parent, CancellationToken ct)
    {
        long teamId;
        if (spec is { Kind: AudienceKind.Partners, Team: not null })
        {
            var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Handle == spec.Team, ct);
            if (team is null || !guest.GrantedTeamIds.Contains(team.Id)) return (null, NoSuchChannel);
            teamId = team.Id;
        }
        else if (parent is { AudienceKind: AudienceKind.Partners, AudienceTeamId: { } parentTeam })
        {
            teamId = parentTeam;
        }
        else if (spec.Kind == AudienceKind.Direct)
        {
            return (new ResolvedAudience(AudienceKind.Direct, null, null, [], true), null);
        }
        else
        {
            return (null, "Guests post to the partner channels shared with their organization: use partners:<team>");
        }
        var grant = await db.PartnerGrants.AsNoTracking()
            .Where(g => g.TeamId == teamId && g.PartnerOrgId == guest.PartnerOrgId && g.RevokedAt == null)
            .Select(g => new { g.Rights }).ToListAsync(ct);
        if (!grant.Any(g => g.Rights == GrantRights.ReadAndReply))
            return (null, "Your organization can read this channel but not post to it");
        return (new ResolvedAudience(AudienceKind.Partners, teamId, null, [guest.PartnerOrgId], true), null);
    }

    private static ResolvedAudience Copy(Status parent) =>
        new(parent.AudienceKind, parent.AudienceTeamId, parent.AudienceOwnerId ?? (parent.AudienceKind == AudienceKind.Followers ? parent.AccountId : null),
            parent.AudienceOrgs.Select(o => o.PartnerOrgId).ToArray(), parent.Listed);

    /// <summary>Whether every reader of <paramref name="reply"/> can provably read <paramref name="parent"/> too.</summary>
    public static bool IsWithin(ResolvedAudience reply, Status parent)
    {
        if (reply.Kind == AudienceKind.Direct) return true; // its recipients are filtered against the parent
        return parent.AudienceKind switch
        {
            AudienceKind.Public => true,
            AudienceKind.Company => reply.Kind is AudienceKind.Company or AudienceKind.Team or AudienceKind.Followers,
            AudienceKind.Team => reply.Kind == AudienceKind.Team && reply.TeamId == parent.AudienceTeamId,
            AudienceKind.Partners => reply.TeamId == parent.AudienceTeamId
                && (reply.Kind == AudienceKind.Team
                    || (reply.Kind == AudienceKind.Partners
                        && (parent.AudienceOrgs.Count == 0
                            || (reply.OrgIds.Length > 0 && reply.OrgIds.All(o => parent.AudienceOrgs.Any(p => p.PartnerOrgId == o)))))),
            AudienceKind.Followers => reply.Kind == AudienceKind.Followers && reply.OwnerId == (parent.AudienceOwnerId ?? parent.AccountId),
            _ => false,
        };
    }
}
