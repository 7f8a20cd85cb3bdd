using System.Globalization;
using System.Text;
using Gazouille.LeakGuard.Evaluation;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// Writes every candidate and every verdict over the labelled corpus, the public datasets and synthetic posts, one
/// line each: diff two snapshots to prove a performance change kept the output identical (offsets included).
/// </summary>
internal static class Snapshot
{
    public static void Run(string path)
    {
        var corpus = new LeakGuardEngine(LabelledCorpus.Policy);
        var plain = LeakGuardEngine.Default;
        var big = new LeakGuardEngine(LeakPolicy.Parse(BenchData.PolicyJson(10_000)));
        var sb = new StringBuilder();
        var texts = new List<(LeakGuardEngine Engine, string Text, string? Channel)>();
        foreach (var post in LabelledCorpus.Tune.Concat(LabelledCorpus.Holdout))
        {
            texts.Add((corpus, post.Text, post.ChannelClient));
            texts.Add((plain, post.Text, null));
        }

        foreach (var gold in PublicDatasets.Presidio().Concat(PublicDatasets.EdsPseudo()))
        {
            texts.Add((plain, gold.Text, null));
            texts.Add((corpus, gold.Text, null));
        }

        for (var i = 0; i < 200; i += 7)
        {
            texts.Add((big, BenchData.Post(big.Policy.Terms[i].Term), null));
        }

        texts.Add((big, BenchData.Chatter(5000), null));
        var random = new Random(7);
        const string alphabet = "0123456789012345678906 .-+()/€$kmM@abcdeéxKſ:# \n";
        string[] words = ["millions", "personnes", "postes", "équipe de ", "password: ", "mdp ", "+33 6 ", "06 ", "(415) ", "FR76", "2A", "k€", "usd ", "host.corp.example", "10.20.", "::1", "laid off ", "une dizaine "];
        for (var i = 0; i < 3000; i++)
        {
            var t = new StringBuilder();
            var length = random.Next(5, 120);
            while (t.Length < length)
            {
                if (random.Next(6) == 0)
                {
                    t.Append(words[random.Next(words.Length)]);
                }
                else
                {
                    t.Append(alphabet[random.Next(alphabet.Length)]);
                }
            }

            texts.Add((random.Next(2) == 0 ? corpus : plain, t.ToString(), null));
        }
        foreach (var (engine, text, channel) in texts)
        {
            sb.Append("# ").Append(text.Length).Append(' ').Append(Fnv(text)).Append('\n');
            foreach (var c in engine.Detect(text))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  c {c.Type} {c.Start}-{c.End} {c.Confidence:0.####} {c.Note}\n");
            }

            foreach (var audience in (ReadOnlySpan<LeakAudience>)[LeakAudience.Team, LeakAudience.Partners, LeakAudience.Public])
            {
                var v = engine.Check(text, audience, channel);
                sb.Append(CultureInfo.InvariantCulture, $"  v {audience} {v.Decision} {v.Score}\n");
                foreach (var f in v.Findings)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    f {f.Type} {f.Start}-{f.End} {f.Text} {f.Confidence} {f.Rule} {f.Decision} | {f.Reason.En} | {f.WayOut.Fr}\n");
                }
            }
        }

        File.WriteAllText(path, sb.ToString());
        Console.WriteLine($"{texts.Count} texts written to {path}");
    }

    private static uint Fnv(string s)
    {
        var hash = 2166136261u;
        foreach (var c in s)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
