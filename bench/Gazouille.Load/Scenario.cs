using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gazouille.Load;

/// <summary>What to send: a method, paths in rotation and an optional JSON body, where <c>{n}</c> becomes a number
/// unique in the run, <c>{text}</c> a text of <see cref="Texts"/> (JSON-escaped), <c>{audience}</c> an audience and
/// <c>{query}</c> a search query, each chosen by the rotation counter. Signed-in scenarios carry a bearer token.</summary>
public sealed record Scenario(string Name, string Description, HttpMethod Method, string[] Paths, string? Body = null, bool Anonymous = false)
{
    /// <summary>The texts of bench/load/check.lua: growing lengths, most with a finding for the Leak Guard.</summary>
    public static readonly string[] CheckTexts =
    [
        "Point d'étape",
        "Point d'étape sur la livraison de jeudi",
        "Point d'étape sur la livraison de jeudi : on a signé pour 2 millions d'euros",
        "Document confidentiel, ne pas diffuser : le planning de la release arrive demain",
        "Appelle-moi au 06 12 34 56 78 pour la démo, merci à tous ! #demo",
        "Mon IBAN FR76 3000 6000 0112 3456 7890 189 pour le remboursement du déplacement",
        "La réunion avec le support est déplacée à 15 h, salle Atlas, pensez à prendre vos portables et le compte rendu",
    ];

    private static readonly string[] PublishTexts =
        ["réunion", "livraison", "roadmap", "release", "démo", "client", "budget", "qualité", "support", "design"];

    public string[] Texts { get; init; } = CheckTexts;
    public string[] Audiences { get; init; } = ["company", "team", "followers", "partners", "public"];
    public string[] Queries { get; init; } = ["equipe", "livr*", "client+budget", "meetings", "reunion+produit", "securite"];

    /// <summary>The scenarios of bench/load/run.sh and check.sh, by name.</summary>
    public static readonly IReadOnlyDictionary<string, Scenario> Known = new Dictionary<string, Scenario>
    {
        ["trivial"] = new("trivial", "GET /api/v1/custom_emojis (anonymous, static)", HttpMethod.Get, ["/api/v1/custom_emojis"], Anonymous: true),
        ["markers"] = new("markers", "GET /api/v1/markers (token + viewer, no query)", HttpMethod.Get, ["/api/v1/markers"]),
        ["home"] = new("home", "GET /api/v1/timelines/home?limit=20", HttpMethod.Get, ["/api/v1/timelines/home?limit=20"]),
        ["search"] = new("search", "GET /api/v2/search?type=statuses (6 queries in rotation)", HttpMethod.Get,
            ["/api/v2/search?type=statuses&limit=20&q={query}"]),
        ["webhome"] = new("webhome", "GET / (web home page, HTML)", HttpMethod.Get, ["/"]),
        ["publish"] = new("publish", "POST /api/v1/statuses (company, unique text)", HttpMethod.Post, ["/api/v1/statuses"],
            """{"status":"Point d'étape {n} sur la {text} : tout avance bien, merci à tous !","audience":"company"}""")
        { Texts = PublishTexts },
        ["check"] = new("check", "POST /api/v1/gazouille/leak_guard/check (7 texts, 5 audiences)", HttpMethod.Post,
            ["/api/v1/gazouille/leak_guard/check"], """{"text":"{text} {n}","audience":"{audience}"}"""),
    };

    /// <summary>The path and body of a request: <paramref name="rotation"/> picks the path, text, audience and query;
    /// <paramref name="unique"/> fills <c>{n}</c>.</summary>
    public (string Path, string? Body) Render(long rotation, long unique)
    {
        var path = Fill(Paths[rotation % Paths.Length], rotation, unique, json: false);
        return (path, Body is null ? null : Fill(Body, rotation, unique, json: true));
    }

    private string Fill(string template, long rotation, long unique, bool json)
    {
        if (!template.Contains('{', StringComparison.Ordinal)) return template;
        var text = Texts[rotation % Texts.Length];
        return template
            .Replace("{n}", unique.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{text}", json ? JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value : Uri.EscapeDataString(text), StringComparison.Ordinal)
            .Replace("{audience}", Audiences[rotation % Audiences.Length], StringComparison.Ordinal)
            .Replace("{query}", Queries[rotation % Queries.Length], StringComparison.Ordinal);
    }
}
