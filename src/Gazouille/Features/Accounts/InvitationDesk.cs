using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Mail;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

/// <summary>
/// Invitations for the API and the admin pages. Admins and team leads invite. A partner invitation makes a guest of
/// that organization: admins may invite for any organization, a team lead for an organization its team shares its
/// channel with. The link goes by mail when an address is given and SMTP is configured; otherwise it is shown to the
/// inviter and written to the log.
/// </summary>
public sealed class InvitationDesk(GazouilleDb db, SignUpPolicy policy, InstanceUrls urls, MailSender mail, ViewerLoader viewers,
    TimeProvider clock, ILogger<InvitationDesk> logger)
{
    private async Task<List<long>> LedTeamsAsync(Viewer viewer, CancellationToken ct) =>
        viewer.IsEmployee ? await db.TeamMembers.Where(m => m.AccountId == viewer.AccountId && m.IsLead).Select(m => m.TeamId).ToListAsync(ct) : [];

    /// <summary>Whether the viewer may invite at all (and so see the invitations page).</summary>
    public async Task<bool> MayInviteAsync(Viewer viewer, CancellationToken ct) => viewer.IsAdmin || (await LedTeamsAsync(viewer, ct)).Count > 0;

    /// <summary>The partner organizations the viewer may invite guests of: all for admins, those its led teams share with for leads.</summary>
    public async Task<List<(string Handle, string Name)>> InvitableOrganizationsAsync(Viewer viewer, CancellationToken ct)
    {
        var query = db.PartnerOrgs.AsNoTracking();
        if (!viewer.IsAdmin)
        {
            var orgs = await SharedOrganizationsAsync(viewer, ct);
            query = query.Where(o => orgs.Contains(o.Id));
        }
        return (await query.OrderBy(o => o.Name).Take(500).Select(o => new { o.Handle, o.Name }).ToListAsync(ct)).Select(o => (o.Handle, o.Name)).ToList();
    }

    // Organizations that a team the viewer leads shares its channel with now.
    private async Task<List<long>> SharedOrganizationsAsync(Viewer viewer, CancellationToken ct)
    {
        var led = await LedTeamsAsync(viewer, ct);
        if (led.Count == 0) return [];
        var now = clock.GetUtcNow();
        var grants = await db.PartnerGrants.AsNoTracking().Where(g => led.Contains(g.TeamId) && g.RevokedAt == null)
            .Select(g => new { g.PartnerOrgId, g.ExpiresAt }).ToListAsync(ct);
        return grants.Where(g => g.ExpiresAt is null || g.ExpiresAt > now).Select(g => g.PartnerOrgId).Distinct().ToList();
    }

    public async Task<InvitationEntity> InviteAsync(Viewer viewer, string? email, int? expiresInDays, string? partner, CancellationToken ct)
    {
        var ledTeams = await LedTeamsAsync(viewer, ct);
        if (!viewer.IsAdmin && ledTeams.Count == 0) throw ApiException.Forbidden("Only administrators and team leads can invite people");
        email = email?.Trim();
        if (email is { Length: > 0 } && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal) || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            || !MimeKit.MailboxAddress.TryParse(email, out _)))
            throw ApiException.Unprocessable("Validation failed: email is not a valid address");
        var days = expiresInDays ?? 7;
        if (days is < 1 or > 90) throw ApiException.Unprocessable("Validation failed: expires_in_days must be between 1 and 90");
        long? orgId = null;
        string? orgName = null, orgHandle = null;
        if (partner is { Length: > 0 })
        {
            var handle = partner.Trim().ToLowerInvariant();
            var org = await db.PartnerOrgs.AsNoTracking().Where(o => o.Handle == handle).Select(o => new { o.Id, o.Name, o.Handle }).FirstOrDefaultAsync(ct)
                ?? throw ApiException.Unprocessable($"Validation failed: there is no partner organization {partner}");
            if (!viewer.IsAdmin && !(await viewers.ActiveGrantedTeamsAsync(org.Id, ct)).Intersect(ledTeams).Any())
                throw ApiException.Forbidden("Team leads invite guests only of the partner organizations their team shares its channel with");
            (orgId, orgName, orgHandle) = (org.Id, org.Name, org.Handle);
        }
        var (invitation, code) = await policy.InviteAsync(viewer.AccountId, email, orgId, TimeSpan.FromDays(days), ct);
        var link = $"{urls.Base}/auth/sign_up?invite={Uri.EscapeDataString(code)}";
        string? mailed = null;
        if (email is { Length: > 0 })
        {
            var inviter = await db.Users.AsNoTracking().Where(a => a.Id == viewer.AccountId).Select(a => a.DisplayName.Length > 0 ? a.DisplayName : a.UserName).FirstAsync(ct);
            var body = $"""
                {inviter} vous invite sur Gazouille{(orgName is null ? "" : $" en tant qu'invité de {orgName}")}.
                {inviter} invites you to Gazouille{(orgName is null ? "" : $" as a guest of {orgName}")}.

                {link}

                Ce lien ne sert qu'une fois et expire le {invitation.ExpiresAt:yyyy-MM-dd}. · This link works once and expires on {invitation.ExpiresAt:yyyy-MM-dd}.
                """;
            try
            {
                mailed = await mail.SendAsync(new OutgoingMail(email, "Invitation à Gazouille · Invitation to Gazouille", body), ct) ? "sent" : "logged";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The invitation exists; the inviter gets the link instead of an error.
                logger.LogWarning(e, "The invitation mail to {Email} could not be sent", email);
                mailed = "failed";
            }
        }
        else
        {
            logger.LogInformation("Invitation {Id} created without an e-mail address; its link was shown to the inviter", invitation.Id);
        }
        return Render(invitation, orgHandle ?? partner, clock.GetUtcNow(), mailed == "sent" ? null : link) with { Mail = mailed };
    }

    /// <summary>
    /// Newest first, <paramref name="limit"/> older than <paramref name="beforeId"/>: all for admins; for a team lead, those
    /// it made and those for the organizations its teams share with.
    /// </summary>
    public async Task<List<InvitationEntity>> ListAsync(Viewer viewer, long? beforeId, int limit, CancellationToken ct)
    {
        var query = db.Invitations.AsNoTracking();
        if (!viewer.IsAdmin)
        {
            var shared = await SharedOrganizationsAsync(viewer, ct);
            query = query.Where(i => i.CreatedById == viewer.AccountId || (i.PartnerOrgId != null && shared.Contains(i.PartnerOrgId.Value)));
        }
        if (beforeId is { } before) query = query.Where(i => i.Id < before);
        var rows = await query.OrderByDescending(i => i.Id).Take(limit).ToListAsync(ct);
        var orgIds = rows.Where(r => r.PartnerOrgId is not null).Select(r => r.PartnerOrgId!.Value).Distinct().ToList();
        var orgs = await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Handle, ct);
        var now = clock.GetUtcNow();
        return rows.Select(r => Render(r, r.PartnerOrgId is { } o ? orgs.GetValueOrDefault(o) : null, now, null)).ToList();
    }

    /// <summary>Revokes an unused invitation the viewer may list; false when there is none.</summary>
    public async Task<bool> RevokeAsync(Viewer viewer, long id, CancellationToken ct)
    {
        var shared = viewer.IsAdmin ? [] : await SharedOrganizationsAsync(viewer, ct);
        var now = clock.GetUtcNow();
        var changed = await db.Invitations.Where(i => i.Id == id && i.UsedAt == null && i.RevokedAt == null
                && (viewer.IsAdmin || i.CreatedById == viewer.AccountId || (i.PartnerOrgId != null && shared.Contains(i.PartnerOrgId.Value))))
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.RevokedAt, now), ct);
        return changed > 0;
    }

    private static InvitationEntity Render(Invitation i, string? partner, DateTimeOffset now, string? url) =>
        new(Ids.Format(i.Id), i.Email, partner, AccountRenderer.Iso(i.CreatedAt), AccountRenderer.Iso(i.ExpiresAt),
            i.UsedAt is not null ? "used" : i.RevokedAt is not null ? "revoked" : i.ExpiresAt <= now ? "expired" : "pending", url);
}
