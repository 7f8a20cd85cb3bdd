using System.Globalization;
using Gazouille.Hosting;
using Humanizer;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Web;

/// <summary>How things read on a page, in the reader's language.</summary>
public static class Display
{
    /// <summary>
    /// "il y a 5 minutes" / "5 minutes ago"; the exact date goes in the title. Computed against the current second, and
    /// kept for that second: every view of a page fills in each post's time afresh, and Humanizer reads its words through
    /// a ResourceManager whose lock all views shared (thousands of times a second under load).
    /// </summary>
    public static string Relative(string iso, TimeProvider clock)
    {
        var culture = CultureInfo.CurrentUICulture;
        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        var key = (iso, culture.Name, second);
        if (RecentRelative.TryGetValue(key, out var known)) return known;
        if (!DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return iso;
        var text = at.Humanize(DateTimeOffset.FromUnixTimeSeconds(second), culture);
        RecentRelative.Set(key, text);
        return text;
    }

    private static readonly BoundedMap<(string Iso, string Culture, long Second), string> RecentRelative = new(50_000);

    public static string Full(string iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToLocalTime().ToString("f", CultureInfo.CurrentCulture) : iso;

    /// <summary>
    /// The name to show for an account: its display name without bidirectional controls (older names may hold them;
    /// new ones are refused), or its username when nothing readable is left.
    /// </summary>
    public static string Name(string? displayName, string username)
    {
        if (string.IsNullOrWhiteSpace(displayName)) return username;
        var clean = displayName.Any(Accounts.ProfileText.IsBidiControl)
            ? new string(displayName.Where(c => !Accounts.ProfileText.IsBidiControl(c)).ToArray())
            : displayName;
        return Statuses.StatusText.IsInvisible(clean) ? username : clean;
    }

    public static string Number(int n) => n.ToString("N0", CultureInfo.CurrentCulture);

    /// <summary>The audience of a post as a short badge: "Équipe design", "Toute l'entreprise", "Partenaires · design".</summary>
    public static string AudienceBadge(string audience, IStringLocalizer t)
    {
        var parts = audience.Split(':');
        return parts[0] switch
        {
            "direct" => t["Audience.Direct.Badge"],
            "followers" => t["Audience.Followers.Badge"],
            "team" when parts.Length > 1 => t["Audience.Team.Badge", parts[1]],
            "partners" when parts.Length > 1 => t["Audience.Partners.Badge", parts[1]],
            "company" => t["Audience.Company.Badge"],
            "public" => t["Audience.Public.Badge"],
            _ => audience,
        };
    }

    /// <summary>A choice in the compose picker, saying in words who will read.</summary>
    public static string AudienceChoice(Statuses.AudienceChoice c, IStringLocalizer t) => c.Kind switch
    {
        Data.Entities.AudienceKind.Direct => t["Audience.Direct.Choice"],
        Data.Entities.AudienceKind.Followers => t["Audience.Followers.Choice", Readers(c.Readers, t)],
        Data.Entities.AudienceKind.Team => t["Audience.Team.Choice", c.TeamName ?? "", Readers(c.Readers, t)],
        Data.Entities.AudienceKind.Partners => t["Audience.Partners.Choice", c.TeamName ?? "", string.Join(", ", c.OrgNames), Readers(c.Readers, t)],
        Data.Entities.AudienceKind.Company => t["Audience.Company.Choice", Readers(c.Readers, t)],
        _ => t["Audience.Public.Choice"],
    };

    /// <summary>"1 person", "12 people"; in French the singular also covers 0 ("0 personne").</summary>
    private static string Readers(int n, IStringLocalizer t)
    {
        var french = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr";
        var one = french ? n is 0 or 1 : n == 1;
        return t[one ? "Audience.Readers.One" : "Audience.Readers.Many", Number(n)];
    }
}
