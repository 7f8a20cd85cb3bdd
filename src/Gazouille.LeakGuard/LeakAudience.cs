namespace Gazouille.LeakGuard;

/// <summary>Who may read a post, from the narrowest to the widest; the order matters (wider is never looser).</summary>
public enum LeakAudience
{
    Team = 0,
    Followers = 1,
    Company = 2,
    Partners = 3,
    Public = 4,
}

public static class LeakAudiences
{
    public static IReadOnlyList<LeakAudience> All { get; } =
        [LeakAudience.Team, LeakAudience.Followers, LeakAudience.Company, LeakAudience.Partners, LeakAudience.Public];

    public static string ToWire(this LeakAudience audience) => audience switch
    {
        LeakAudience.Team => "team",
        LeakAudience.Followers => "followers",
        LeakAudience.Company => "company",
        LeakAudience.Partners => "partners",
        _ => "public",
    };

    /// <summary>
    /// Accepts the CLI words and the full audience strings of the API ("team:ops", "partners:sales:atlas", "direct").
    /// A direct message is treated as a team post: the server passes a partner audience when a guest is addressed.
    /// When a partners audience names exactly one org, it is returned as <paramref name="channelClient"/>.
    /// </summary>
    public static bool TryParse(string? value, out LeakAudience audience, out string? channelClient)
    {
        audience = LeakAudience.Company;
        channelClient = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var parts = value.Trim().Split(':');
        switch (parts[0].ToLowerInvariant())
        {
            case "team":
            case "direct":
                audience = LeakAudience.Team;
                return true;
            case "followers":
            case "private":
                audience = LeakAudience.Followers;
                return true;
            case "company":
            case "unlisted":
                audience = LeakAudience.Company;
                return true;
            case "partners":
                audience = LeakAudience.Partners;
                if (parts.Length >= 3 && !parts[2].Contains(',', StringComparison.Ordinal) && parts[2].Length > 0)
                {
                    channelClient = parts[2];
                }

                return true;
            case "public":
                audience = LeakAudience.Public;
                return true;
            default:
                return false;
        }
    }
}
