namespace Gazouille.Data.Entities;

/// <summary>
/// Someone's report of an account (and optionally some of its posts) to the moderators, Mastodon's Report. Only posts
/// the reporter could read when reporting are attached; resolving or reopening is recorded here and in the audit log.
/// </summary>
public class Report
{
    public const int CommentMaxLength = 1000;
    public const int MaxStatuses = 20;

    public long Id { get; set; }
    public long ReporterId { get; set; }
    public long TargetAccountId { get; set; }
    /// <summary>misleading, leak, harassment, spam, violation or other.</summary>
    public required string Category { get; set; }
    public string Comment { get; set; } = "";
    /// <summary>Ids of the reported posts, comma-separated, each checked readable by the reporter at report time.</summary>
    public string StatusIds { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public long? ResolvedById { get; set; }
    /// <summary>What the moderator did when resolving it: hide, delete, suspend or warn; null when resolved without action (or open).</summary>
    public string? Action { get; set; }
    /// <summary>The moderator's reason, told to the author (never to the reporter).</summary>
    public string ActionText { get; set; } = "";
}

/// <summary>
/// A moderator's decision told to an account, Mastodon's AccountWarning: a warning, or the reason its posts were hidden or
/// deleted or it was suspended. The author reads it in a <c>moderation_warning</c> notification.
/// </summary>
public class AccountWarning
{
    public const int TextMaxLength = 1000;

    public long Id { get; set; }
    public long AccountId { get; set; }
    public long? ReportId { get; set; }
    /// <summary>hide, delete, suspend or warn.</summary>
    public required string Action { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Ids of the posts concerned, comma-separated.</summary>
    public string StatusIds { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
