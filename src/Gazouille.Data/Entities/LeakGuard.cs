namespace Gazouille.Data.Entities;

/// <summary>One version of the instance's Leak Guard policy, as an admin imported it; the highest version is in force.</summary>
public class LeakPolicyDocument
{
    public long Id { get; set; }
    public int Version { get; set; }
    /// <summary>json or yaml: how <see cref="Text"/> is written.</summary>
    public string Format { get; set; } = "json";
    public string Text { get; set; } = "";
    /// <summary>SHA-256 of <see cref="Text"/> (hex), so the audit log can name the version without copying it.</summary>
    public string Sha256 { get; set; } = "";
    public string ChangedBy { get; set; } = "";
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>
/// The Leak Guard's verdict on a post as it stands (created, edited, reviewed): decision, findings for the author and
/// moderators, the author's justification of an overridden warning and the moderator's review. Secret values are
/// never stored: a secret finding keeps its span, not its text.
/// </summary>
public class LeakReview
{
    public long StatusId { get; set; }
    public long AccountId { get; set; }
    /// <summary>allow, warn, hold or block (block only shows in the audit log: a blocked post is not saved).</summary>
    public string Decision { get; set; } = "allow";
    /// <summary>The Leak Guard audience the post was judged for: team, followers, company, partners or public.</summary>
    public string Audience { get; set; } = "company";
    public double Score { get; set; }
    /// <summary>The findings as JSON (type, field, start, end, text, rule, decision, reason and way out in fr and en).</summary>
    public string FindingsJson { get; set; } = "[]";
    /// <summary>The finding types, space-separated with a space at each end (" client money "), for filters.</summary>
    public string Types { get; set; } = " ";
    public string? Override { get; set; }
    /// <summary>The column's size: LeakGuard:OverrideMaxLength cannot go beyond it (PostgreSQL enforces it, SQLite would not).</summary>
    public const int OverrideMaxLength = 2000;
    public DateTimeOffset CheckedAt { get; set; }
    /// <summary>True while the post waits for a moderator.</summary>
    public bool Pending { get; set; }
    public long? ReviewedById { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    /// <summary>approved, rejected or edit_requested.</summary>
    public string? Outcome { get; set; }
    public string? ReviewReason { get; set; }
}

/// <summary>
/// An append-only, hash-chained record of what the guard decided and what admins and moderators did. Each entry's
/// <see cref="Hash"/> covers its fields and the previous entry's hash, so an altered, inserted or deleted entry shows.
/// </summary>
public class AuditEntry
{
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>Who acted: "@username", "cli" or "system".</summary>
    public string Actor { get; set; } = "";
    /// <summary>What happened, dotted: leak_guard.hold, moderation.approve, policy.import, partner.grant…</summary>
    public string Action { get; set; } = "";
    /// <summary>What it happened to: "status:123", "team:ops/partner:acme", "policy:4".</summary>
    public string Subject { get; set; } = "";
    /// <summary>Canonical JSON, secret values masked.</summary>
    public string Details { get; set; } = "{}";
    public string PrevHash { get; set; } = "";
    public string Hash { get; set; } = "";
}
