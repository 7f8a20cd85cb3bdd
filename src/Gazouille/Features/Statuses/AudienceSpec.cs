using System.Text.RegularExpressions;
using Gazouille.Data.Entities;

namespace Gazouille.Features.Statuses;

/// <summary>An audience as written in the API: <c>direct</c>, <c>followers</c>, <c>team:h</c>, <c>company</c>,
/// <c>partners:team[:org,org]</c>, <c>public</c>.</summary>
public sealed partial record AudienceSpec(AudienceKind Kind, string? Team, string[] Orgs)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    public static partial Regex HandlePattern();

    public static bool IsHandle(string? s) => s is not null && HandlePattern().IsMatch(s);

    public static bool TryParse(string? raw, out AudienceSpec spec, out string error)
    {
        spec = new AudienceSpec(AudienceKind.Company, null, []);
        error = "";
        var text = raw?.Trim().ToLowerInvariant() ?? "";
        var parts = text.Split(':');
        switch (parts[0])
        {
            case "direct" when parts.Length == 1: spec = spec with { Kind = AudienceKind.Direct }; return true;
            case "followers" when parts.Length == 1: spec = spec with { Kind = AudienceKind.Followers }; return true;
            case "company" when parts.Length == 1: spec = spec with { Kind = AudienceKind.Company }; return true;
            case "public" when parts.Length == 1: spec = spec with { Kind = AudienceKind.Public }; return true;
            case "team" when parts.Length == 2 && IsHandle(parts[1]):
                spec = new AudienceSpec(AudienceKind.Team, parts[1], []);
                return true;
            case "partners" when parts.Length is 2 or 3 && IsHandle(parts[1]):
                var orgs = parts.Length == 3 ? parts[2].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
                if (parts.Length == 3 && (orgs.Length == 0 || !orgs.All(IsHandle)))
                    break;
                spec = new AudienceSpec(AudienceKind.Partners, parts[1], orgs.Distinct().ToArray());
                return true;
        }
        error = "audience must be one of direct, followers, team:<team>, company, partners:<team>[:<org>,…] or public";
        return false;
    }

    public static string Format(AudienceKind kind, string? team, IEnumerable<string> orgs) => kind switch
    {
        AudienceKind.Direct => "direct",
        AudienceKind.Followers => "followers",
        AudienceKind.Team => $"team:{team}",
        AudienceKind.Company => "company",
        AudienceKind.Partners when orgs.Any() => $"partners:{team}:{string.Join(',', orgs.Order(StringComparer.Ordinal))}",
        AudienceKind.Partners => $"partners:{team}",
        _ => "public",
    };

    /// <summary>Mastodon's visibility for clients that know nothing else.</summary>
    public static string ToVisibility(AudienceKind kind, bool listed) => kind switch
    {
        AudienceKind.Direct => "direct",
        AudienceKind.Followers or AudienceKind.Team or AudienceKind.Partners => "private",
        _ => listed ? "public" : "unlisted",
    };
}
