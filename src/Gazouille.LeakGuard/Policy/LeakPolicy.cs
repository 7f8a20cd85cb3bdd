using System.Net;
using Gazouille.LeakGuard.Detectors;

namespace Gazouille.LeakGuard;

/// <summary>
/// What the instance's administrators told the guard: dictionaries, the company's own domains and networks, and
/// decisions made stricter than the defaults. Immutable once parsed; build one <see cref="LeakGuardEngine"/> from it.
/// </summary>
public sealed class LeakPolicy
{
    /// <summary>Largest policy file accepted; 100k terms take about 3 MB.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    internal LeakPolicy(
        IReadOnlyList<TermEntry> terms,
        IReadOnlyList<string> internalDomains,
        IReadOnlyList<string> companyDomains,
        IReadOnlyList<IPNetwork> internalNetworks,
        IReadOnlySet<string> ambiguousTerms,
        DecisionTable decisions,
        IReadOnlyDictionary<string, LeakRule> customRules,
        double minConfidence,
        bool useGitleaks)
    {
        Terms = terms;
        InternalDomains = internalDomains;
        CompanyDomains = companyDomains;
        InternalNetworks = internalNetworks;
        AmbiguousTerms = ambiguousTerms;
        AmbiguousTermLookup = new HashSet<string>(ambiguousTerms, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        Decisions = decisions;
        CustomRules = customRules;
        MinConfidence = minConfidence;
        UseGitleaks = useGitleaks;
    }

    /// <summary>The built-in policy: no dictionaries, default decisions, every pattern detector on.</summary>
    public static LeakPolicy Default { get; } = new(
        [], [], [], [], new HashSet<string>(), DecisionTable.Default, new Dictionary<string, LeakRule>(), 0.5, true);

    public IReadOnlyList<TermEntry> Terms { get; }

    /// <summary>The skeleton of each of <see cref="Terms"/>, kept from validation so the matcher does not redo it.</summary>
    internal IReadOnlyList<string>? TermSkeletons { get; init; }

    /// <summary>The company's own domains: hosts under them are internal, role addresses on them are not personal.</summary>
    public IReadOnlyList<string> InternalDomains { get; }

    /// <summary>The company's public domains (web site, role addresses): not internal hosts, but its own e-mail domains.</summary>
    public IReadOnlyList<string> CompanyDomains { get; }

    public IReadOnlyList<IPNetwork> InternalNetworks { get; }

    /// <summary>Skeletons of terms that are also everyday words and count only with supporting context.</summary>
    public IReadOnlySet<string> AmbiguousTerms { get; }

    /// <summary><see cref="AmbiguousTerms"/> (skeletons, compared ordinally) looked up by span, without a substring per hit.</summary>
    internal HashSet<string>.AlternateLookup<ReadOnlySpan<char>> AmbiguousTermLookup { get; }

    public DecisionTable Decisions { get; }

    /// <summary>The rule that judges each custom dictionary category (default <see cref="LeakRule.Custom"/>).</summary>
    public IReadOnlyDictionary<string, LeakRule> CustomRules { get; }

    /// <summary>Findings below this confidence, after context, are dropped.</summary>
    public double MinConfidence { get; }

    public bool UseGitleaks { get; }

    public const int MaxExceptionTermLength = 200;

    /// <summary>
    /// Texts that are never a leak, added when a moderator accepts a false-positive report: a finding that lies wholly
    /// inside a match of one of them (matched like a dictionary term) is dropped before combination.
    /// </summary>
    public IReadOnlyList<string> ExceptionTerms { get; init; } = [];

    /// <summary>Reads a JSON or YAML policy file (YAML when the extension is .yaml/.yml).</summary>
    public static LeakPolicy Load(string path)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new LeakPolicyException($"the policy file '{path}' does not exist; pass the path of a JSON or YAML policy with --policy");
            }
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or System.Security.SecurityException
            or UnauthorizedAccessException or PathTooLongException)
        {
            throw new LeakPolicyException($"the policy path '{path}' cannot be used: {e.Message}", e);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new LeakPolicyException($"the policy file is {info.Length / (1024 * 1024)} MB; the limit is {MaxFileBytes / (1024 * 1024)} MB");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new LeakPolicyException($"the policy file '{path}' cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LeakPolicyException($"the policy file '{path}' cannot be read: {e.Message}", e);
        }

        var ext = Path.GetExtension(path).ToLowerInvariant();
        var format = ext is ".yaml" or ".yml" ? PolicyFormat.Yaml : ext == ".json" ? PolicyFormat.Json : PolicyFormat.Auto;
        return Parse(text, format);
    }

    /// <summary>
    /// The policy's document as one JSON tree (YAML is read into the same tree), for tools that edit a policy and save
    /// it again; nothing is validated here. Throws <see cref="LeakPolicyException"/> when the text is not JSON or YAML.
    /// </summary>
    public static System.Text.Json.Nodes.JsonNode ReadDocument(string text, PolicyFormat format = PolicyFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (format == PolicyFormat.Auto)
        {
            format = text.AsSpan().TrimStart() is ['{' or '[', ..] ? PolicyFormat.Json : PolicyFormat.Yaml;
        }

        return format == PolicyFormat.Json ? PolicyDocument.ReadJson(text) : PolicyDocument.ReadYaml(text);
    }

    /// <summary>Parses a policy from text; <see cref="PolicyFormat.Auto"/> reads JSON when it starts with "{".</summary>
    public static LeakPolicy Parse(string text, PolicyFormat format = PolicyFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxFileBytes)
        {
            throw new LeakPolicyException($"the policy is {text.Length / (1024 * 1024)} M characters; the limit is {MaxFileBytes / (1024 * 1024)} M");
        }

        if (format == PolicyFormat.Auto)
        {
            format = text.AsSpan().TrimStart() is ['{' or '[', ..] ? PolicyFormat.Json : PolicyFormat.Yaml;
        }

        var root = format == PolicyFormat.Json ? PolicyDocument.ReadJson(text) : PolicyDocument.ReadYaml(text);
        return PolicyValidator.Validate(root);
    }
}

public enum PolicyFormat
{
    Auto,
    Json,
    Yaml,
}
