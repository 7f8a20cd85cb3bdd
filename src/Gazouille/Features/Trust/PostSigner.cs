using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Trust;

/// <summary>
/// Signs each published version of a post once, when it is published (a new post, an edit, a moderator's approval),
/// and stores the proof: a proof is what the instance attested then, under the key of then, so a key rotation never
/// changes it and an edit adds a proof instead of replacing one.
/// </summary>
public sealed class PostSigner(GazouilleDb db, InstanceKeys keys, TimeProvider clock)
{
    private (string Kid, System.Security.Cryptography.ECDsa Key)? _key;

    /// <summary>
    /// Loads (or, the very first time, creates and saves) the signing key before the caller adds anything to the
    /// context, so that creating a key never saves half of a post.
    /// </summary>
    public async Task PrepareAsync(CancellationToken ct) => _key ??= await keys.ActiveAsync(ct);

    /// <summary>Adds the proof of the post's current version to the context (saved with the post); no-op if it exists.</summary>
    /// <param name="authorName">The author's user name when the caller has it (a new post), else it is read.</param>
    public async Task<StatusProof?> SignAsync(Status status, CancellationToken ct, string? authorName = null)
    {
        if (status.State != StatusState.Published || status.ReblogOfId is not null) return null;
        var tracked = db.ChangeTracker.Entries<StatusProof>().FirstOrDefault(e => e.Entity.StatusId == status.Id && e.Entity.Edit == status.EditCount);
        if (tracked is not null) return tracked.Entity;
        // A post not saved yet has no proof to look for.
        if (db.Entry(status).State != EntityState.Added
            && await db.StatusProofs.AnyAsync(p => p.StatusId == status.Id && p.Edit == status.EditCount, ct)) return null;

        var author = authorName ?? await db.Users.AsNoTracking().Where(a => a.Id == status.AccountId).Select(a => a.UserName).FirstAsync(ct);
        var team = status.AudienceTeamId is { } t ? await db.Teams.AsNoTracking().Where(x => x.Id == t).Select(x => x.Handle).FirstOrDefaultAsync(ct) : null;
        // A partner post's list of orgs is left out of the proof: a guest of one org must never learn of another (I3).
        var subset = status.AudienceKind == AudienceKind.Partners && status.AudienceOrgs.Count > 0;
        var version = new PostVersion(status.Id, status.EditCount, status.AccountId, author!, AudienceSpec.Format(status.AudienceKind, team, []), subset,
            status.SpoilerText, status.Text, status.CreatedAt, status.EditCount == 0 ? null : status.EditedAt);
        var payload = CanonicalPost.Payload(version);
        var (kid, key) = _key ??= await keys.ActiveAsync(ct);
        byte[] signature;
        lock (key) signature = key.SignData(Encoding.UTF8.GetBytes(payload), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var proof = new StatusProof
        {
            StatusId = status.Id, Edit = status.EditCount, Payload = payload, KeyId = kid, SignedAt = clock.GetUtcNow(),
            Signature = Base64Url.EncodeToString(signature),
        };
        db.StatusProofs.Add(proof);
        return proof;
    }
}
