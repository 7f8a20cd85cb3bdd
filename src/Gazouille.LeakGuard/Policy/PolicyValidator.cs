using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard;

/// <summary>Checks a policy tree field by field and collects every problem, so an operator fixes them in one go.</summary>
internal static partial class PolicyValidator
{
    private const int MaxTermLength = 200;

    private static readonly Dictionary<string, string> BuiltInCategories = new()
    {
        ["client"] = FindingTypes.Client,
        ["project"] = FindingTypes.Project,
        ["person"] = FindingTypes.Person,
        ["confidential"] = FindingTypes.ConfidentialMarker,
        ["internal_only"] = FindingTypes.InternalOnlyMarker,
    };

    private static readonly HashSet<string> KnownFields =
    [
        "dictionaries", "internal_domains", "company_domains", "internal_networks", "ambiguous_terms", "exception_terms", "decisions", "custom_rules",
        "min_confidence", "gitleaks", "$schema", "name", "description", "version",
    ];

    // Admin input of bounded length: the timeouts only guard against pathological input. 100 ms tripped on a machine
    // with a load average of 28 (a thread descheduled that long), failing a valid policy import.
    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex CategoryName();

    [GeneratedRegex(@"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 2000)]
    private static partial Regex DomainName();

    // The skeleton of each accepted term, computed once for validation and handed to the engine's matcher.
    [ThreadStatic]
    private static List<string>? _skeletons;

    private static List<string> Skeletons => _skeletons ??= [];

    public static LeakPolicy Validate(JsonNode root)
    {
        Skeletons.Clear();
        var errors = new List<string>();
        if (root is not JsonObject obj)
        {
            throw new LeakPolicyException($"the policy must be an object with 'dictionaries', not {Kind(root)}");
        }

        foreach (var (name, _) in obj)
        {
            if (!KnownFields.Contains(name))
            {
                errors.Add($"'{name}' is not a policy field; known fields are {string.Join(", ", KnownFields.Where(f => f[0] != '$'))}");
            }
        }

        var terms = new List<TermEntry>();
        var customRules = new Dictionary<string, LeakRule>();
        ReadDictionaries(obj["dictionaries"], terms, customRules, errors);
        var domains = ReadDomains(obj, "internal_domains", errors);
        var companyDomains = ReadDomains(obj, "company_domains", errors);

        var networks = new List<IPNetwork>();
        var rawNetworks = ReadStrings(obj["internal_networks"], "internal_networks", errors);
        for (var i = 0; i < rawNetworks.Count; i++)
        {
            if (IPNetwork.TryParse(rawNetworks[i].Trim(), out var network))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add($"internal_networks[{i}]: '{rawNetworks[i]}' is not a CIDR range such as 10.20.0.0/16 (host bits must be zero)");
            }
        }

        var ambiguous = ReadStrings(obj["ambiguous_terms"], "ambiguous_terms", errors)
            .Select(TextNormalizer.SkeletonOf).Where(s => s.Length > 0).ToHashSet(StringComparer.Ordinal);
        var exceptions = ReadExceptionTerms(obj["exception_terms"], errors);
        var overrides = ReadDecisions(obj["decisions"], errors);
        ReadCustomRules(obj["custom_rules"], customRules, errors);
        var minConfidence = ReadNumber(obj, "min_confidence", 0.5, 0, 1, errors);
        var gitleaks = ReadBool(obj, "gitleaks", true, errors);
        if (errors.Count > 0)
        {
            throw new LeakPolicyException(errors);
        }

        var skeletons = Skeletons.ToArray();
        Skeletons.Clear();
        return new LeakPolicy(terms, domains, companyDomains, networks, ambiguous, DecisionTable.Build(overrides), customRules, minConfidence, gitleaks)
        {
            TermSkeletons = skeletons.Length == terms.Count ? skeletons : null,
            ExceptionTerms = exceptions,
        };
    }

    /// <summary>Texts that are never a leak (a café named like a client, the switchboard's number): each non-empty, at most 200 characters.</summary>
    private static List<string> ReadExceptionTerms(JsonNode? node, List<string> errors)
    {
        var terms = ReadStrings(node, "exception_terms", errors);
        for (var i = 0; i < terms.Count; i++)
        {
            terms[i] = terms[i].Trim();
            if (terms[i].Length > LeakPolicy.MaxExceptionTermLength)
            {
                errors.Add($"exception_terms[{i}]: at most {LeakPolicy.MaxExceptionTermLength} characters");
            }
            else if (TextNormalizer.SkeletonOf(terms[i]).Length == 0)
            {
                errors.Add($"exception_terms[{i}]: '{terms[i]}' has no letters or digits to match");
            }
        }

        return terms;
    }

    private static void ReadDictionaries(JsonNode? node, List<TermEntry> terms, Dictionary<string, LeakRule> customRules, List<string> errors)
    {
        if (node is null)
        {
            return;
        }

        if (node is not JsonObject dictionaries)
        {
            errors.Add($"dictionaries: expected an object such as {{\"client\": [\"…\"]}}, got {Kind(node)}");
            return;
        }

        foreach (var (category, list) in dictionaries)
        {
            var path = $"dictionaries.{category}";
            if (!BuiltInCategories.TryGetValue(category, out var type))
            {
                if (!CategoryName().IsMatch(category))
                {
                    errors.Add($"{path}: a category name uses lower-case letters, digits and '_' (at most 40)");
                    continue;
                }

                type = category;
                customRules.TryAdd(category, LeakRule.Custom);
            }

            if (list is not JsonArray array)
            {
                errors.Add($"{path}: expected an array of terms, got {Kind(list)}");
                continue;
            }

            for (var i = 0; i < array.Count; i++)
            {
                ReadTerm(array[i], $"{path}[{i}]", type, terms, errors);
            }
        }
    }

    private static void ReadTerm(JsonNode? item, string path, string type, List<TermEntry> terms, List<string> errors)
    {
        if (item is JsonValue value && value.TryGetValue<string>(out var text))
        {
            var ambiguous = text.StartsWith('~');
            AddTerm(ambiguous ? text[1..] : text, path, type, ambiguous, null, terms, errors);
            return;
        }

        if (item is not JsonObject obj)
        {
            errors.Add($"{path}: expected a string or an object with \"term\", got {Kind(item)}");
            return;
        }

        if (obj["term"] is not JsonValue t || !t.TryGetValue<string>(out var term))
        {
            errors.Add($"{path}.term: required, a string");
            return;
        }

        var isAmbiguous = ReadBool(obj, "ambiguous", false, errors, path);
        string? org = null;
        if (obj["org"] is { } orgNode)
        {
            if (orgNode is JsonValue o && o.TryGetValue<string>(out var orgText) && orgText.Length > 0)
            {
                org = orgText;
            }
            else
            {
                errors.Add($"{path}.org: expected the partner org handle as a string, got {Kind(orgNode)}");
            }
        }

        AddTerm(term, path, type, isAmbiguous, org, terms, errors);
        var aliases = ReadStrings(obj["aliases"], $"{path}.aliases", errors);
        foreach (var alias in aliases)
        {
            AddTerm(alias, $"{path}.aliases", type, isAmbiguous, org ?? term, terms, errors);
        }

        foreach (var (name, _) in obj)
        {
            if (name is not ("term" or "ambiguous" or "org" or "aliases"))
            {
                errors.Add($"{path}.{name}: not a term field; use term, ambiguous, org, aliases");
            }
        }
    }

    private static void AddTerm(string term, string path, string type, bool ambiguous, string? org, List<TermEntry> terms, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(term))
        {
            errors.Add($"{path}: a term cannot be empty");
        }
        else if (term.Length > MaxTermLength)
        {
            errors.Add($"{path}: a term is at most {MaxTermLength} characters, this one has {term.Length}");
        }
        else if (TextNormalizer.SkeletonOf(term) is var skeleton && skeleton.Length < 2)
        {
            errors.Add($"{path}: '{term}' is too short to match safely (at least two letters or digits)");
        }
        else
        {
            terms.Add(new TermEntry(type, term.Trim(), ambiguous, org));
            Skeletons.Add(skeleton);
        }
    }

