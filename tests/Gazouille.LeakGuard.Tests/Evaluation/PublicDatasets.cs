using System.Text.Json;

namespace Gazouille.LeakGuard.Evaluation;

/// <summary>A labelled span of a public data set, mapped to our finding type.</summary>
public sealed record GoldSpan(string Type, int Start, int End);

public sealed record GoldText(string Text, IReadOnlyList<GoldSpan> Spans);

/// <summary>Precision and recall of one finding type; a prediction counts when it overlaps a gold span of that type.</summary>
public sealed record TypeScore(string Dataset, string Type, int Gold, int Predicted, int TruePositives, int Found)
{
    public double Precision => Predicted == 0 ? 1 : (double)TruePositives / Predicted;

    public double Recall => Gold == 0 ? 1 : (double)Found / Gold;
}

public static class PublicDatasets
{
    // presidio-research synth_dataset_v2.json (MIT) and aphp/eds-pseudo gen_dataset/train.jsonl (BSD-3-Clause).
    private static readonly Dictionary<string, string> PresidioTypes = new()
    {
        ["EMAIL_ADDRESS"] = FindingTypes.Email, ["PHONE_NUMBER"] = FindingTypes.Phone, ["IBAN_CODE"] = FindingTypes.Iban,
        ["CREDIT_CARD"] = FindingTypes.Card, ["IP_ADDRESS"] = FindingTypes.Ip,
    };

    private static readonly Dictionary<string, string> EdsTypes = new()
    {
        ["TEL"] = FindingTypes.Phone, ["MAIL"] = FindingTypes.Email, ["SECU"] = FindingTypes.Nir,
    };

    public static IReadOnlyList<GoldText> Presidio()
    {
        var path = Path.Combine(RepoPaths.SharedData("presidio-synth"), "synth_dataset_v2.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new List<GoldText>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var spans = new List<GoldSpan>();
            foreach (var s in item.GetProperty("spans").EnumerateArray())
            {
                if (PresidioTypes.TryGetValue(s.GetProperty("entity_type").GetString()!, out var type))
                {
                    spans.Add(new GoldSpan(type, s.GetProperty("start_position").GetInt32(), s.GetProperty("end_position").GetInt32()));
                }
            }

            result.Add(new GoldText(item.GetProperty("full_text").GetString()!, spans));
        }

        return result;
    }

    public static IReadOnlyList<GoldText> EdsPseudo()
    {
        var path = Path.Combine(RepoPaths.SharedData("eds-pseudo-fr"), "train.jsonl");
        var result = new List<GoldText>();
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var spans = new List<GoldSpan>();
            foreach (var e in doc.RootElement.GetProperty("entities").EnumerateArray())
            {
                if (EdsTypes.TryGetValue(e.GetProperty("label").GetString()!, out var type))
                {
                    spans.Add(new GoldSpan(type, e.GetProperty("start").GetInt32(), e.GetProperty("end").GetInt32()));
                }
            }

            result.Add(new GoldText(doc.RootElement.GetProperty("note_text").GetString()!, spans));
        }

        return result;
    }

    /// <summary>
    /// Scores the findings the engine reports at <paramref name="minConfidence"/> and above. "ip" gold spans accept our
    /// ip and internal_host findings (a private address is reported as internal).
    /// </summary>
    public static IReadOnlyList<TypeScore> Score(string dataset, IReadOnlyList<GoldText> texts, double minConfidence)
    {
        var engine = new LeakGuardEngine(LeakPolicy.Parse("{\"min_confidence\": 0}"));
        var types = texts.SelectMany(t => t.Spans).Select(s => s.Type).Distinct().Order().ToList();
        var counts = types.ToDictionary(t => t, _ => new int[4]); // gold, predicted, true positives, found
        foreach (var text in texts)
        {
            var findings = engine.Check(text.Text, LeakAudience.Public).Findings
                .Where(f => f.Confidence >= minConfidence)
                .Select(f => (Type: f.Type == FindingTypes.InternalHost ? FindingTypes.Ip : f.Type, f.Start, f.End))
                .Where(f => counts.ContainsKey(f.Type)).ToList();
            foreach (var type in types)
            {
                var gold = text.Spans.Where(s => s.Type == type).ToList();
                var predicted = findings.Where(f => f.Type == type).ToList();
                var c = counts[type];
                c[0] += gold.Count;
                c[1] += predicted.Count;
                c[2] += predicted.Count(p => gold.Exists(g => g.Start < p.End && p.Start < g.End));
                c[3] += gold.Count(g => predicted.Exists(p => g.Start < p.End && p.Start < g.End));
            }
        }

        return [.. types.Select(t => new TypeScore(dataset, t, counts[t][0], counts[t][1], counts[t][2], counts[t][3]))];
    }
}
