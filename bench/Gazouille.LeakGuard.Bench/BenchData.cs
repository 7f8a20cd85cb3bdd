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

    private static readonly string[] FirstNames =
    [
        "Marie", "Jean", "Pierre", "Sophie", "Nathalie", "Isabelle", "Philippe", "Camille", "Nicolas", "Julien", "Claire",
        "Thomas", "Laurent", "Céline", "Stéphane", "Aurélie", "Olivier", "Émilie", "Sébastien", "Hélène", "François",
        "Valérie", "Christophe", "Sandrine", "Mathieu", "Élodie", "Antoine", "Caroline", "Guillaume", "Amandine",
        "John", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "William", "Linda", "David", "Elizabeth", "James",
        "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa",
        "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Andrew", "Kimberly",
    ];

    private static readonly string[] Surnames =
    [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
        "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
        "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
        "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Smith", "Johnson", "Williams",
        "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "White", "Harris",
        "Clark", "Lewis", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
        "Nelson", "Hill", "Campbell", "Mitchell",
    ];

    private static readonly string[] CompanyWords =
    [
        "Conseil", "Industries", "Logistique", "Assurances", "Bank", "Capital", "Systems", "Technologies", "Pharma",
        "Énergie", "Transports", "Holding", "Solutions", "Consulting", "Partners", "Group", "Groupe", "Immobilier",
        "Distribution", "Aéro", "Médical", "Labs", "Software", "Retail", "Foods", "Chimie", "Automobiles", "Telecom",
    ];

    private static readonly string[] ProjectWords =
    [
        "Andromède", "Orion", "Pégase", "Phénix", "Hélios", "Artémis", "Athéna", "Cassiopée", "Sirius", "Véga",
        "Altaïr", "Polaris", "Zéphyr", "Borée", "Mistral", "Sirocco", "Tramontane", "Aquilon", "Éole", "Triton",
        "Kraken", "Chimère", "Hydre", "Griffon", "Licorne", "Dragon", "Basilic", "Salamandre", "Sphinx", "Minotaure",
        "Colibri", "Albatros", "Condor", "Faucon", "Épervier", "Héron", "Ibis", "Martinet", "Pélican", "Toucan",
        "Saphir", "Rubis", "Émeraude", "Topaze", "Onyx", "Jade", "Opale", "Grenat", "Quartz", "Obsidienne",
    ];

    /// <summary>
    /// A realistic dictionary: people (first name + surname), companies (surname + activity, "Groupe X") and code-named
    /// projects ("Projet Orion", "Orion 3"), deterministic, beside the adversarial syllable list of <see cref="Terms"/>.
    /// </summary>
    public static List<string> RealisticTerms(int count, int seed = 42)
    {
        var random = new Random(seed);
        var terms = new HashSet<string>();
        while (terms.Count < count)
        {
            var term = random.Next(3) switch
            {
                0 => $"{FirstNames[random.Next(FirstNames.Length)]} {Surnames[random.Next(Surnames.Length)]}",
                1 => random.Next(4) == 0
                    ? $"{Surnames[random.Next(Surnames.Length)]}-{Surnames[random.Next(Surnames.Length)]}"
                    : $"{Surnames[random.Next(Surnames.Length)]} {CompanyWords[random.Next(CompanyWords.Length)]}",
                _ => random.Next(3) switch
                {
                    0 => $"Projet {ProjectWords[random.Next(ProjectWords.Length)]} {random.Next(1, 40)}",
                    1 => $"{ProjectWords[random.Next(ProjectWords.Length)]} {random.Next(1, 40)}",
                    _ => $"{ProjectWords[random.Next(ProjectWords.Length)]} {ProjectWords[random.Next(ProjectWords.Length)]}",
                },
            };
            terms.Add(term);
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
