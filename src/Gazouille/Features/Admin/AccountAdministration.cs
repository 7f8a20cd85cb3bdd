using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Admin;

/// <summary>What administrators do to accounts: roles and suspension. Suspension ends every session at the next request.</summary>
public sealed class AccountAdministration(GazouilleDb db, AuditLog audit, Streaming.StreamOutbox stream)
{
    public async Task SetSuspendedAsync(Viewer admin, long accountId, bool suspended, CancellationToken ct)
    {
        RequireAdmin(admin);
        if (accountId == admin.AccountId) throw ApiException.Unprocessable("Validation failed: you cannot suspend yourself");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Users.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Suspended, suspended), ct);
        if (changed == 0) throw ApiException.NotFound();
        // The account's open streams close when this commits, like its next request would be refused.
        stream.Raise(db, Streaming.StreamEvent.AccessOf(accountId));
        await audit.AppendAsync(await ActorAsync(admin, ct), suspended ? "account.suspend" : "account.unsuspend", $"account:{accountId}", new { }, ct);
        await tx.CommitAsync(ct);
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
}
