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

/// <summary>
/// A signed-in browser. Its cookie holds only <see cref="Id"/> (protected by Data Protection); the authentication
/// ticket lives here, so each browser can be listed and ended on its own, on every node at once.
/// </summary>
public class BrowserSession
{
    public const int IdLength = 22, UserAgentMaxLength = 100, IpMaxLength = 45;

    /// <summary>128 random bits, base64url.</summary>
    public required string Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>The ASP.NET Core authentication ticket (TicketSerializer).</summary>
    public required byte[] Ticket { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Written at most once a minute.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>Browser and system, e.g. "Firefox, Linux" (not the whole User-Agent).</summary>
    public string UserAgent { get; set; } = "";
    public string IpAddress { get; set; } = "";
}
