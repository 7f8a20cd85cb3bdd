using System.Text;
using Bogus;

namespace Gazouille.Features.Generate;

/// <summary>
/// Realistic French and English workplace posts for load tests. Sentences are built once with Bogus (names, cities,
/// products, companies in each locale) from a few dozen templates, then posts combine one to three of them with
/// hashtags: varied text at a few hundred nanoseconds per post.
/// </summary>
public sealed class PostTexts
{
    public static readonly string[] FrenchTags =
        ["réunion", "livraison", "sécurité", "recrutement", "design", "qualité", "client", "roadmap", "afterwork", "télétravail", "formation", "innovation", "support", "budget", "démo"];

    public static readonly string[] EnglishTags =
        ["release", "oncall", "security", "hiring", "design", "quality", "customer", "roadmap", "teamlunch", "remote", "learning", "devops", "support", "metrics", "demo"];

    private static readonly string[] FrenchTemplates =
    [
        "Réunion d'équipe {day} à {hour} h avec {name} pour faire le point sur {product}.",
        "Bravo à {name} pour la livraison de {product}, les retours de {company} sont excellents !",
        "Quelqu'un a des nouvelles du dossier {company} ? Le client attend une réponse avant {day}.",
        "Je serai à {city} {day} pour l'atelier avec {company}. Qui veut se joindre à moi ?",
        "Petit rappel : la revue de code de {product} est prévue {day} après-midi.",
        "Nouvelle version de la documentation en ligne, merci de relire la partie sur {product}.",
        "Le déploiement de ce soir est reporté à {day}, on attend la validation de {name}.",
        "Retour d'expérience du salon de {city} : beaucoup d'intérêt pour {product}.",
        "Qui a réservé la salle {room} {day} matin ? Il nous la faut pour l'entretien.",
        "Merci à toute l'équipe pour ce trimestre, on a dépassé l'objectif de {percent} % !",
        "Pensez à remplir vos notes de frais avant {day}, la compta clôture le mois.",
        "Je cherche un ou une volontaire pour présenter {product} à {company} la semaine prochaine.",
        "Le café de l'étage {floor} est de nouveau en panne, courage à tous.",
        "Compte rendu de l'atelier {product} disponible sur le drive, vos commentaires sont bienvenus.",
        "Bienvenue à {name} qui rejoint l'équipe aujourd'hui depuis {city} !",
        "Le tableau de bord de {product} affiche {percent} % d'utilisateurs actifs en plus ce mois-ci.",
        "Formation sécurité obligatoire {day} à {hour} h, inscriptions auprès de {name}.",
        "Quelqu'un connaît un bon restaurant près de la gare de {city} pour un déjeuner client ?",
        "On teste une nouvelle organisation des points quotidiens à partir de {day}, dites-nous ce que vous en pensez.",
        "Incident résolu sur {product} : cause identifiée, post-mortem {day}.",
        "Atelier d'idéation {day} : venez avec vos meilleures idées pour {company}.",
        "Les maquettes de {product} sont prêtes, {name} attend vos avis d'ici {day}.",
        "Afterwork {day} soir à {city}, tout le monde est invité !",
        "La migration vers le nouvel outil de tickets se termine {day}, pensez à archiver vos vieux sujets.",
    ];

    private static readonly string[] EnglishTemplates =
    [
        "Team sync on {day} at {hour} with {name} to review {product}.",
        "Huge thanks to {name} for shipping {product}; {company} loves it!",
        "Any update on the {company} account? They expect an answer by {day}.",
        "I'll be in {city} on {day} for the workshop with {company}. Anyone joining?",
        "Reminder: code review for {product} is on {day} afternoon.",
        "New docs are live, please proofread the section about {product}.",
        "Tonight's deployment moves to {day}; waiting for {name}'s sign-off.",
        "Takeaways from the {city} trade show: lots of interest in {product}.",
        "Who booked room {room} on {day} morning? We need it for an interview.",
        "Thanks everyone for this quarter, we beat the target by {percent}%!",
        "Please file your expense reports before {day}, finance closes the month.",
        "Looking for a volunteer to demo {product} to {company} next week.",
        "Welcome {name}, who joins us today from {city}!",
        "The {product} dashboard shows {percent}% more active users this month.",
        "Incident on {product} resolved: root cause found, postmortem on {day}.",
        "{catch} — that's the pitch for {product}, thoughts?",
        "Reading about how to {hacker}. Might be useful for {product}.",
        "Brainstorm on {day}: bring your best ideas for {company}.",
        "Mockups for {product} are ready, {name} would love feedback by {day}.",
        "Pairing session this afternoon: we need to {hacker}.",
        "Lunch and learn on {day} at {hour}: {name} explains how we {hacker}.",
        "Quick poll: should {product} ship before or after the {city} offsite?",
    ];

