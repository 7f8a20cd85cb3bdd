using System.Security.Cryptography;
using System.Text;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Accounts;

public sealed record SignUpRequest(string Username, string Email, string? DisplayName, string Password, string? InviteCode);

/// <summary>
/// Who may create an account: nobody (<c>closed</c>), holders of a single-use invitation (<c>invitations</c>, the
/// default), or also anyone with an e-mail address on an allowed domain (<c>domains</c>). An invitation from a partner
/// organization makes a guest of that organization.
/// </summary>
public sealed class SignUpPolicy(GazouilleDb db, AccountDirectory accounts, IOptions<GazouilleSettings> settings, TimeProvider clock)
{
    public const string InvalidInvitation = "This invitation link is not valid: it may have expired, been used or been revoked. Ask for a new one.";

    public const string PendingApproval = "Your account was created and is waiting for an administrator's approval; you can sign in once it is approved.";

    public string Mode => settings.Value.SignUp.Mode.Trim().ToLowerInvariant();

    public async Task<(Account? Account, string? Error)> SignUpAsync(SignUpRequest request, CancellationToken ct)
    {
        if (Mode == "closed") return (null, "Sign-up is closed on this instance; ask an administrator for an account.");
        if (request.Password.Length > 200) return (null, "The password is too long (maximum is 200 characters).");
        var email = request.Email.Trim();
        Invitation? invitation = null;
        if (!string.IsNullOrWhiteSpace(request.InviteCode))
        {
            invitation = await FindUsableAsync(request.InviteCode, ct);
            if (invitation is null) return (null, InvalidInvitation);
            if (invitation.Email is { Length: > 0 } invited && !string.Equals(invited, email, StringComparison.OrdinalIgnoreCase))
                return (null, "This invitation was sent to another e-mail address.");
        }
        else if (Mode != "domains" || !IsAllowedDomain(email))
        {
            return (null, Mode == "domains"
                ? "Sign-up needs an e-mail address of the company or an invitation link."
                : "Sign-up needs an invitation link; ask a colleague or an administrator for one.");
        }

        string? partner = null;
        if (invitation?.PartnerOrgId is { } orgId)
            partner = await db.PartnerOrgs.Where(o => o.Id == orgId).Select(o => o.Handle).FirstOrDefaultAsync(ct);

        var (account, _, error) = await accounts.CreateAsync(
            new NewAccount(request.Username, email, request.DisplayName, AccountRole.Employee, partner, request.Password), ct);
        if (account is null) return (null, error);
        if (invitation is not null)
        {
            // Single use: only the first sign-up that flips UsedAt wins, even if two race.
            var now = clock.GetUtcNow();
            var claimed = await db.Invitations.Where(i => i.Id == invitation.Id && i.UsedAt == null).ExecuteUpdateAsync(u => u.SetProperty(i => i.UsedAt, now), ct);
            if (claimed == 0)
            {
                await db.Users.Where(a => a.Id == account.Id).ExecuteDeleteAsync(ct);
                return (null, InvalidInvitation);
            }
        }
        if (settings.Value.SignUp.RequireApproval)
        {
            // Also suspended, so every path that hides suspended accounts hides it until an administrator approves it.
            await db.Users.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.PendingApproval, true).SetProperty(a => a.Suspended, true), ct);
            account.PendingApproval = true;
            account.Suspended = true;
        }
        return (account, null);
    }

    public bool IsAllowedDomain(string email)
    {
        var at = email.LastIndexOf('@');
        if (at < 0) return false;
        var domain = email[(at + 1)..].Trim().ToLowerInvariant();
        return settings.Value.SignUp.AllowedDomains.Any(d => string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase));
    }

    public async Task<Invitation?> FindUsableAsync(string code, CancellationToken ct)
    {
        var hash = Hash(code.Trim());
        var invitation = await db.Invitations.AsNoTracking().FirstOrDefaultAsync(i => i.CodeHash == hash, ct);
        var now = clock.GetUtcNow();
        return invitation is { UsedAt: null, RevokedAt: null } && invitation.ExpiresAt > now ? invitation : null;
    }

    /// <summary>Creates an invitation; the code is returned once and only its hash is kept.</summary>
    public async Task<(Invitation Invitation, string Code)> InviteAsync(long createdBy, string? email, long? partnerOrgId, TimeSpan validFor, CancellationToken ct)
    {
        var code = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var invitation = new Invitation
        {
            Id = Snowflake.NewId(now), CodeHash = Hash(code), Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim(),
            CreatedById = createdBy, PartnerOrgId = partnerOrgId, CreatedAt = now, ExpiresAt = now + validFor,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(ct);
        return (invitation, code);
    }

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
