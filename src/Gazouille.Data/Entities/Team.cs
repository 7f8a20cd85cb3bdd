namespace Gazouille.Data.Entities;

public class Team
{
    public long Id { get; set; }
    public required string Handle { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    /// <summary>Marked by an administrator (<c>admin verify-account</c>): the team speaks for the company.</summary>
    public bool Official { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<TeamMember> Members { get; set; } = [];
}

public class TeamMember
{
    public long TeamId { get; set; }
    public Team? Team { get; set; }
    public long AccountId { get; set; }
    public Account? Account { get; set; }
    public bool IsLead { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
}

/// <summary>An account that follows a team's channels (its team and partner audiences it may read).</summary>
public class TeamFollow
{
    public long TeamId { get; set; }
    public long AccountId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An account following another account.</summary>
public class Follow
{
    public long Id { get; set; }
    public long FollowerId { get; set; }
    public Account? Follower { get; set; }
    public long TargetId { get; set; }
    public Account? Target { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
