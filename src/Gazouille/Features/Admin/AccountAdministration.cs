using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Admin;

/// <summary>
/// What administrators do to accounts: roles, suspension, ending sessions and tokens, and approval of sign-ups when the instance asks for it.
/// Suspension ends every session at the next request.
/// </summary>
public sealed class AccountAdministration(GazouilleDb db, AuditLog audit, Streaming.StreamOutbox stream,
    OpenIddict.Abstractions.IOpenIddictTokenManager tokens, OpenIddict.Abstractions.IOpenIddictAuthorizationManager authorizations)
{
    public async Task SetSuspendedAsync(Viewer admin, long accountId, bool suspended, CancellationToken ct)
    {
        RequireAdmin(admin);
        await SuspendAsync(admin, accountId, suspended, ct);
    }

    /// <summary>
    /// Acting on a report, a moderator may suspend an employee or a guest; moderators and administrators only an
    /// administrator may suspend. Joins the caller's transaction (the report's resolution commits with it).
    /// </summary>
    public async Task SuspendForReportAsync(Viewer moderator, long accountId, CancellationToken ct)
    {
        if (!moderator.IsModerator) throw ApiException.Forbidden("Only moderators and administrators act on reports");
        if (!moderator.IsAdmin && await db.Users.AnyAsync(a => a.Id == accountId && a.Role != AccountRole.Employee, ct))
            throw ApiException.Forbidden("Only administrators can suspend a moderator or an administrator");
        await SuspendAsync(moderator, accountId, true, ct);
    }

    private async Task SuspendAsync(Viewer admin, long accountId, bool suspended, CancellationToken ct)
    {
        if (accountId == admin.AccountId) throw ApiException.Unprocessable("Validation failed: you cannot suspend yourself");
        if (!suspended && await db.Users.AnyAsync(a => a.Id == accountId && a.PendingApproval, ct))
            throw ApiException.Unprocessable("Validation failed: this account is waiting for approval; approve or reject it");
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var changed = await db.Users.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Suspended, suspended), ct);
        if (changed == 0) throw ApiException.NotFound();
        // The account's open streams close when this commits, like its next request would be refused.
        stream.Raise(db, Streaming.StreamEvent.AccessOf(accountId));
        await audit.AppendAsync(await ActorAsync(admin, ct), suspended ? "account.suspend" : "account.unsuspend", $"account:{accountId}", new { }, ct);
        if (tx is not null) await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Ends every way the account is signed in without suspending it: OAuth tokens and authorizations, personal access
    /// tokens, and browser sessions (deleted, and a new security stamp, compared on each request). Returns how many tokens ended.
    /// </summary>
    public async Task<long> RevokeSessionsAsync(Viewer admin, long accountId, CancellationToken ct)
    {
        RequireAdmin(admin);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var stamp = Guid.NewGuid().ToString("N").ToUpperInvariant();
        if (await db.Users.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.SecurityStamp, stamp), ct) == 0)
            throw ApiException.NotFound();
        var now = DateTimeOffset.UtcNow;
        long ended = await db.PersonalAccessTokens.Where(t => t.AccountId == accountId && t.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, now), ct);
        var subject = accountId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ended += await tokens.RevokeBySubjectAsync(subject, ct);
        await authorizations.RevokeBySubjectAsync(subject, ct);
        var browsers = await db.BrowserSessions.Where(s => s.AccountId == accountId).ExecuteDeleteAsync(ct);
        // Streams already open end too, on every node, once this commits.
        stream.Raise(db, Streaming.StreamEvent.SessionsEnded(accountId));
        await audit.AppendAsync(await ActorAsync(admin, ct), "account.revoke_sessions", $"account:{accountId}", new { tokens = ended, browsers }, ct);
        await tx.CommitAsync(ct);
        return ended;
    }

    private async Task<string> ActorAsync(Viewer admin, CancellationToken ct) =>
        "@" + await db.Users.AsNoTracking().Where(a => a.Id == admin.AccountId).Select(a => a.UserName).FirstAsync(ct);

    public async Task SetRoleAsync(Viewer admin, long accountId, AccountRole role, CancellationToken ct)
    {
        RequireAdmin(admin);
        if (!Enum.IsDefined(role)) throw ApiException.Unprocessable("Validation failed: role must be employee, moderator or admin");
        if (accountId == admin.AccountId && role != AccountRole.Admin)
            throw ApiException.Unprocessable("Validation failed: you cannot remove your own administrator role; ask another administrator");
        var account = await db.Users.FirstOrDefaultAsync(a => a.Id == accountId, ct) ?? throw ApiException.NotFound();
        if (account.PartnerOrgId is not null && role != AccountRole.Employee)
            throw ApiException.Unprocessable("Validation failed: guests cannot be moderators or administrators");
        var previous = account.Role;
        account.Role = role;
        await audit.AppendAsync(await ActorAsync(admin, ct), "account.role", $"account:{accountId}",
            new { from = previous.ToString().ToLowerInvariant(), to = role.ToString().ToLowerInvariant() }, ct);
    }

    private static void RequireAdmin(Viewer viewer)
    {
        if (!viewer.IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
    }

    public sealed record PendingAccount(long Id, string Username, string DisplayName, string Email, string? Partner, DateTimeOffset CreatedAt);

    /// <summary>Sign-ups waiting for approval, oldest first, <paramref name="limit"/> after <paramref name="afterId"/>.</summary>
    public async Task<List<PendingAccount>> PendingAsync(Viewer admin, long? afterId, int limit, CancellationToken ct)
    {
        RequireAdmin(admin);
        var query = db.Users.AsNoTracking().Where(a => a.PendingApproval);
        if (afterId is { } after) query = query.Where(a => a.Id > after);
        return await query.OrderBy(a => a.Id).Take(limit)
            .Select(a => new PendingAccount(a.Id, a.UserName!, a.DisplayName, a.Email ?? "",
                a.PartnerOrgId == null ? null : db.PartnerOrgs.Where(o => o.Id == a.PartnerOrgId).Select(o => o.Name).FirstOrDefault(), a.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>Lets a pending account sign in from now on.</summary>
    public async Task ApproveAsync(Viewer admin, long accountId, CancellationToken ct)
    {
        RequireAdmin(admin);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Users.Where(a => a.Id == accountId && a.PendingApproval)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.PendingApproval, false).SetProperty(a => a.Suspended, false), ct);
        if (changed == 0) throw ApiException.NotFound();
        await audit.AppendAsync(await ActorAsync(admin, ct), "account.approve", $"account:{accountId}", new { }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Deletes a pending account (it never posted nor signed in), so its name and address are free again.</summary>
    public async Task RejectAsync(Viewer admin, long accountId, CancellationToken ct)
    {
        RequireAdmin(admin);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var account = await db.Users.AsNoTracking().Where(a => a.Id == accountId && a.PendingApproval).Select(a => new { a.UserName, a.Email }).FirstOrDefaultAsync(ct)
            ?? throw ApiException.NotFound();
        await db.TeamFollows.Where(f => f.AccountId == accountId).ExecuteDeleteAsync(ct);
        await db.Users.Where(a => a.Id == accountId).ExecuteDeleteAsync(ct);
        await audit.AppendAsync(await ActorAsync(admin, ct), "account.reject", $"account:{accountId}", new { username = account.UserName, email = account.Email }, ct);
        await tx.CommitAsync(ct);
    }
}
