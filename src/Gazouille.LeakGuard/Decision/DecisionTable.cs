using static Gazouille.LeakGuard.LeakDecision;

namespace Gazouille.LeakGuard;

/// <summary>
/// Decision per rule and audience. Built from DESIGN.md's defaults; a policy may only make a cell stricter, and a
/// wider audience is never looser than a narrower one (each row is made monotonic when the table is built).
/// </summary>
public sealed class DecisionTable
{
    private static readonly int AudienceCount = LeakAudiences.All.Count;
    private readonly LeakDecision[,] _cells;

    private DecisionTable(LeakDecision[,] cells) => _cells = cells;

    public LeakDecision this[LeakRule rule, LeakAudience audience] => _cells[(int)rule, (int)audience];

    //                                         team   followers company partners public
    internal static IReadOnlyDictionary<LeakRule, LeakDecision[]> Defaults { get; } = new Dictionary<LeakRule, LeakDecision[]>
    {
        [LeakRule.Informational] = [Allow, Allow, Allow, Allow, Allow],
        [LeakRule.Secret] = [Block, Block, Block, Block, Block],
        [LeakRule.PersonalData] = [Hold, Hold, Hold, Block, Block],
        [LeakRule.PersonalContact] = [Warn, Warn, Warn, Block, Block],
        [LeakRule.ConfidentialMarker] = [Warn, Warn, Warn, Hold, Block],
        [LeakRule.InternalOnly] = [Allow, Allow, Allow, Warn, Block],
        [LeakRule.InternalOnlyWithBusiness] = [Allow, Allow, Allow, Hold, Block],
        [LeakRule.BusinessSevere] = [Allow, Allow, Allow, Hold, Block],
        [LeakRule.ClientOrProject] = [Allow, Allow, Allow, Warn, Hold],
        [LeakRule.ClientInOwnChannel] = [Allow, Allow, Allow, Allow, Hold],
        [LeakRule.MoneyOrHeadcount] = [Allow, Allow, Allow, Warn, Hold],
        [LeakRule.InternalHost] = [Allow, Allow, Allow, Block, Block],
        [LeakRule.Ip] = [Allow, Allow, Allow, Warn, Warn],
        [LeakRule.CompanyId] = [Allow, Allow, Allow, Warn, Warn],
        [LeakRule.Custom] = [Allow, Allow, Allow, Warn, Hold],
    };

    public static DecisionTable Default { get; } = Build(new Dictionary<(LeakRule, LeakAudience), LeakDecision>());

    /// <summary>Overrides were validated by the policy parser (never looser than the default).</summary>
    internal static DecisionTable Build(IReadOnlyDictionary<(LeakRule Rule, LeakAudience Audience), LeakDecision> overrides)
    {
        var rules = Enum.GetValues<LeakRule>();
        var cells = new LeakDecision[rules.Length, AudienceCount];
        foreach (var rule in rules)
        {
            var running = Allow;
            for (var a = 0; a < AudienceCount; a++)
            {
                var value = Defaults[rule][a];
                if (overrides.TryGetValue((rule, (LeakAudience)a), out var o) && o > value)
                {
                    value = o;
                }

                running = value > running ? value : running;
                cells[(int)rule, a] = running;
            }
        }

        return new DecisionTable(cells);
    }
}