    private static Dictionary<(LeakRule, LeakAudience), LeakDecision> ReadDecisions(JsonNode? node, List<string> errors)
    {
        var result = new Dictionary<(LeakRule, LeakAudience), LeakDecision>();
        if (node is null)
        {
            return result;
        }

        if (node is not JsonObject rules)
        {
            errors.Add($"decisions: expected an object such as {{\"money_or_headcount\": {{\"partners\": \"hold\"}}}}, got {Kind(node)}");
            return result;
        }

        foreach (var (ruleName, row) in rules)
        {
            if (!LeakRules.TryParse(ruleName, out var rule))
            {
                errors.Add($"decisions.{ruleName}: unknown rule; rules are {string.Join(", ", LeakRules.WireNames)}");
                continue;
            }

            if (row is not JsonObject cells)
            {
                errors.Add($"decisions.{ruleName}: expected an object of audience to decision, got {Kind(row)}");
                continue;
            }

            foreach (var (audienceName, cell) in cells)
            {
                var path = $"decisions.{ruleName}.{audienceName}";
                if (!LeakAudiences.TryParse(audienceName, out var audience, out _) || audienceName.Contains(':', StringComparison.Ordinal))
                {
                    errors.Add($"{path}: unknown audience; use team, followers, company, partners or public");
                }
                else if (cell is not JsonValue v || !v.TryGetValue<string>(out var word) || !LeakDecisions.TryParse(word, out var decision))
                {
                    errors.Add($"{path}: expected \"allow\", \"warn\", \"hold\" or \"block\", got {Kind(cell)}");
                }
                else if (decision < DecisionTable.Defaults[rule][(int)audience])
                {
                    errors.Add($"{path}: '{word}' is looser than the default '{DecisionTable.Defaults[rule][(int)audience].ToWire()}'; a policy may only make decisions stricter");
                }
                else
                {
                    result[(rule, audience)] = decision;
                }
            }
        }

        return result;
    }

