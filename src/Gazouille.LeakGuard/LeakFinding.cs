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
/// <remarks>
/// The engine's findings build <see cref="Reason"/> on first read: most checks run on every keystroke and only the
/// decision and offsets are read, so the two formatted sentences per finding are made only for the findings shown.
/// Equality is over every property, <see cref="Reason"/> included, as for a positional record.
/// </remarks>
public sealed record LeakFinding
{
    private readonly string? _note;
    private LocalizedText? _reason;
    private string? _text;
    private readonly string? _source;

    public LeakFinding(string type, int start, int end, string text, double confidence, LeakRule rule, LeakDecision decision,
        LocalizedText reason, LocalizedText wayOut)
    {
        ArgumentNullException.ThrowIfNull(reason);
        this.Type = type;
        this.Start = start;
        this.End = end;
        _text = text;
        this.Confidence = confidence;
        this.Rule = rule;
        this.Decision = decision;
        this.WayOut = wayOut;
        _reason = reason;
    }

    /// <summary>
    /// A finding whose text is cut from <paramref name="source"/> (the checked text) and whose reason is formatted from
    /// its type, the detector's note and its text, both when first read.
    /// </summary>
    internal LeakFinding(string type, int start, int end, string source, double confidence, LeakRule rule, LeakDecision decision,
        string? note, LocalizedText wayOut)
    {
        this.Type = type;
        this.Start = start;
        this.End = end;
        _source = source;
        this.Confidence = confidence;
        this.Rule = rule;
        this.Decision = decision;
        _note = note;
        this.WayOut = wayOut;
    }

    public string Type { get; }

    public int Start { get; }

    public int End { get; }

    /// <summary>The finding's span of the original text (cut on first read; a race only cuts it twice).</summary>
    public string Text => _text ??= _source!.Substring(Start, End - Start);

    public double Confidence { get; }

    public LeakRule Rule { get; }

    public LeakDecision Decision { get; }

    /// <summary>Why this is a finding, in both languages (formatted on first read; a race only formats it twice).</summary>
    public LocalizedText Reason => _reason ??= global::Gazouille.LeakGuard.Decision.Explainer.Reason(Type, _note, Text);

    public LocalizedText WayOut { get; }

    public bool Equals(LeakFinding? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Type == other.Type && Start == other.Start && End == other.End && Text == other.Text
                && Confidence.Equals(other.Confidence) && Rule == other.Rule && Decision == other.Decision
                && WayOut == other.WayOut && Reason == other.Reason));

    public override int GetHashCode() => HashCode.Combine(Type, Start, End, Text, Confidence, Rule, Decision, WayOut);
}

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
