namespace Gazouille.LeakGuard.Evaluation;

public enum PostLabel
{
    Harmless,
    Leak,
    Severe,
}

/// <summary>One labelled post: what an attentive compliance officer expects, written before running the guard.</summary>
public sealed record LabelledPost(string Id, PostLabel Label, IReadOnlyList<string> Types, string Text, string? ChannelClient);

/// <summary>
/// The corpus of the invented "Gazouille demo company": tune.txt (we adjust the guard on it) and holdout.txt (kept
/// aside, never used for tuning). One post per line: label (H/L/S) | expected types | text | partner channel org.
/// </summary>
public static class LabelledCorpus
{
    public static IReadOnlyList<LabelledPost> Tune => Load("tune");

    public static IReadOnlyList<LabelledPost> Holdout => Load("holdout");

    public static LeakPolicy Policy => LeakPolicy.Load(Path.Combine(RepoPaths.CorpusDir(), "policy.json"));

    public static IReadOnlyList<LabelledPost> Load(string part)
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.CorpusDir(), part + ".txt"));
        var posts = new List<LabelledPost>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var fields = lines[i].Split('|');
            if (fields.Length < 3)
            {
                throw new FormatException($"{part}.txt line {i + 1}: expected label|types|text[|channel]");
            }

            var label = fields[0] switch
            {
                "H" => PostLabel.Harmless,
                "L" => PostLabel.Leak,
                "S" => PostLabel.Severe,
                _ => throw new FormatException($"{part}.txt line {i + 1}: label must be H, L or S"),
            };
            var types = fields[1] == "-" ? [] : fields[1].Split(',');
            posts.Add(new LabelledPost($"{part}-{i + 1:000}", label, types, fields[2], fields.Length > 3 ? fields[3] : null));
        }

        return posts;
    }
}
