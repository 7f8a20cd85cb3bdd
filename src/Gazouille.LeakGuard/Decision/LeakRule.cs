namespace Gazouille.LeakGuard;

/// <summary>
/// The rows of the decision table (DESIGN.md, Leak Guard): each finding is judged by one rule, chosen after the
/// combination step (a client alone and a client next to a headcount fall under different rules).
/// </summary>
public enum LeakRule
{
    Informational,
    Secret,
    PersonalData,
    PersonalContact,
    ConfidentialMarker,
    InternalOnly,
    InternalOnlyWithBusiness,
    BusinessSevere,
    ClientOrProject,
    ClientInOwnChannel,
    MoneyOrHeadcount,
    InternalHost,
    Ip,
    CompanyId,
    Custom,
}

public static class LeakRules
{
    private static readonly Dictionary<string, LeakRule> ByWire = Enum.GetValues<LeakRule>()
        .ToDictionary(r => r.ToWire(), r => r, StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<string> WireNames => ByWire.Keys;

    public static string ToWire(this LeakRule rule) => rule switch
    {
        LeakRule.Informational => "informational",
        LeakRule.Secret => "secret",
        LeakRule.PersonalData => "personal_data",
        LeakRule.PersonalContact => "personal_contact",
        LeakRule.ConfidentialMarker => "confidential_marker",
        LeakRule.InternalOnly => "internal_only",
        LeakRule.InternalOnlyWithBusiness => "internal_only_with_business",
        LeakRule.BusinessSevere => "business_severe",
        LeakRule.ClientOrProject => "client_or_project",
        LeakRule.ClientInOwnChannel => "client_in_own_channel",
        LeakRule.MoneyOrHeadcount => "money_or_headcount",
        LeakRule.InternalHost => "internal_host",
        LeakRule.Ip => "ip",
        LeakRule.CompanyId => "company_id",
        _ => "custom",
    };

    public static bool TryParse(string name, out LeakRule rule) => ByWire.TryGetValue(name, out rule);

    /// <summary>How much a confident finding of this rule weighs in the 0..1 score, independent of the audience.</summary>
    public static double Weight(this LeakRule rule) => rule switch
    {
        LeakRule.Secret => 1.0,
        LeakRule.PersonalData => 0.9,
        LeakRule.BusinessSevere => 0.85,
        LeakRule.ConfidentialMarker => 0.7,
        LeakRule.InternalHost => 0.65,
        LeakRule.PersonalContact => 0.6,
        LeakRule.InternalOnlyWithBusiness => 0.6,
        LeakRule.ClientOrProject or LeakRule.Custom => 0.4,
        LeakRule.InternalOnly => 0.4,
        LeakRule.MoneyOrHeadcount => 0.3,
        LeakRule.CompanyId or LeakRule.Ip => 0.3,
        LeakRule.ClientInOwnChannel => 0.1,
        _ => 0.05,
    };
}