    private static void ReadCustomRules(JsonNode? node, Dictionary<string, LeakRule> customRules, List<string> errors)
    {
        if (node is null)
        {
            return;
        }

        if (node is not JsonObject obj)
        {
            errors.Add($"custom_rules: expected an object of category to rule, got {Kind(node)}");
            return;
        }

        foreach (var (category, value) in obj)
        {
            if (!customRules.ContainsKey(category))
            {
                errors.Add($"custom_rules.{category}: no custom dictionary of that name under 'dictionaries'");
            }
            else if (value is not JsonValue v || !v.TryGetValue<string>(out var name) || !LeakRules.TryParse(name, out var rule))
            {
                errors.Add($"custom_rules.{category}: expected a rule name ({string.Join(", ", LeakRules.WireNames)}), got {Kind(value)}");
            }
            else
            {
                customRules[category] = rule;
            }
        }
    }

    private static List<string> ReadDomains(JsonObject obj, string name, List<string> errors)
    {
        var domains = ReadStrings(obj[name], name, errors).Select(d => d.Trim().TrimStart('.').ToLowerInvariant()).ToList();
        for (var i = 0; i < domains.Count; i++)
        {
            if (!DomainName().IsMatch(domains[i]))
            {
                errors.Add($"{name}[{i}]: '{domains[i]}' is not a domain name such as corp.example");
            }
        }

        return domains;
    }

    private static List<string> ReadStrings(JsonNode? node, string path, List<string> errors)
    {
        var result = new List<string>();
        if (node is null)
        {
            return result;
        }

        if (node is not JsonArray array)
        {
            errors.Add($"{path}: expected an array of strings, got {Kind(node)}");
            return result;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s))
            {
                result.Add(s);
            }
            else
            {
                errors.Add($"{path}[{i}]: expected a non-empty string, got {Kind(array[i])}");
            }
        }

        return result;
    }

    private static double ReadNumber(JsonObject obj, string name, double fallback, double min, double max, List<string> errors)
    {
        if (obj[name] is not { } node)
        {
            return fallback;
        }

        if (node is JsonValue v && v.TryGetValue<double>(out var d) && d >= min && d <= max)
        {
            return d;
        }

        errors.Add($"{name}: expected a number between {min} and {max}, got {Kind(node)}");
        return fallback;
    }

    private static bool ReadBool(JsonObject obj, string name, bool fallback, List<string> errors, string? parent = null)
    {
        if (obj[name] is not { } node)
        {
            return fallback;
        }

        if (node is JsonValue v && v.TryGetValue<bool>(out var b))
        {
            return b;
        }

        errors.Add($"{(parent is null ? name : $"{parent}.{name}")}: expected true or false, got {Kind(node)}");
        return fallback;
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string \"{Truncate(v.ToString())}\"",
            JsonValueKind.Number => $"the number {v}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {v.ToJsonString()}",
            _ => v.ToJsonString(),
        },
        _ => "an unknown value",
    };

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