    private readonly string[] _french;
    private readonly string[] _english;
    private readonly Random _random;

    public PostTexts(int seed, int poolSize = 4000)
    {
        _random = new Random(seed);
        _french = Build(new Faker("fr") { Random = new Randomizer(seed) }, FrenchTemplates, poolSize, french: true);
        _english = Build(new Faker("en") { Random = new Randomizer(seed + 1) }, EnglishTemplates, poolSize, french: false);
    }

    /// <summary>A display name from the locale (for accounts).</summary>
    public static string[] Names(int seed, int count, string locale)
    {
        var f = new Faker(locale) { Random = new Randomizer(seed) };
        return Enumerable.Range(0, count).Select(_ => f.Name.FullName()).ToArray();
    }

    public static string[] Companies(int seed, int count)
    {
        var f = new Faker("fr") { Random = new Randomizer(seed) };
        return Enumerable.Range(0, count).Select(_ => f.Company.CompanyName()).ToArray();
    }

    public static string[] Departments(int seed, int count)
    {
        var f = new Faker("fr") { Random = new Randomizer(seed) };
        return Enumerable.Range(0, count).Select(_ => f.Commerce.Department()).ToArray();
    }

    /// <summary>One post: one to three sentences of one language, sometimes with hashtags (returned in <paramref name="tags"/>, as StatusText.Hashtags finds them).</summary>
    public string Next(bool french, string? prefix, List<string> tags)
    {
        tags.Clear();
        var pool = french ? _french : _english;
        var sb = new StringBuilder(240);
        if (prefix is not null) sb.Append(prefix).Append(' ');
        var sentences = _random.Next(100) switch { < 60 => 1, < 90 => 2, _ => 3 };
        for (var i = 0; i < sentences; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(pool[_random.Next(pool.Length)]);
        }
        var count = _random.Next(100) switch { < 65 => 0, < 90 => 1, _ => 2 };
        var tagList = french ? FrenchTags : EnglishTags;
        for (var i = 0; i < count; i++)
        {
            var tag = tagList[_random.Next(tagList.Length)];
            sb.Append(" #").Append(tag);
            if (!tags.Contains(tag)) tags.Add(tag);
        }
        return sb.ToString();
    }

    private static string[] Build(Faker f, string[] templates, int count, bool french)
    {
        var days = french ? new[] { "lundi", "mardi", "mercredi", "jeudi", "vendredi" } : ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            var t = templates[f.Random.Int(0, templates.Length - 1)];
            result[i] = t
                .Replace("{day}", f.PickRandom(days), StringComparison.Ordinal)
                .Replace("{hour}", french ? f.Random.Int(8, 18).ToString() : $"{f.Random.Int(8, 11)} {(f.Random.Bool() ? "am" : "pm")}", StringComparison.Ordinal)
                .Replace("{name}", f.Name.FirstName(), StringComparison.Ordinal)
                .Replace("{product}", f.Commerce.ProductName(), StringComparison.Ordinal)
                .Replace("{company}", f.Company.CompanyName(), StringComparison.Ordinal)
                .Replace("{city}", f.Address.City(), StringComparison.Ordinal)
                .Replace("{room}", f.Random.Int(100, 520).ToString(), StringComparison.Ordinal)
                .Replace("{floor}", f.Random.Int(1, 9).ToString(), StringComparison.Ordinal)
                .Replace("{percent}", f.Random.Int(3, 40).ToString(), StringComparison.Ordinal)
                .Replace("{catch}", f.Company.CatchPhrase(), StringComparison.Ordinal)
                .Replace("{hacker}", f.Hacker.Verb() + " the " + f.Hacker.Adjective() + " " + f.Hacker.Noun(), StringComparison.Ordinal);
        }
        return result;
    }
}
