using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Trust;

/// <summary>What a verification marked: an employee's account, a team, or a guest's partner organization.</summary>
public sealed record TrustMark(string Kind, string Handle, string Name, bool Marked);

/// <summary>
/// Official and verified marks, given by administrators (CLI, web admin, API). A username names an employee account
/// (marked official), a team handle (the team marked official), or a guest account: a guest speaks for its partner
/// organization, so verifying a guest verifies that organization (every guest of it shows the badge), never the
/// person alone. Each change is audited.
/// </summary>
public sealed class TrustMarks(GazouilleDb db, AuditLog audit)
{
    public async Task<TrustMark> MarkAsync(string actor, string rawUsername, bool marked, CancellationToken ct)
    {
        var username = rawUsername.Trim().TrimStart('@');
        if (username.Length == 0) throw ApiException.Unprocessable("Validation failed: username must name an account or a team");
        var normalized = username.ToUpperInvariant();
        var account = await db.Users.FirstOrDefaultAsync(a => a.NormalizedUserName == normalized, ct);
        if (account is { PartnerOrgId: { } orgId })
            return await MarkPartnerAsync(actor, await db.PartnerOrgs.Where(o => o.Id == orgId).Select(o => o.Handle).FirstAsync(ct), marked, ct);
        if (account is not null)
        {
            account.Official = marked;
            await audit.AppendAsync(actor, marked ? "trust.official" : "trust.unofficial", $"account:{account.Id}", new { username = account.UserName }, ct);
            return new TrustMark("account", account.UserName!, account.DisplayName, marked);
        }
        var lower = username.ToLowerInvariant();
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Handle == lower, ct)
            ?? throw new ApiException(StatusCodes.Status404NotFound, $"There is no account or team @{username}.");
        team.Official = marked;
        await audit.AppendAsync(actor, marked ? "trust.official" : "trust.unofficial", $"team:{team.Handle}", new { }, ct);
        return new TrustMark("team", team.Handle, team.Name, marked);
    }

    public async Task<TrustMark> MarkPartnerAsync(string actor, string rawHandle, bool verified, CancellationToken ct)
    {
        var handle = rawHandle.Trim().ToLowerInvariant();
        var org = await db.PartnerOrgs.FirstOrDefaultAsync(o => o.Handle == handle, ct)
            ?? throw new ApiException(StatusCodes.Status404NotFound, $"There is no partner organization '{handle}'.");
        org.Verified = verified;
        await audit.AppendAsync(actor, verified ? "trust.verify_partner" : "trust.unverify_partner", $"partner:{org.Handle}", new { }, ct);
        return new TrustMark("partner", org.Handle, org.Name, verified);
    }

    /// <summary>The sentence an administrator reads after a change.</summary>
    public static string Describe(TrustMark m) => (m.Kind, m.Marked) switch
    {
        ("partner", true) => $"{m.Name} ({m.Handle}) is now a verified partner organization; its guests show the badge.",
        ("partner", false) => $"{m.Name} ({m.Handle}) is no longer a verified partner organization.",
        ("team", true) => $"Team @{m.Handle} is now official.",
        ("team", false) => $"Team @{m.Handle} is no longer official.",
        (_, true) => $"@{m.Handle} is now an official account.",
        _ => $"@{m.Handle} is no longer an official account.",
    };
}
