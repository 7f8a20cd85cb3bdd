using System.Buffers;
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

    // Anchored (\G): tried only at the few positions where a count can start, before a noun found by its anchors.
    [GeneratedRegex(@"\G(?<![\w.,])(?<num>" + Count + @")\s(?:[a-z\-]{2,14}\s)?(?<noun>" + BusinessNoun + "|" + PeopleNoun + @")(?!\w)(?! de travail| informatiques?)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    internal static partial Regex CountThenNoun();

    [GeneratedRegex(@"(?<![\w])(?:(?:une |l'|notre |son |leur |an |a |our |the )?(?:equipe|team|effectif|staff|task force|squad))\s(?:de|of|d')\s?(?<num>" + Count + @")(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex TeamOf();

    [GeneratedRegex(@"(?<![\w])(?:lay(?:ing)? off|laid off|let go of|cut|cutting|fire|firing|hire|hiring|licencier|licencie|virer|supprimer|recruter|embaucher|staffer|mobiliser)\s(?<num>\d{1,6}|" + Count + @")(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex VerbThenCount();

    // Literal words each pattern must contain, to run it only around them: a noun's optional last char ("postes?") is
    // dropped with its "?", so that "1 poste" is found as well as "20 postes".
    internal static readonly string[] NounWords = [.. (BusinessNoun + "|" + PeopleNoun).Split('|').Select(w => w.EndsWith('?') ? w[..^2] : w)];

    private static readonly SearchValues<string> TeamAnchors =
        SearchValues.Create(["equipe", "team", "effectif", "staff", "task force", "squad"], StringComparison.Ordinal);

    private static readonly SearchValues<string> VerbAnchors = SearchValues.Create(
        ["lay", "laid", "let go of", "cut", "fire", "firing", "hire", "hiring", "licencie", "virer", "supprimer", "recruter", "embaucher",
            "staffer", "mobiliser"], StringComparison.Ordinal);

    // A literal every match of the currency patterns contains (one of the Currency alternatives, or its start): "€",
    // "eur", "$", "usd", "dollar", "£", "gbp", "livre", "chf", "franc"; and one every match of the scale-only pattern
    // contains: "million", "milliard", "billion", "md", "mrd", "bn". Searched by hand in the few chars around each
    // number: a SearchValues<string> search costs more to set up than such a slice takes to walk.
    private static int IndexOfCurrencyToken(ReadOnlySpan<char> s)
    {
        for (var k = 0; k < s.Length; k++)
        {
            var rest = s[k..];
            var found = s[k] switch
            {
                '€' or '$' or '£' => true,
                'e' => rest.StartsWith("eur", StringComparison.Ordinal),
                'u' => rest.StartsWith("usd", StringComparison.Ordinal),
                'd' => rest.StartsWith("dollar", StringComparison.Ordinal),
                'g' => rest.StartsWith("gbp", StringComparison.Ordinal),
                'l' => rest.StartsWith("livre", StringComparison.Ordinal),
                'c' => rest.StartsWith("chf", StringComparison.Ordinal),
                'f' => rest.StartsWith("franc", StringComparison.Ordinal),
                _ => false,
            };
            if (found)
            {
                return k;
            }
        }

        return -1;
    }

    private static bool HasScaleToken(ReadOnlySpan<char> s)
    {
        for (var k = 0; k < s.Length; k++)
        {
            var rest = s[k..];
            var found = s[k] switch
            {
                'm' => rest.StartsWith("md", StringComparison.Ordinal) || rest.StartsWith("mrd", StringComparison.Ordinal)
                    || rest.StartsWith("million", StringComparison.Ordinal) || rest.StartsWith("milliard", StringComparison.Ordinal),
                'b' => rest.StartsWith("bn", StringComparison.Ordinal) || rest.StartsWith("billion", StringComparison.Ordinal),
                _ => false,
            };
            if (found)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> BusinessNounLookup = BusinessNouns.GetAlternateLookup<ReadOnlySpan<char>>();

    // Longest spans the patterns reach around their anchor (count words ≤ 16 chars, one optional word ≤ 15, currencies
    // and scales ≤ 15), with slack for the lookarounds.
    private const int CountBefore = 48;
    private const int TeamBefore = 16;
    private const int TeamAfter = 48;
    private const int VerbBefore = 2;
    private const int VerbAfter = 48;
    private const int MoneyAfter = 16; // a number's currency starts within 14 chars: " milliards d' "

    // The longest currency ("livres sterling"), the longest scale ("milliards") after at most one white space, and
    // the reach of a currency before its number ("usd" and one white space).
    private const int LongestCurrency = 15;
    private const int ScaleAfter = 12;
    private const int CurrencyBefore = 4;

    public static void Detect(ScanContext ctx)
    {
        var view = ctx.Text.Folded;
        var span = view.Span;
        var hasDigit = span.IndexOfAnyInRange('0', '9') >= 0 || HasNonAsciiDigit(span);
        if (hasDigit)
        {
            DetectMoney(ctx, view);
        }

        DetectCounts(ctx);
        AddTeams(ctx, view, TeamOf(), TeamAnchors, TeamBefore, TeamAfter);
        AddTeams(ctx, view, VerbThenCount(), VerbAnchors, VerbBefore, VerbAfter);
    }

    /// <summary>Count-then-noun headcounts ("20 personnes"); a stage of its own for the bench.</summary>
    internal static void DetectCounts(ScanContext ctx)
    {
        var view = ctx.Text.Folded;
        var span = view.Span;
        var nouns = new RegexWindows(stackalloc (int, int)[8], span.Length);
        try
        {
            // A count match is at most three words, each after one whitespace char ("une dizaine de devs" is
            // "une dizaine" + one optional word + the noun): its window starts at the third word before the noun. The
            // noun itself follows a white space in every match, so only the words after one are looked at (a noun
            // elsewhere, "-personnes", gave a one-char window where no count can start: no noun begins with a digit or
            // with a count word and a white space).
            var nounsAt = new NounStarts(span);
            while (nounsAt.Next() is var anchor and >= 0)
            {
                var wordStart = anchor;
                for (var word = 0; word < 3 && wordStart > 0 && char.IsWhiteSpace(span[wordStart - 1]); word++)
                {
                    wordStart--;
                    while (wordStart > 0 && !char.IsWhiteSpace(span[wordStart - 1]))
                    {
                        wordStart--;
                    }
                }

                nouns.Add(anchor, anchor + 1, Math.Min(anchor - wordStart, CountBefore), 0);
            }

            // A match starts before its noun, at a position not preceded by a letter or digit (the lookbehind): the
            // anchored pattern is tried there only, in order, each search resuming after the last match like a scan
            // of the whole text would.
            var resume = 0;
            for (var w = 0; w < nouns.Count; w++)
            {
                var (windowStart, windowEnd) = nouns[w];
                for (var p = Math.Max(windowStart, resume); p < windowEnd; p++)
                {
                    if (!char.IsLetterOrDigit(span[p]) || (p > 0 && char.IsLetterOrDigit(span[p - 1])) || !StartsCount(span[p..]))
                    {
                        continue;
                    }

                    foreach (var m in CountThenNoun().EnumerateMatches(span, p))
                    {
                        var (start, end) = view.ToOriginal(m.Index, m.Index + m.Length);
                        var business = BusinessNounLookup.Contains(LastWord(span.Slice(m.Index, m.Length)));
                        var context = ctx.HasNearby(Lexicon.HeadcountContext, start, end, 60);
                        ctx.Add(FindingTypes.Headcount, start, end, business ? 0.85 : context ? 0.75 : 0.4, business ? "jobs" : "people");
                        resume = m.Index + m.Length;
                        p = resume - 1;
                        break;
                    }
                }
            }
        }
        finally
        {
            nouns.Dispose();
        }
    }

    // The count words, by first letter: the "num" group of a match is a digit or one of them, and a white space follows.
    private static readonly string[][] CountWordsByInitial = BuildCountWords();

    private static string[][] BuildCountWords()
    {
        var byInitial = new string[128][];
        foreach (var group in Count.Split('|').Where(w => !w.StartsWith('\\')).GroupBy(w => w[0]))
        {
            byInitial[group.Key] = [.. group];
        }

        return byInitial;
    }

    /// <summary>
    /// True where a count match may start: a digit, or a count word followed by a white space (the pattern's "\s" after
    /// its number); "echappe" before "galere 20 personnes" begins with a count word's initial but costs no regex call.
    /// </summary>
    private static bool StartsCount(ReadOnlySpan<char> s)
    {
        var c = s[0];
        if (char.IsDigit(c))
        {
            return true;
        }

        if (c >= 128 || CountWordsByInitial[c] is not { } words)
        {
            return false;
        }

        foreach (var word in words)
        {
            if (s.Length > word.Length && s.StartsWith(word, StringComparison.Ordinal) && char.IsWhiteSpace(s[word.Length]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"une équipe de 12", "lay off 30": a stage of its own for the bench.</summary>
    internal static void DetectTeams(ScanContext ctx)
    {
        AddTeams(ctx, ctx.Text.Folded, TeamOf(), TeamAnchors, TeamBefore, TeamAfter);
        AddTeams(ctx, ctx.Text.Folded, VerbThenCount(), VerbAnchors, VerbBefore, VerbAfter);
    }

    private static void AddTeams(ScanContext ctx, Normalization.MappedText view, Regex regex, SearchValues<string> anchors, int before, int after)
    {
        var span = view.Span;
        var windows = new RegexWindows(stackalloc (int, int)[8], span.Length);
        try
        {
            windows.AddAll(span, anchors, before, after);
            for (var w = 0; w < windows.Count; w++)
            {
                var (windowStart, windowEnd) = windows[w];
                foreach (var m in regex.EnumerateMatches(span[..windowEnd], windowStart))
                {
                    var (start, end) = view.ToOriginal(m.Index, m.Index + m.Length);
                    ctx.Add(FindingTypes.Headcount, start, end, 0.8, "team");
                }
            }
        }
        finally
        {
            windows.Dispose();
        }
    }

    /// <summary>The noun that ends a count match ("20 personnes"): the nouns have no spaces.</summary>
    private static ReadOnlySpan<char> LastWord(ReadOnlySpan<char> match)
    {
        var i = match.Length;
        while (i > 0 && !char.IsWhiteSpace(match[i - 1]))
        {
            i--;
        }

        return match[i..];
    }

    private static bool HasNonAsciiDigit(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c >= 128 && char.IsDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    internal static void DetectMoney(ScanContext ctx, Normalization.MappedText view)
    {
        // Every amount has its number inside one run of digits, spaces, dots and commas: the patterns run only there,
        // and only where the window also holds the currency (first two patterns) or the scale word (third) that every
        // one of their matches contains, so that a phone number or a date costs no regex at all.
        var span = view.Span;
        var windows = new RegexWindows(stackalloc (int, int)[8], span.Length);
        var currencyFirst = new RegexWindows(stackalloc (int, int)[8], span.Length);
        var scaleWindows = new RegexWindows(stackalloc (int, int)[8], span.Length);
        try
        {
            var i = 0;
            while (i < span.Length)
            {
                if (!char.IsDigit(span[i]))
                {
                    // Jump to the next char that may be a digit (an ASCII one or any non-ASCII char).
                    var next = DigitSearch.NextPossibleDigit(span, i + 1);
                    i = next < 0 ? span.Length : next;
                    continue;
                }

                var start = i;
                while (start > 0 && IsNumberChar(span[start - 1]))
                {
                    start--;
                }

                var end = i;
                while (end < span.Length && IsNumberChar(span[end]))
                {
                    end++;
                }

                // Each window ends where the last match its run could start may end (plus the lookahead's char), so a
                // phone number a few words after "1,2 M€" is not scanned again. No currency or scale word contains a
                // run char (digit, space, dot, comma), and nothing between a number and its currency ("\s? scale? \s?
                // d'|de|of") contains a currency token, so an amount's currency starts at the first token after its run.
                var after = span[end..(int)Math.Min(span.Length, (long)end + MoneyAfter)];
                var token = IndexOfCurrencyToken(after);
                if (token >= 0)
                {
                    windows.Add(start, end, 0, token + LongestCurrency + 2);
                }

                // "€ 1,2 M": the currency (≤ 3 chars, one optional space) ends right before the run.
                if (IndexOfCurrencyToken(span[Math.Max(0, start - CurrencyBefore)..start]) >= 0)
                {
                    currencyFirst.Add(start, end, CurrencyBefore, ScaleAfter);
                }

                if (HasScaleToken(span[end..(int)Math.Min(span.Length, (long)end + ScaleAfter)]))
                {
                    scaleWindows.Add(start, end, 0, ScaleAfter);
                }

                i = end;
            }

            AddAmounts(ctx, view, AmountThenCurrency(), ref windows, withCurrency: true);
            AddAmounts(ctx, view, CurrencyThenAmount(), ref currencyFirst, withCurrency: true);
            AddAmounts(ctx, view, AmountWithScaleOnly(), ref scaleWindows, withCurrency: false);
        }
        finally
        {
            windows.Dispose();
            currencyFirst.Dispose();
            scaleWindows.Dispose();
        }
    }

    private static void AddAmounts(ScanContext ctx, Normalization.MappedText view, Regex regex, ref RegexWindows windows, bool withCurrency)
    {
        var span = view.Span;
        for (var w = 0; w < windows.Count; w++)
        {
            var (windowStart, windowEnd) = windows[w];
            foreach (var vm in regex.EnumerateMatches(span[..windowEnd], windowStart))
            {
                var (start, end) = view.ToOriginal(vm.Index, vm.Index + vm.Length);

                // The scale-only pattern's confidence does not read the amount.
                var amount = withCurrency ? AmountOf(span.Slice(vm.Index, vm.Length), currencyFirst: regex == CurrencyThenAmount()) : 0;
                var context = ctx.HasNearby(Lexicon.MoneyContext, start, end, 60) || ctx.HasNearby(Lexicon.BusinessContext, start, end, 60);
                // Pocket money ("le café à 2 €") is not business data; large or contextual amounts are.
                var confidence = withCurrency
                    ? (amount >= 10_000 ? 0.85 : amount >= 1_000 || (context && amount >= 100) ? 0.6 : 0.3)
                    : (context ? 0.7 : 0.45);
                ctx.Add(FindingTypes.Money, start, end, confidence, withCurrency ? "amount" : "scale");
                if (!DigitSearch.MayHaveDigit(span[..windowEnd], vm.Index + vm.Length))
                {
                    break;
                }
            }
        }
    }

    /// <summary>The amount a currency pattern's match stands for, from its "num" and "scale" groups (see <see cref="AmountGroups"/>).</summary>
    private static double AmountOf(ReadOnlySpan<char> match, bool currencyFirst)
    {
        var (num, scale) = AmountGroups(match, currencyFirst);
        return Amount(match[num.Start..num.End], match[scale.Start..scale.End]);
    }

    // The alternatives of the patterns' scale and currency groups, in the patterns' order, each "s?" tried with its "s"
    // first (greedy), as the regex engine tries them.
    private static readonly string[] ScaleAlternatives =
        ["k", "m", "mn", "md", "mds", "mrd", "bn", "b", "mio", "millions", "million", "milliards", "milliard", "billions", "billion", "thousands", "thousand", "mille"];

    private static readonly string[] CurrencyAlternatives =
    [
        "€", "eur", "euros", "euro", "$", "usd", "dollars", "dollar", "£", "gbp", "livres sterling", "livre sterling", "chf",
        "francs suisses", "francs suisse", "franc suisses", "franc suisse",
    ];

    /// <summary>
    /// The "num" and "scale" groups of a whole match of <see cref="AmountThenCurrency"/> (or, with
    /// <paramref name="currencyFirst"/>, of <see cref="CurrencyThenAmount"/>), as the regex engine would capture them when
    /// matching the match's own chars, without a second regex call. Nothing after a number in either pattern can hold a
    /// digit and a number ends with one, so "num" runs from the match's first digit (its start when the amount comes first)
    /// to its last; what follows is tried in the pattern's order (optional parts taken first, alternatives left to right)
    /// until a way through ends exactly at the match's end, which is the way the engine takes.
    /// </summary>
    internal static ((int Start, int End) Num, (int Start, int End) Scale) AmountGroups(ReadOnlySpan<char> match, bool currencyFirst)
    {
        var numStart = 0;
        while (currencyFirst && numStart < match.Length && !char.IsDigit(match[numStart]))
        {
            numStart++;
        }

        var numEnd = match.Length;
        while (numEnd > numStart && !char.IsDigit(match[numEnd - 1]))
        {
            numEnd--;
        }

        var rest = match[numEnd..];
        for (var p = Space(rest, 0); p >= 0; p--)
        {
            for (var a = 0; a <= ScaleAlternatives.Length; a++)
            {
                var scaleEnd = p;
                if (a < ScaleAlternatives.Length)
                {
                    if (!rest[p..].StartsWith(ScaleAlternatives[a], StringComparison.Ordinal))
                    {
                        continue;
                    }

                    scaleEnd = p + ScaleAlternatives[a].Length;
                }

                var scale = a < ScaleAlternatives.Length ? (numEnd + p, numEnd + scaleEnd) : (0, 0);
                if (currencyFirst ? scaleEnd == rest.Length : CurrencyEndsAt(rest, scaleEnd))
                {
                    return ((numStart, numEnd), scale);
                }
            }
        }

        // Not a whole match of the pattern (never the case for the matches the detector reads).
        return ((numStart, numEnd), (0, 0));
    }

    /// <summary>
    /// "\s?" at <paramref name="p"/>: the position after a white space when there is one, else <paramref name="p"/>;
    /// a loop down from it to <paramref name="p"/> tries both, the space first (greedy).
    /// </summary>
    private static int Space(ReadOnlySpan<char> s, int p) => p < s.Length && char.IsWhiteSpace(s[p]) ? p + 1 : p;

    /// <summary>"\s? (?:d'\s?|de\s|of\s)? currency" from <paramref name="p"/> ends exactly at the end of <paramref name="s"/>.</summary>
    private static bool CurrencyEndsAt(ReadOnlySpan<char> s, int p)
    {
        for (var afterSpace = Space(s, p); afterSpace >= p; afterSpace--)
        {
            var rest = s[afterSpace..];
            if (rest.StartsWith("d'", StringComparison.Ordinal))
            {
                for (var afterPreposition = Space(rest, 2); afterPreposition >= 2; afterPreposition--)
                {
                    if (IsCurrency(rest[afterPreposition..]))
                    {
                        return true;
                    }
                }
            }

            if ((rest.StartsWith("de", StringComparison.Ordinal) || rest.StartsWith("of", StringComparison.Ordinal))
                && rest.Length > 2 && char.IsWhiteSpace(rest[2]) && IsCurrency(rest[3..]))
            {
                return true;
            }

            if (IsCurrency(rest))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsCurrency(ReadOnlySpan<char> s)
    {
        foreach (var currency in CurrencyAlternatives)
        {
            if (s.SequenceEqual(currency))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every match of a currency pattern in <paramref name="text"/> with its groups, for tests that hold <see cref="AmountGroups"/> to it.</summary>
    internal static IEnumerable<(string Match, string Num, string Scale)> CurrencyPatternMatches(string text, bool currencyFirst)
    {
        foreach (Match m in (currencyFirst ? CurrencyThenAmount() : AmountThenCurrency()).Matches(text))
        {
            yield return (m.Value, m.Groups["num"].Value, m.Groups["scale"].Value);
        }
    }

    private static bool IsNumberChar(char c) => c is ' ' or '.' or ',' || char.IsDigit(c);

    private static double Amount(ReadOnlySpan<char> number, ReadOnlySpan<char> scale)
    {
        // "1 200,50" / "1,200.50" / "1,2": the last separator followed by 1-2 digits is decimal, the others group thousands.
        Span<char> buffer = number.Length <= 64 ? stackalloc char[number.Length + 1] : new char[number.Length + 1];
        var n = 0;
        foreach (var c in number)
        {
            if (c != ' ')
            {
                buffer[n++] = c;
            }
        }

        var compact = buffer[..n];
        var lastSep = compact.LastIndexOfAny('.', ',');
        var keepDecimal = lastSep >= 0 && n - lastSep - 1 != 3;
        var length = 0;
        for (var i = 0; i < n; i++)
        {
            if (keepDecimal && i == lastSep)
            {
                buffer[length++] = '.';
            }
            else if (compact[i] is not ('.' or ','))
            {
                buffer[length++] = compact[i];
            }
        }

        var value = double.TryParse(buffer[..length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return value * (scale switch
        {
            "k" or "mille" or "thousand" or "thousands" => 1e3,
            "m" or "mn" or "mio" or "million" or "millions" => 1e6,
            "" => 1,
            _ => 1e9,
        });
    }
}
