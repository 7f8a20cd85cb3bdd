namespace Gazouille.Data.Entities;

/// <summary>
/// An instance signing key (ECDSA P-256, ES256). The public half is published in the JWKS for ever, so posts signed
/// before a rotation still verify; the private half is kept encrypted with ASP.NET Core Data Protection.
/// </summary>
public class SigningKey
{
    /// <summary>The key id (<c>kid</c>): the RFC 7638 JWK thumbprint of the public key, base64url.</summary>
    public required string Id { get; set; }
    /// <summary>The public point, base64url, as in a JWK.</summary>
    public required string X { get; set; }
    public required string Y { get; set; }
    /// <summary>The PKCS#8 private key, protected by Data Protection (purpose <c>Gazouille.SigningKeys.v1</c>).</summary>
    public required string ProtectedPrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Set by a rotation: the key no longer signs, but it still verifies what it signed.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}

/// <summary>The signature of one published version of a post (edit 0 is the original). Stored, never recomputed.</summary>
public class StatusProof
{
    public long StatusId { get; set; }
    public int Edit { get; set; }
    /// <summary>The canonical JSON that was signed, exactly as signed.</summary>
    public required string Payload { get; set; }
    /// <summary>ES256 signature (r‖s, 64 bytes) of the payload's UTF-8 bytes, base64url.</summary>
    public required string Signature { get; set; }
    public required string KeyId { get; set; }
    public DateTimeOffset SignedAt { get; set; }
}
