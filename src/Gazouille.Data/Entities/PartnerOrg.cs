namespace Gazouille.Data.Entities;

/// <summary>An organization outside the company whose guests read what teams share with it.</summary>
public class PartnerOrg
{
    public long Id { get; set; }
    public required string Handle { get; set; }
    public required string Name { get; set; }
    /// <summary>E-mail domains, comma-separated, lower case.</summary>
    public string Domains { get; set; } = "";
    public bool Verified { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum GrantRights { Read = 0, ReadAndReply = 1 }

/// <summary>A team sharing its partner channel with a partner organization. Checked at read time.</summary>
public class PartnerGrant
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public Team? Team { get; set; }
    public long PartnerOrgId { get; set; }
    public PartnerOrg? PartnerOrg { get; set; }
    public GrantRights Rights { get; set; } = GrantRights.ReadAndReply;
    public DateTimeOffset GrantedAt { get; set; }
    public long? GrantedById { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
