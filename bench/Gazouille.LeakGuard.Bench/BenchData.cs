using System.Text;
using System.Text.Json.Nodes;

namespace Gazouille.LeakGuard.Bench;

/// <summary>Synthetic but plausible dictionaries: invented company and project names, multi-word, accented.</summary>
internal static class BenchData
{
    private static readonly string[] Syllables =
        ["ka", "lo", "ri", "ven", "tar", "mi", "sol", "dé", "nor", "bel", "qua", "zen", "pha", "tri", "gor", "lys", "ban", "hor", "ax", "ion"];

    public static List<string> Terms(int count, int seed = 42)
    {
        var random = new Random(seed);
        var terms = new HashSet<string>();
        while (terms.Count < count)
        {
            var words = random.Next(1, 4);
            var sb = new StringBuilder();
            for (var w = 0; w < words; w++)
            {
                if (w > 0)
                {
                    sb.Append(' ');
                }

                var syllables = random.Next(2, 4);
                for (var s = 0; s < syllables; s++)
                {
                    var syl = Syllables[random.Next(Syllables.Length)];
                    sb.Append(s == 0 ? char.ToUpperInvariant(syl[0]) + syl[1..] : syl);
                }
            }

            terms.Add(sb.ToString());
        }

        return [.. terms];
    }

    public static string PolicyJson(int terms)
    {
        var all = Terms(terms);
        var clients = new JsonArray([.. all.Take(terms / 2).Select(t => (JsonNode)JsonValue.Create(t)!)]);
        var projects = new JsonArray([.. all.Skip(terms / 2).Select(t => (JsonNode)JsonValue.Create(t)!)]);
        var root = new JsonObject
        {
            ["dictionaries"] = new JsonObject { ["client"] = clients, ["project"] = projects },
            ["internal_domains"] = new JsonArray("corp.example"),
            ["internal_networks"] = new JsonArray("10.20.0.0/16"),
        };
        return root.ToJsonString();
    }

    /// <summary>A 280-character post with a client, a headcount, money, a phone, an e-mail and a host.</summary>
    public static string Post(string client)
    {
        var post = $"Pff, encore un projet avec {client} qui m'échappe, galère 20 personnes sur le carreau. Budget 1,2 M€ explosé, "
            + "appelez-moi au 06 12 34 56 78 ou marie.dupont@gmail.com ; logs sur build.corp.example, merci de ne pas diffuser !! ";
        return post.Length >= 280 ? post[..280] : post.PadRight(280, '.');
    }

    /// <summary>Ordinary French and English chatter, repeated to the requested size, with no dictionary term.</summary>
    public static string Chatter(int length)
    {
        const string chunk = "Le café du troisième est enfin réparé, rendez-vous à la réunion de quatorze heures pour la rétro du sprint. "
            + "Great talk on observability this morning, the slides are on the wiki and the recording follows soon. ";
        var sb = new StringBuilder(length + chunk.Length);
        while (sb.Length < length)
        {
            sb.Append(chunk);
        }

        return sb.ToString(0, length).ToLowerInvariant();
    }
}
