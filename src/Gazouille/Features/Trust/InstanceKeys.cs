using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Trust;

/// <summary>Private keys already decrypted in this process, by key id (a key id names one key for ever).</summary>
public sealed class SigningKeyCache
{
    public ConcurrentDictionary<string, ECDsa> ByKid { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The key that signs now, with the <see cref="ChangeClock"/> reading taken before it was read: good until a signing
    /// key is written (a rotation on this node, another node or by the CLI empties the clock), so publishing does not read
    /// the keys table for every post.
    /// </summary>
    internal volatile ActiveKey? Active;

    internal sealed record ActiveKey(string Kid, ECDsa Key, long Since);
}

/// <summary>
/// The instance's ES256 signing keys, kept in the database so every node signs with the same key. The private key is
/// encrypted with ASP.NET Core Data Protection, whose own keys live in the same database. The newest key that is not
/// retired signs; every key, retired or not, stays in the JWKS so old proofs keep verifying.
/// </summary>
public sealed class InstanceKeys(GazouilleDb db, IDataProtectionProvider protection, SigningKeyCache cache, ChangeClock changes, TimeProvider clock, ILogger<InstanceKeys> log)
{
    public const string Algorithm = "ES256";
    private IDataProtector Protector => protection.CreateProtector("Gazouille.SigningKeys.v1");

    /// <summary>The key that signs now; created on first use, and replaced if its private half can no longer be read.</summary>
    public async Task<(string Kid, ECDsa Key)> ActiveAsync(CancellationToken ct)
    {
        if (cache.Active is { } known && changes.UnchangedSince(known.Since, [])) return (known.Kid, known.Key);
        var since = changes.Now;
        var active = (await db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null).ToListAsync(ct))
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).FirstOrDefault();
        if (active is not null)
        {
            if (cache.ByKid.TryGetValue(active.Id, out var cached)) return Remember(active.Id, cached, since);
            try
            {
                var key = ECDsa.Create();
                key.ImportPkcs8PrivateKey(Convert.FromBase64String(Protector.Unprotect(active.ProtectedPrivateKey)), out _);
                return Remember(active.Id, cache.ByKid.GetOrAdd(active.Id, key), since);
            }
            catch (CryptographicException e)
            {
                // The Data Protection key ring was lost or changed: retire the unreadable key (its public half still
                // verifies old proofs) and sign with a new one from now on.
                log.LogWarning(e, "The private half of signing key {Kid} cannot be decrypted; a new signing key replaces it.", active.Id);
            }
        }
        var created = await RotateAsync(ct);
        return (created.Id, cache.ByKid[created.Id]);
    }

    private (string Kid, ECDsa Key) Remember(string kid, ECDsa key, long since)
    {
        cache.Active = new SigningKeyCache.ActiveKey(kid, key, since);
        return (kid, key);
    }

    /// <summary>Creates a new signing key and retires the others. Old keys keep verifying what they signed.</summary>
    public async Task<SigningKey> RotateAsync(CancellationToken ct)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: false);
        var x = Base64Url.EncodeToString(p.Q.X);
        var y = Base64Url.EncodeToString(p.Q.Y);
        var now = clock.GetUtcNow();
        var entity = new SigningKey
        {
            Id = Thumbprint(x, y), X = x, Y = y, CreatedAt = now,
            ProtectedPrivateKey = Protector.Protect(Convert.ToBase64String(key.ExportPkcs8PrivateKey())),
        };
        // The first key may be created while a post is published inside the caller's transaction: join it then.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.SigningKeys.Where(k => k.RetiredAt == null).ExecuteUpdateAsync(u => u.SetProperty(k => k.RetiredAt, now), ct);
        db.SigningKeys.Add(entity);
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        cache.ByKid[entity.Id] = key;
        return entity;
    }

    public async Task<List<SigningKey>> AllAsync(CancellationToken ct) =>
        (await db.SigningKeys.AsNoTracking().ToListAsync(ct)).OrderBy(k => k.CreatedAt).ToList();

    /// <summary>RFC 7638: SHA-256 of the required members in lexicographic order, base64url.</summary>
    public static string Thumbprint(string x, string y) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}")));
}
