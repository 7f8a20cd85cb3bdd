namespace Gazouille.LeakGuard;

/// <summary>A text in both languages of the product; the reader's language is chosen at display time.</summary>
public sealed record LocalizedText(string En, string Fr)
{
    public string In(string? lang) => lang is not null && lang.StartsWith("fr", StringComparison.OrdinalIgnoreCase) ? Fr : En;
}

/// <summary>
/// One thing the guard found. <see cref="Start"/>/<see cref="End"/> are UTF-16 offsets into the ORIGINAL text, end exclusive.
/// <see cref="Type"/> is one of <see cref="FindingTypes"/> or a custom dictionary category.
/// </summary>
public sealed record LeakFinding(
    string Type,
    int Start,
    int End,
    string Text,
    double Confidence,
    LeakRule Rule,
    LeakDecision Decision,
    LocalizedText Reason,
    LocalizedText WayOut);

/// <summary>The guard's answer for one text and one audience.</summary>
public sealed record LeakVerdict(LeakDecision Decision, double Score, IReadOnlyList<LeakFinding> Findings, LeakAudience Audience)
{
    /// <summary>
    /// True when a detector hit its time limit and was skipped (hostile input, or a badly overloaded server): the
    /// findings may be missing something, so the decision is at least <see cref="LeakDecision.Hold"/> for readers
    /// outside the company (partners, public) and at least <see cref="LeakDecision.Warn"/> inside it.
    /// </summary>
    public bool Incomplete { get; init; }

    public static LeakVerdict Empty(LeakAudience audience) => new(LeakDecision.Allow, 0, [], audience);
}

/// <summary>The finding types of the CONTRACT (more may be added, e.g. custom dictionary categories).</summary>
public static class FindingTypes
{
    public const string Client = "client";
    public const string Project = "project";
    public const string Person = "person";
    public const string ConfidentialMarker = "confidential_marker";
    public const string InternalOnlyMarker = "internal_only_marker";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Iban = "iban";
    public const string Card = "card";
    public const string Nir = "nir";
    public const string Siren = "siren";
    public const string Siret = "siret";
    public const string Money = "money";
    public const string Headcount = "headcount";
    public const string Secret = "secret";
    public const string InternalHost = "internal_host";
    public const string Ip = "ip";
    public const string Negative = "negative";
    public const string Health = "health";
    public const string Hr = "hr";
}
