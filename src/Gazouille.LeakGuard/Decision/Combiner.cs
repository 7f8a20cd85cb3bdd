using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Decision;

/// <summary>
/// Turns candidates into judged findings: drops the weak and the overlapped, applies the combination rules
/// (client or project + negative / headcount / money is severe; a person next to health or HR words is personal data),
/// and spares a client named in its own partner channel.
/// </summary>
internal static class Combiner
{
    private const int ComboWindow = 300;

    // When two pattern findings cover the same characters, the more specific one explains them: the lower rank wins,
    // -1 for the types outside this order. A switch (string equality, as a search of an array would be) per lookup.
    private static int Rank(string type) => type switch
    {
        FindingTypes.Secret => 0,
        FindingTypes.Iban => 1,
        FindingTypes.Card => 2,
        FindingTypes.Nir => 3,
        FindingTypes.Siret => 4,
        FindingTypes.Siren => 5,
        FindingTypes.Email => 6,
        FindingTypes.Phone => 7,
        FindingTypes.InternalHost => 8,
        FindingTypes.Ip => 9,
        FindingTypes.Money => 10,
        FindingTypes.Headcount => 11,
        _ => -1,
    };

    // Plain loops rather than LINQ and lambdas in this file: it runs on every post, and each capturing lambda allocates.
    public static List<(Candidate Candidate, LeakRule Rule)> Combine(ScanContext ctx, string? channelClient)
    {
        var strong = ctx.Strong;
        strong.Clear();
        foreach (var c in ctx.Candidates)
        {
            if (c.Confidence >= ctx.Policy.MinConfidence)
            {
                strong.Add(c);
            }
        }

        var kept = Resolve(strong, ctx.Kept);
        var result = ctx.Judged;
        result.Clear();
        foreach (var c in kept)
        {
            var rule = c.Type switch
            {
                FindingTypes.Secret => LeakRule.Secret,
                FindingTypes.Nir or FindingTypes.Iban or FindingTypes.Card => LeakRule.PersonalData,
                FindingTypes.Email or FindingTypes.Phone => LeakRule.PersonalContact,
                FindingTypes.ConfidentialMarker => LeakRule.ConfidentialMarker,
                FindingTypes.InternalOnlyMarker => AnyBusinessNameOrAmount(kept)
                    ? LeakRule.InternalOnlyWithBusiness : LeakRule.InternalOnly,
                FindingTypes.Client or FindingTypes.Project => AnyNear(kept, c, businessDetail: true)
                    ? LeakRule.BusinessSevere
                    : IsOwnChannel(c, channelClient) ? LeakRule.ClientInOwnChannel : LeakRule.ClientOrProject,
                FindingTypes.Money or FindingTypes.Headcount => AnyNear(kept, c, businessDetail: false)
                    ? LeakRule.BusinessSevere : LeakRule.MoneyOrHeadcount,
                FindingTypes.Negative => AnyNear(kept, c, businessDetail: false) ? LeakRule.BusinessSevere : LeakRule.Informational,
                FindingTypes.Person => PersonRule(ctx, c),
                FindingTypes.InternalHost => LeakRule.InternalHost,
                FindingTypes.Ip => LeakRule.Ip,
                FindingTypes.Siren or FindingTypes.Siret => LeakRule.CompanyId,
                _ => ctx.Policy.CustomRules.GetValueOrDefault(c.Type, LeakRule.Custom),
            };
            if (c.Type == FindingTypes.Person && rule != LeakRule.Informational)
            {
                c.Note = rule == LeakRule.PersonalData ? "health" : "hr";
            }

            result.Add((c, rule));
        }

        return result;
    }

    private static bool IsBusinessName(Candidate c) => c.Type is FindingTypes.Client or FindingTypes.Project;

    private static bool IsBusinessDetail(Candidate c) => c.Type is FindingTypes.Negative or FindingTypes.Headcount or FindingTypes.Money;

    private static bool AnyBusinessNameOrAmount(List<Candidate> kept)
    {
        foreach (var o in kept)
        {
            if (IsBusinessName(o) || o.Type is FindingTypes.Money or FindingTypes.Headcount)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A business detail (or, when <paramref name="businessDetail"/> is false, a business name) near <paramref name="c"/>.</summary>
    private static bool AnyNear(List<Candidate> kept, Candidate c, bool businessDetail)
    {
        foreach (var o in kept)
        {
            if ((businessDetail ? IsBusinessDetail(o) : IsBusinessName(o)) && Math.Abs(c.Start - o.Start) <= ComboWindow)
            {
                return true;
            }
        }

        return false;
    }

    private static LeakRule PersonRule(ScanContext ctx, Candidate person)
    {
        if (ctx.HasNearby(Lexicon.Health, person.Start, person.End, 80))
        {
            return LeakRule.PersonalData;
        }

        return ctx.HasNearby(Lexicon.Hr, person.Start, person.End, 80) ? LeakRule.PersonalContact : LeakRule.Informational;
    }

    private static bool IsOwnChannel(Candidate c, string? channelClient)
    {
        if (string.IsNullOrWhiteSpace(channelClient) || c.Entry is null || c.Type != FindingTypes.Client)
        {
            return false;
        }

        var channel = TextNormalizer.SkeletonOf(channelClient);
        return (c.Entry.Org is { } org && (org.Equals(channelClient, StringComparison.OrdinalIgnoreCase) || TextNormalizer.SkeletonOf(org) == channel))
            || TextNormalizer.SkeletonOf(c.Entry.Term) == channel;
    }

    private static readonly Comparison<Candidate> ByStartThenLongest =
        (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : (b.End - b.Start).CompareTo(a.End - a.Start);

    private static List<Candidate> Resolve(List<Candidate> candidates, List<Candidate> kept)
    {
        candidates.Sort(ByStartThenLongest);
        kept.Clear();
        foreach (var c in candidates)
        {
            var rank = Rank(c.Type);
            var dominated = false;
            foreach (var k in kept)
            {
                if (k.Overlaps(c) && (k.Type == c.Type
                    ? k.End - k.Start >= c.End - c.Start
                    : rank >= 0 && Rank(k.Type) is var kr and >= 0 && kr <= rank))
                {
                    dominated = true;
                    break;
                }
            }

            if (dominated)
            {
                continue;
            }

            // A longer or more specific finding that arrives later replaces what it covers (in place, order kept).
            var write = 0;
            for (var read = 0; read < kept.Count; read++)
            {
                var k = kept[read];
                var replaced = k.Overlaps(c) && ((k.Type == c.Type && c.End - c.Start > k.End - k.Start)
                    || (rank >= 0 && Rank(k.Type) > rank));
                if (!replaced)
                {
                    kept[write++] = k;
                }
            }

            kept.RemoveRange(write, kept.Count - write);
            kept.Add(c);
        }

        return kept;
    }
}
