using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gazouille.Features.Trust;

/// <summary>A proof as the API serves it: <c>{"payload","signature","key_id","alg"}</c>.</summary>
public sealed record ProofEntity(string Payload, string Signature, string KeyId, string Alg);

/// <summary>What a verification found: whether the signature holds, why not, and what the signed payload says.</summary>
public sealed record ProofCheck(bool Valid, string Reason, SignedPost? Post);

/// <summary>The signed facts of a post version, read from a payload.</summary>
public sealed record SignedPost(string Id, int Edit, string Author, string AuthorId, string Audience, bool AudienceSubset,
    string Text, string SpoilerText, string CreatedAt, string? EditedAt);

/// <summary>
/// Checks a proof against a JWKS, the same way for the <c>gazouille verify</c> command and the verify page. Needs no
/// database: a third party holding the proof and the instance's JWKS checks exactly the same thing.
/// </summary>
public static class ProofVerifier
{
    public static ProofCheck Verify(string proofJson, string jwksJson)
    {
        ProofEntity? proof;
        try
        {
            proof = ParseProof(proofJson);
        }
        catch (JsonException)
        {
            proof = null;
        }
        if (proof is null) return Invalid("The proof is not valid JSON with payload, signature, key_id and alg.");
        return Verify(proof, jwksJson);
    }

    public static ProofCheck Verify(ProofEntity proof, string jwksJson)
    {
        if (proof.Alg != InstanceKeys.Algorithm) return Invalid($"The algorithm '{proof.Alg}' is not ES256.");
        SignedPost? post;
        try
        {
            post = ReadPayload(proof.Payload);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return Invalid("The payload is not a Gazouille post.");
        }
        if (post is null) return Invalid("The payload is not a Gazouille post.");

        ECDsa? key;
        try
        {
            key = FindKey(jwksJson, proof.KeyId);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or CryptographicException)
        {
            return Invalid("The instance's key set (JWKS) cannot be read.");
        }
        if (key is null) return new ProofCheck(false, $"The instance has no key '{proof.KeyId}': this proof was not signed by it.", post);

        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(proof.Signature);
        }
        catch (FormatException)
        {
            return new ProofCheck(false, "The signature is not base64url.", post);
        }
        using (key)
        {
            var ok = key.VerifyData(Encoding.UTF8.GetBytes(proof.Payload), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return ok
                ? new ProofCheck(true, $"Valid: post {post.Id} (edit {post.Edit}) by @{post.Author}, signed with key {proof.KeyId}.", post)
                : new ProofCheck(false, "The signature does not match the payload: the post was changed or not signed by this instance.", post);
        }
    }

    private static ProofCheck Invalid(string reason) => new(false, reason, null);

    public static ProofEntity? ParseProof(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return null;
        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return Str("payload") is { } payload && Str("signature") is { } signature && Str("key_id") is { } kid && Str("alg") is { } alg
            ? new ProofEntity(payload, signature, kid, alg) : null;
    }

    public static SignedPost? ReadPayload(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var r = doc.RootElement;
        if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("type", out var type) || type.GetString() != CanonicalPost.Type) return null;
        return new SignedPost(r.GetProperty("id").GetString()!, r.GetProperty("edit").GetInt32(), r.GetProperty("author").GetString()!,
            r.GetProperty("author_id").GetString()!, r.GetProperty("audience").GetString()!, r.GetProperty("audience_subset").GetBoolean(),
            r.GetProperty("text").GetString()!, r.GetProperty("spoiler_text").GetString()!, r.GetProperty("created_at").GetString()!,
            r.GetProperty("edited_at").ValueKind == JsonValueKind.Null ? null : r.GetProperty("edited_at").GetString());
    }

    /// <summary>The EC P-256 public key with this <c>kid</c> in an RFC 7517 key set, or null.</summary>
    public static ECDsa? FindKey(string jwksJson, string kid)
    {
        using var doc = JsonDocument.Parse(jwksJson);
        foreach (var k in doc.RootElement.GetProperty("keys").EnumerateArray())
        {
            if (k.GetProperty("kid").GetString() != kid) continue;
            if (k.GetProperty("kty").GetString() != "EC" || k.GetProperty("crv").GetString() != "P-256") return null;
            return ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(k.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(k.GetProperty("y").GetString()) },
            });
        }
        return null;
    }
}
