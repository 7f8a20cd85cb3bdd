using System.Text.Json;
using Gazouille.Data.Entities;
using Gazouille.LeakGuard;

namespace Gazouille.Features.LeakGuard;

/// <summary>A finding and the field of the post it was found in (<c>status</c> or <c>spoiler_text</c>).</summary>
public sealed record FieldFinding(string Field, LeakFinding Finding);

/// <summary>The guard's verdict on a whole post (its text and its content warning) for one audience.</summary>
public sealed record LeakJudgement(LeakDecision Decision, double Score, LeakAudience Audience, IReadOnlyList<FieldFinding> Findings)
{
    /// <summary>The finding that decided: the first one whose decision is the verdict's.</summary>
    public FieldFinding? Decisive => Findings.FirstOrDefault(f => f.Finding.Decision == Decision);
}

/// <summary>A finding as the API shows it, in the reader's language.</summary>
public sealed record FindingEntity(
    string Type, string Field, int Start, int End, string Text, string Reason, string WayOut, string Rule, string Decision, double Confidence);

/// <summary>A finding as stored with a post (both languages, secret values masked) and in the audit log.</summary>
public sealed record StoredFinding(
    string Type, string Field, int Start, int End, string Text, string Rule, string Decision, double Confidence,
    string ReasonEn, string ReasonFr, string WayOutEn, string WayOutFr)
{
    public FindingEntity ToEntity(string lang)
    {
        var fr = lang.StartsWith("fr", StringComparison.OrdinalIgnoreCase);
        return new FindingEntity(Type, Field, Start, End, Text, fr ? ReasonFr : ReasonEn, fr ? WayOutFr : WayOutEn, Rule, Decision, Confidence);
    }
}

/// <summary>Turns verdicts into what the API shows, what is stored with a post and what the audit log keeps.</summary>
public static class LeakReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static FindingEntity ToEntity(FieldFinding f, string lang) =>
        new(f.Finding.Type, f.Field, f.Finding.Start, f.Finding.End, f.Finding.Text, f.Finding.Reason.In(lang), f.Finding.WayOut.In(lang),
            f.Finding.Rule.ToWire(), f.Finding.Decision.ToWire(), f.Finding.Confidence);

    public static StoredFinding ToStored(FieldFinding f) =>
        new(f.Finding.Type, f.Field, f.Finding.Start, f.Finding.End, Mask(f.Finding.Type, f.Finding.Text), f.Finding.Rule.ToWire(),
            f.Finding.Decision.ToWire(), f.Finding.Confidence, f.Finding.Reason.En, f.Finding.Reason.Fr, f.Finding.WayOut.En, f.Finding.WayOut.Fr);

    /// <summary>
    /// Secret values never leave the request that carried them: a secret keeps only its length; bank, card and social
    /// security numbers keep their last four characters, enough for a reviewer to recognize them.
    /// </summary>
    public static string Mask(string type, string text) => type switch
    {
        FindingTypes.Secret => $"[secret, {text.Length} characters, masked]",
        FindingTypes.Iban or FindingTypes.Card or FindingTypes.Nir => text.Length <= 4 ? "••••" : "••••" + text[^4..],
        _ => text,
    };

    public static string SerializeFindings(LeakJudgement j) => JsonSerializer.Serialize(j.Findings.Select(ToStored).ToList(), Json);

    public static List<StoredFinding> ReadFindings(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<StoredFinding>>(json, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static string TypesOf(LeakJudgement j) => " " + string.Join(' ', j.Findings.Select(f => f.Finding.Type).Distinct()) + " ";

    /// <summary>What the audit log keeps of a verdict: never the post's text, and masked finding values.</summary>
    public static object AuditDetails(LeakJudgement j, string audience, string? justification = null) => new
    {
        decision = j.Decision.ToWire(),
        score = j.Score,
        leak_audience = j.Audience.ToWire(),
        audience,
        findings = j.Findings.Select(f => new
        {
            type = f.Finding.Type, field = f.Field, start = f.Finding.Start, end = f.Finding.End,
            text = Mask(f.Finding.Type, f.Finding.Text), rule = f.Finding.Rule.ToWire(), decision = f.Finding.Decision.ToWire(),
        }).ToList(),
        justification,
    };

    public static string StateOf(StatusState state) => state switch
    {
        StatusState.Held => "held",
        StatusState.Rejected => "rejected",
        StatusState.Hidden => "hidden",
        _ => "published",
    };
}
