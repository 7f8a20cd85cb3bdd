namespace Gazouille.Data.Entities;

/// <summary>Who may read a post. The order is not a subset order; see <see cref="Visibility"/> for the rule.</summary>
public enum AudienceKind { Direct = 0, Followers = 1, Team = 2, Company = 3, Partners = 4, Public = 5 }

/// <summary>Hidden: a moderator hid it after a report; only its author and moderators may still open it.</summary>
public enum StatusState { Published = 0, Held = 1, Rejected = 2, Hidden = 3 }

/// <summary>A post, a reply or a boost (a boost has <see cref="ReblogOfId"/> and copies the original's audience).</summary>
public class Status
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public Account? Account { get; set; }

    /// <summary>What the author typed; its HTML is rendered at read time, with the reader's base URL.</summary>
    public string Text { get; set; } = "";
    public string SpoilerText { get; set; } = "";
    public bool Sensitive { get; set; }
    public string? Language { get; set; }

    public AudienceKind AudienceKind { get; set; }
    /// <summary>The team of a <c>team:</c> or <c>partners:</c> audience.</summary>
    public long? AudienceTeamId { get; set; }
    /// <summary>Whose followers may read a <c>followers</c> audience (the author, or the parent's author for a reply).</summary>
    public long? AudienceOwnerId { get; set; }
    /// <summary>For <c>partners:&lt;team&gt;:&lt;org&gt;,…</c>: the listed orgs; empty means every org the team grants now.</summary>
    public List<StatusAudienceOrg> AudienceOrgs { get; set; } = [];
    /// <summary>False for Mastodon's "unlisted": readable by its audience but kept off the company and public timelines.</summary>
    public bool Listed { get; set; } = true;

    public long? InReplyToId { get; set; }
    public long? InReplyToAccountId { get; set; }
    /// <summary>The first post of the thread (its own id for a thread's root).</summary>
    public long ThreadId { get; set; }
    public long? ReblogOfId { get; set; }
    public Status? ReblogOf { get; set; }

    public StatusState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EditedAt { get; set; }
    public int EditCount { get; set; }

    public List<StatusMention> Mentions { get; set; } = [];
    public List<StatusTag> Tags { get; set; } = [];
}

public class StatusAudienceOrg
{
    public long StatusId { get; set; }
    public long PartnerOrgId { get; set; }
}

public class StatusMention
{
    public long StatusId { get; set; }
    public long AccountId { get; set; }
    public Account? Account { get; set; }
}

public class StatusTeamMention
{
    public long StatusId { get; set; }
    public long TeamId { get; set; }
}

public class StatusTag
{
    public long StatusId { get; set; }
    /// <summary>Lower-case tag name without '#'.</summary>
    public required string Name { get; set; }
}

/// <summary>A former version of a post, kept so that edits stay visible.</summary>
public class StatusEdit
{
    public long Id { get; set; }
    public long StatusId { get; set; }
    public string Text { get; set; } = "";
    public string SpoilerText { get; set; } = "";
    public bool Sensitive { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public class Favourite
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long StatusId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public class Bookmark
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long StatusId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Remembers an Idempotency-Key so that a retried post is answered with the first one.</summary>
public class IdempotencyRecord
{
    public long AccountId { get; set; }
    public required string Key { get; set; }
    public long StatusId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
