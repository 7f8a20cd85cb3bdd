namespace Gazouille.Data.Entities;

/// <summary>A bearer token minted by <c>gazouille admin create-token</c>; only its SHA-256 is stored.</summary>
public class PersonalAccessToken
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string TokenHash { get; set; }
    public required string Scopes { get; set; }
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A single-use sign-up link.</summary>
public class Invitation
{
    public long Id { get; set; }
    public required string CodeHash { get; set; }
    public string? Email { get; set; }
    public long CreatedById { get; set; }
    public long? PartnerOrgId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>Instance settings an admin changes at run time (sign-up mode, allowed domains...).</summary>
public class InstanceSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}

/// <summary>Mastodon clients' per-app registration data that OpenIddict does not keep.</summary>
public class ClientApp
{
    public long Id { get; set; }
    public required string ClientId { get; set; }
    public required string Name { get; set; }
    public string? Website { get; set; }
    public required string Scopes { get; set; }
    public required string RedirectUris { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
