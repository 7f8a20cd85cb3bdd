using System.Globalization;
using System.Text.RegularExpressions;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// Money amounts ("1,2 M€", "300 k€", "2 millions d'euros", "€1.2m", "$3M") and headcounts ("20 personnes",
/// "15 postes", "une équipe de 12", "lay off 30 people", "20 FTE"), read on the folded view (lower case, no accents).
/// </summary>
internal static partial class QuantityDetector
{
    private const string Num = @"\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?";
    private const string Scale = @"k|m|mn|md|mds|mrd|bn|b|mio|millions?|milliards?|billions?|thousands?|mille";
    private const string Currency = @"€|eur|euros?|\$|usd|dollars?|£|gbp|livres? sterling|chf|francs? suisses?";

    [GeneratedRegex(@"(?<![\w.,])(?<num>" + Num + @")\s?(?<scale>" + Scale + @")?\s?(?:d'\s?|de\s|of\s)?(?<cur>" + Currency + @")(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex AmountThenCurrency();

    [GeneratedRegex(@"(?<![\w])(?<cur>€|\$|£|usd|eur|chf)\s?(?<num>" + Num + @")\s?(?<scale>" + Scale + @")?(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex CurrencyThenAmount();

    [GeneratedRegex(@"(?<![\w.,])(?<num>" + Num + @")\s?(?<scale>millions?|milliards?|billions?|mds?|mrd|bn)(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex AmountWithScaleOnly();

    private const string Count = @"\d{1,6}|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|deux cents|une dizaine|une quinzaine|une vingtaine|une trentaine|une cinquantaine|une centaine|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|a hundred|hundreds|a dozen|dozens";
    private const string BusinessNoun = @"postes?|etp|fte|jobs?|positions?|licenciements?|layoffs?|hires|recrutements?|recrues|cdi|cdd|headcount|departs";
    private static readonly HashSet<string> BusinessNouns = [.. BusinessNoun.Replace("?", string.Empty, StringComparison.Ordinal).Split('|'),
        "poste", "job", "position", "licenciement", "layoff", "recrutement", "depart"];

    private const string PeopleNoun = @"personnes|salaries|collaborateurs|collaboratrices|collegues|people|persons|employees|staff|devs|developpeurs|developers|consultants|ingenieurs|engineers|agents|operateurs|techniciens|commerciaux|testeurs|contractors|freelances|prestataires|gens|workers|membres|members";

    [GeneratedRegex(@"(?<![\w.,])(?<num>" + Count + @")\s(?:[a-z\-]{2,14}\s)?(?<noun>" + BusinessNoun + "|" + PeopleNoun + @")(?!\w)(?! de travail| informatiques?)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex CountThenNoun();

    [GeneratedRegex(@"(?<![\w])(?:(?:une |l'|notre |son |leur |an |a |our |the )?(?:equipe|team|effectif|staff|task force|squad))\s(?:de|of|d')\s?(?<num>" + Count + @")(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex TeamOf();

    [GeneratedRegex(@"(?<![\w])(?:lay(?:ing)? off|laid off|let go of|cut|cutting|fire|firing|hire|hiring|licencier|licencie|virer|supprimer|recruter|embaucher|staffer|mobiliser)\s(?<num>\d{1,6}|" + Count + @")(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex VerbThenCount();

    public static void Detect(ScanContext ctx)
    {
        var view = ctx.Text.Folded;
        var text = view.Text;
        var hasDigit = text.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
        if (hasDigit)
        {
            DetectMoney(ctx, view, text);
        }

        foreach (Match m in CountThenNoun().Matches(text))
        {
            var (start, end) = view.ToOriginal(m.Index, m.Index + m.Length);
            var business = BusinessNouns.Contains(m.Groups["noun"].Value);
            var context = ctx.HasNearby(Lexicon.HeadcountContext, start, end, 60);
            ctx.Add(FindingTypes.Headcount, start, end, business ? 0.85 : context ? 0.75 : 0.4, business ? "jobs" : "people");
        }

        foreach (var regex in (ReadOnlySpan<Regex>)[TeamOf(), VerbThenCount()])
        {
            foreach (var m in regex.EnumerateMatches(text))
            {
                var (start, end) = view.ToOriginal(m.Index, m.Index + m.Length);
                ctx.Add(FindingTypes.Headcount, start, end, 0.8, "team");
            }
        }
    }

    private static void DetectMoney(ScanContext ctx, Normalization.MappedText view, string text)
    {
        foreach (var regex in (ReadOnlySpan<Regex>)[AmountThenCurrency(), CurrencyThenAmount(), AmountWithScaleOnly()])
        {
            var withCurrency = regex != AmountWithScaleOnly();
            foreach (Match m in regex.Matches(text))
            {
                var (start, end) = view.ToOriginal(m.Index, m.Index + m.Length);
                var amount = Amount(m.Groups["num"].Value, m.Groups["scale"].Value);
                var context = ctx.HasNearby(Lexicon.MoneyContext, start, end, 60) || ctx.HasNearby(Lexicon.BusinessContext, start, end, 60);
                // Pocket money ("le café à 2 €") is not business data; large or contextual amounts are.
                var confidence = withCurrency
                    ? (amount >= 10_000 ? 0.85 : amount >= 1_000 || (context && amount >= 100) ? 0.6 : 0.3)
                    : (context ? 0.7 : 0.45);
                ctx.Add(FindingTypes.Money, start, end, confidence, withCurrency ? "amount" : "scale");
            }
        }
    }

    private static double Amount(string number, string scale)
    {
        // "1 200,50" / "1,200.50" / "1,2": the last separator followed by 1-2 digits is decimal, the others group thousands.
        var digits = number.Replace(" ", string.Empty, StringComparison.Ordinal);
        var lastSep = digits.LastIndexOfAny(['.', ',']);
        if (lastSep >= 0 && digits.Length - lastSep - 1 != 3)
        {
            digits = digits[..lastSep].Replace(".", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal)
                + "." + digits[(lastSep + 1)..];
        }
        else
        {
            digits = digits.Replace(".", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal);
        }

        var value = double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return value * (scale switch
        {
            "k" or "mille" or "thousand" or "thousands" => 1e3,
            "m" or "mn" or "mio" or "million" or "millions" => 1e6,
            "" => 1,
            _ => 1e9,
        });
    }
}
