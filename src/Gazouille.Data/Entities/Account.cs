using Microsoft.AspNetCore.Identity;

namespace Gazouille.Data.Entities;

public enum AccountRole { Employee = 0, Moderator = 1, Admin = 2 }

/// <summary>A person who signs in: an employee, or a guest of exactly one partner organization.</summary>
public class Account : IdentityUser<long>
{
    public string DisplayName { get; set; } = "";
    public string Bio { get; set; } = "";
    public string? AvatarFile { get; set; }
    public AccountRole Role { get; set; }
    /// <summary>Set for guests: the partner organization the guest belongs to.</summary>
    public long? PartnerOrgId { get; set; }
    public PartnerOrg? PartnerOrg { get; set; }
    /// <summary>fr or en once the person chooses; empty until then, and the browser's language applies.</summary>
    public string Language { get; set; } = "";
    /// <summary>The audience a post gets when its author names none (written as in the API, e.g. "company").</summary>
    public string DefaultAudience { get; set; } = "company";
    public const int DefaultAudienceMaxLength = 200;
    public bool Official { get; set; }
    public bool Suspended { get; set; }
    /// <summary>Signed up while admin approval is on and not yet approved: cannot sign in or get tokens (and is also <see cref="Suspended"/>, so nobody sees it).</summary>
    public bool PendingApproval { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastStatusAt { get; set; }

    public bool IsGuest => PartnerOrgId is not null;
}
