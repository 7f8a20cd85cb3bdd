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

/// <summary>
/// An author's claim that a Leak Guard warning was wrong ("this is not a leak"), about one entry of their warning
/// history (<see cref="AuditSeq"/>) or a tip of the compose box (the text they sent then, masked, in <see cref="Excerpt"/>).
/// A moderator accepts or rejects it, and may turn it into a policy change (an exception term, a dictionary fix).
/// </summary>
public class FalsePositiveReport
{
    public const int CommentMaxLength = 1000;
    public const int NoteMaxLength = 1000;
    public const int ExcerptMaxLength = 600;

    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>The history entry (audit log sequence) reported; null for a compose-box tip.</summary>
    public long? AuditSeq { get; set; }
    /// <summary>warn, override, hold, block (a history entry) or check (a compose-box tip).</summary>
    public string Action { get; set; } = "check";
    public string Decision { get; set; } = "warn";
    /// <summary>The Leak Guard audience the text was judged for: team, followers, company, partners or public.</summary>
    public string Audience { get; set; } = "company";
    /// <summary>The findings as JSON (type, rule, decision, text with secret values masked).</summary>
    public string FindingsJson { get; set; } = "[]";
    /// <summary>The reported text around the findings, secret values masked; null when the text was never saved.</summary>
    public string? Excerpt { get; set; }
    public string Comment { get; set; } = "";
    /// <summary>open, accepted or rejected.</summary>
    public string Status { get; set; } = "open";
    /// <summary>When the Leak Guard spoke: the history entry's time, or the report's for a tip.</summary>
    public DateTimeOffset WarnedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long? ResolvedById { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolutionNote { get; set; }
    /// <summary>The policy change made on acceptance, as "exception:&lt;term&gt;", "remove:&lt;category&gt;:&lt;term&gt;" or "ambiguous:&lt;category&gt;:&lt;term&gt;".</summary>
    public string? PolicyChange { get; set; }
    public int? PolicyVersion { get; set; }
}
