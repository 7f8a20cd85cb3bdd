using System.Buffers;
using System.Reflection;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>One gitleaks rule, loaded as data. Its regex is compiled on first use: most posts never need most rules.</summary>
internal sealed class GitleaksRule
{
    private readonly Lazy<Regex?> _regex;

    public GitleaksRule(string id, string pattern, string[] keywords, double entropy, int secretGroup, Regex[] allow, Regex[] allowMatch, string[] stopwords)
    {
        Id = id;
        Pattern = pattern;
        Keywords = keywords;
        Entropy = entropy;
        SecretGroup = secretGroup;
        AllowSecret = allow;
        AllowMatch = allowMatch;
        Stopwords = stopwords;
        _regex = new Lazy<Regex?>(() => GitleaksRules.Compile(pattern), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Id { get; }

    public string Pattern { get; }

    public string[] Keywords { get; }

    public double Entropy { get; }

    public int SecretGroup { get; }

    public Regex[] AllowSecret { get; }

    public Regex[] AllowMatch { get; }

    public string[] Stopwords { get; }

    public Regex? Regex => _regex.Value;
}

/// <summary>
/// The gitleaks rule set (gitleaks/gitleaks config/gitleaks.toml, MIT, embedded with its licence). Go RE2 syntax is
/// rewritten for .NET and compiled with <see cref="RegexOptions.NonBacktracking"/>: RE2 patterns have no
/// backreferences or lookarounds, and the non-backtracking engine guarantees linear time on hostile input.
/// </summary>
internal sealed partial class GitleaksRules
{
    private static readonly Lazy<GitleaksRules> LazyEmbedded = new(LoadEmbedded);

    private GitleaksRules(List<GitleaksRule> rules, Regex[] globalAllow, string[] globalStopwords)
    {
        Rules = rules;
        GlobalAllow = globalAllow;
        GlobalStopwords = globalStopwords;
        var keywords = rules.SelectMany(r => r.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        Keywords = SearchValues.Create(keywords, StringComparison.OrdinalIgnoreCase);
    }

    public static GitleaksRules Embedded => LazyEmbedded.Value;

    public IReadOnlyList<GitleaksRule> Rules { get; }

    public Regex[] GlobalAllow { get; }

    public string[] GlobalStopwords { get; }

    /// <summary>Any keyword of any rule, case-insensitive: the cheap test that lets most posts skip every regex.</summary>
    public SearchValues<string> Keywords { get; }

    [GeneratedRegex(@"\[:(alnum|alpha|digit|space|upper|lower|xdigit|punct|word):\]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PosixClass();

    public static GitleaksRules LoadEmbedded()
    {
        using var stream = typeof(GitleaksRules).Assembly.GetManifestResourceStream("Gazouille.LeakGuard.gitleaks.toml")
            ?? throw new InvalidOperationException("the embedded gitleaks rules are missing from the assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    public static GitleaksRules Parse(string toml)
    {
        var model = TomlSerializer.Deserialize<TomlTable>(toml, (TomlSerializerOptions?)null)
            ?? throw new InvalidOperationException("the gitleaks rules are empty");
        var globalAllow = Array.Empty<Regex>();
        var globalStop = Array.Empty<string>();
        if (model.TryGetValue("allowlist", out var g) && g is TomlTable global)
        {
            globalAllow = Strings(global, "regexes").Select(Compile).OfType<Regex>().ToArray();
            globalStop = Strings(global, "stopwords").Select(s => s.ToLowerInvariant()).ToArray();
        }

        var rules = new List<GitleaksRule>();
        if (model.TryGetValue("rules", out var r) && r is TomlTableArray array)
        {
            foreach (var rule in array)
            {
                if (rule.TryGetValue("regex", out var regex) && regex is string pattern && rule.TryGetValue("id", out var id))
                {
                    var allow = new List<Regex>();
                    var allowMatch = new List<Regex>();
                    var stop = new List<string>();
                    if (rule.TryGetValue("allowlists", out var al) && al is TomlTableArray allowlists)
                    {
                        foreach (var list in allowlists)
                        {
                            var target = list.TryGetValue("regexTarget", out var t) ? t as string : null;
                            var compiled = Strings(list, "regexes").Select(Compile).OfType<Regex>();
                            (target is "match" or "line" ? allowMatch : allow).AddRange(compiled);
                            stop.AddRange(Strings(list, "stopwords").Select(s => s.ToLowerInvariant()));
                        }
                    }

                    rules.Add(new GitleaksRule(
                        (string)id,
                        pattern,
                        [.. Strings(rule, "keywords")],
                        rule.TryGetValue("entropy", out var e) ? Convert.ToDouble(e, System.Globalization.CultureInfo.InvariantCulture) : 0,
                        rule.TryGetValue("secretGroup", out var sg) ? Convert.ToInt32(sg, System.Globalization.CultureInfo.InvariantCulture) : 0,
                        [.. allow],
                        [.. allowMatch],
                        [.. stop]));
                }
            }
        }

        return new GitleaksRules(rules, globalAllow, globalStop);
    }

    /// <summary>Go RE2 to .NET: named groups and POSIX classes differ; everything else RE2 has, .NET has too.</summary>
    public static string Translate(string pattern) =>
        PosixClass().Replace(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), m => m.Groups[1].Value switch
        {
            "alnum" => "a-zA-Z0-9",
            "alpha" => "a-zA-Z",
            "digit" => "0-9",
            "space" => @"\s",
            "upper" => "A-Z",
            "lower" => "a-z",
            "xdigit" => "0-9A-Fa-f",
            "word" => @"\w",
            _ => @"!-/:-@\[-`{-~",
        });

    public static Regex? Compile(string pattern)
    {
        var translated = Translate(pattern);
        try
        {
            return new Regex(translated, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (NotSupportedException)
        {
            // A construct the non-backtracking engine lacks: fall back to the backtracking one, still under a timeout.
        }
        catch (ArgumentException)
        {
            return null;
        }

        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null; // a pattern .NET cannot read is skipped rather than failing the whole rule set
        }
    }

    private static IEnumerable<string> Strings(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value is TomlArray array ? array.OfType<string>() : [];
}
