using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Media;
using Gazouille.Features.Statuses;

namespace Gazouille.Features.Accounts;

/// <summary>Profile changes (display name, bio, avatar) with the same checks for the API and the web page.</summary>
public sealed class ProfileEditor(GazouilleDb db, AvatarStore avatars)
{
    /// <summary>Checks and applies the text fields to a tracked account; throws before anything is saved.</summary>
    public Task ApplyAsync(Account me, string? displayName, string? note, CancellationToken ct)
    {
        if (displayName is { } name)
        {
            name = name.Trim();
            if (ProfileText.CheckDisplayName(name) is { } error) throw ApiException.Unprocessable("Validation failed: " + error);
            me.DisplayName = name;
        }
        if (note is { } bio)
        {
            bio = StatusText.NormalizeNewlines(bio).Trim();
            if (ProfileText.CheckBio(bio) is { } error) throw ApiException.Unprocessable("Validation failed: " + error);
            me.Bio = bio;
        }
        return Task.CompletedTask;
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
        if (oldAvatar is not null) avatars.Delete(oldAvatar);
    }
}
