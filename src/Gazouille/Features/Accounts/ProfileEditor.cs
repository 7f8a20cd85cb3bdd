using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Media;
using Gazouille.Features.Statuses;

namespace Gazouille.Features.Accounts;

/// <summary>Profile changes (display name, bio, avatar) with the same checks for the API and the web page.</summary>
public sealed class ProfileEditor(GazouilleDb db, AvatarStore avatars, LeakGate guard, Trust.ImpersonationGuard impersonation)
{
    /// <summary>Checks and applies the text fields to a tracked account; throws before anything is saved.</summary>
    public Task ApplyAsync(Account me, string? displayName, string? note, CancellationToken ct) => ApplyAsync(me, displayName, note, null, ct);

    /// <summary>
    /// Checks and applies the text fields; a changed name or bio is judged by the Leak Guard (as partners: guests of
    /// partner orgs read profiles), <paramref name="leakGuardOverride"/> justifying a warning. Throws before anything changes.
    /// </summary>
    public async Task ApplyAsync(Account me, string? displayName, string? note, string? leakGuardOverride, CancellationToken ct)
    {
        var justification = guard.ValidateOverride(leakGuardOverride);
        var name = displayName?.Trim();
        if (name is not null && ProfileText.CheckDisplayName(name) is { } nameError) throw ApiException.Unprocessable("Validation failed: " + nameError);
        var bio = note is null ? null : StatusText.NormalizeNewlines(note).Trim();
        if (bio is not null && ProfileText.CheckBio(bio) is { } bioError) throw ApiException.Unprocessable("Validation failed: " + bioError);
        if (name is not null && name != me.DisplayName && await impersonation.CheckAsync(me.Id, me.PartnerOrgId, [name], ct) is { } lookalike)
            throw ApiException.Unprocessable("Validation failed: " + lookalike);
        if (name is not null && name != me.DisplayName) await guard.CheckProfileTextAsync(me.Id, null, "display_name", name, justification, $"account:{me.Id}", ct);
        if (bio is not null && bio != me.Bio) await guard.CheckProfileTextAsync(me.Id, null, "note", bio, justification, $"account:{me.Id}", ct);
        if (name is not null) me.DisplayName = name;
        if (bio is not null) me.Bio = bio;
    }

    /// <summary>Stores the new avatar if any, saves the account, then removes the old picture.</summary>
    public async Task SaveAsync(Account me, IFormFile? avatar, CancellationToken ct)
    {
        string? oldAvatar = null;
        if (avatar is not null)
        {
            oldAvatar = me.AvatarFile;
            me.AvatarFile = await avatars.SaveAsync(me.Id, avatar, ct);
        }
        await db.SaveChangesAsync(ct);
        if (oldAvatar is not null) await avatars.DeleteAsync(oldAvatar, ct);
    }
}
