using Gazouille.LeakGuard.Detectors;

namespace Gazouille.LeakGuard.Tests;

/// <summary>
/// The hand-written shortcuts that stand in for regex calls must give the patterns' own answers: each is held to the
/// pattern over random texts drawn from the chars that decide it.
/// </summary>
public class ShortcutEquivalenceTests
{
    [Theory]
    [InlineData("build.corp.example, merci")]
    [InlineData("marie.dupont@gmail.com ; logs")]
    [InlineData("a.b.c.d.e.f.g.h.i.j.k.l.m")] // more than 10 labels
    [InlineData("host.example.123 and x.y-.z and -a.b and a.-b.c")]
    [InlineData("srv_1.lan et srv-2.intra/ci.corp.example/x")]
    [InlineData("1.2.3.4 v1.2 a..b a.b. .a.b")]
    public void Ascii_host_matcher_finds_what_the_host_pattern_finds(string text) =>
        Assert.Equal(NetworkDetector.HostPatternMatches(text), ScanHosts(text));

    [Fact]
    public void Ascii_host_matcher_agrees_with_the_host_pattern_on_random_texts()
    {
        const string alphabet = "ab9Z-._@/ ,";
        var random = new Random(20261127);
        for (var n = 0; n < 20_000; n++)
        {
            var chars = new char[random.Next(1, 40)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            Assert.True(NetworkDetector.HostPatternMatches(text).SequenceEqual(ScanHosts(text)), text);
        }
    }

    [Fact]
    public void Ascii_host_matcher_keeps_the_pattern_length_limits()
    {
        var longLabel = new string('a', 63);
        var tooLong = new string('a', 64);
        foreach (var text in new[]
                 {
                     $"{longLabel}.example", $"{tooLong}.example", $"x.{new string('b', 62)}", $"x.{new string('b', 63)}",
                     $"x.{new string('b', 62)}.y", string.Join('.', Enumerable.Repeat("h", 12)) + ".com",
                 })
        {
            Assert.Equal(NetworkDetector.HostPatternMatches(text), ScanHosts(text));
        }
    }

    /// <summary>A whole-text scan with the hand-written matcher, as the regex's enumeration would go.</summary>
    private static List<(int Index, int Length)> ScanHosts(string text)
    {
        var found = new List<(int, int)>();
        for (var p = 0; p < text.Length;)
        {
            var end = NetworkDetector.AsciiHostAt(text, p);
            if (end < 0)
            {
                p++;
                continue;
            }

            found.Add((p, end - p));
            p = end;
        }

        return found;
    }
}

/// <summary>The money groups read by hand must be the ones the currency patterns capture.</summary>
public class AmountGroupTests
{
    [Theory]
    [InlineData("budget 1,2 m€ explose", false)]
    [InlineData("1 200 € et 1234 € et 1 2345 € et 3 mille euros", false)]
    [InlineData("2 md€, 2 mds€, 5 mrd de dollars, 7 millions d' euros, 8 milliards d'euros, 9 bn of usd", false)]
    [InlineData("4 livres sterling, 5 livre sterling, 6 francs suisses, 7 franc suisse, 8 k chf, 9 m gbp", false)]
    [InlineData("€ 1,2 m, $3m, usd 4 000, eur 5 millions, chf 6k, £7 bn", true)]
    public void Hand_read_groups_are_the_patterns_groups(string text, bool currencyFirst) =>
        AssertSameGroups(text, currencyFirst);

    [Fact]
    public void Hand_read_groups_agree_with_the_patterns_on_random_amounts()
    {
        string[] pieces =
        [
            "1", "12", "123", "1234", " ", ",", ".", "0", "5 000", "k", "m", "mn", "md", "mds", "mrd", "bn", "b", "mio", "million",
            "millions", "milliard", "mille", "thousand", "d'", "de ", "of ", "€", "eur", "euro", "euros", "$", "usd", "dollar",
            "£", "gbp", "livre", "s", " sterling", "chf", "franc", " suisse", "x", "\n",
        ];
        var random = new Random(20261127);
        var matched = 0;
        for (var n = 0; n < 30_000; n++)
        {
            var text = RandomTexts.Of(random, pieces, maxPieces: 8);
            matched += AssertSameGroups(text, currencyFirst: false) + AssertSameGroups(text, currencyFirst: true);
        }

        Assert.True(matched > 1000, $"only {matched} matches: the random texts no longer exercise the patterns");
    }

    private static int AssertSameGroups(string text, bool currencyFirst)
    {
        var count = 0;
        foreach (var (match, num, scale) in QuantityDetector.CurrencyPatternMatches(text, currencyFirst))
        {
            var (numSpan, scaleSpan) = QuantityDetector.AmountGroups(match, currencyFirst);
            Assert.True(num == match[numSpan.Start..numSpan.End] && scale == match[scaleSpan.Start..scaleSpan.End],
                $"{text} → \"{match}\": num \"{num}\" scale \"{scale}\", read \"{match[numSpan.Start..numSpan.End]}\" \"{match[scaleSpan.Start..scaleSpan.End]}\"");
            count++;
        }

        return count;
    }
}

/// <summary>The scans that only look where a pattern can match must find what a scan of the whole text finds.</summary>
public class WindowedScanTests
{
    [Fact]
    public void Probing_every_32nd_char_finds_every_maximal_run_of_32_or_more_token_chars()
    {
        // Runs just below, at and above the limit, next to one another and at the text's edges.
        string[] pieces = ["a", "Z9", "+/", "_-=", new string('x', 15), new string('k', 31), new string('q', 32), " ", ".", "é", "\n"];
        var random = new Random(20261127);
        var runs = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var s = RandomTexts.Of(random, pieces, maxPieces: 15);
            var expected = MaximalRuns(s);
            var found = new List<(int, int)>();
            var probe = SecretDetector.MinTokenRun - 1;
            while (SecretDetector.NextLongRun(s, ref probe, out var start, out var end))
            {
                found.Add((start, end));
            }

            Assert.True(expected.SequenceEqual(found), $"\"{s}\": expected {string.Join(' ', expected)}, found {string.Join(' ', found)}");
            runs += found.Count;
        }

        Assert.True(runs > 2000, $"only {runs} runs: the random texts no longer exercise the scan");
    }

    /// <summary>Every maximal run of 32+ chars of the long-token pattern's class, by walking every char.</summary>
    private static List<(int, int)> MaximalRuns(string s)
    {
        static bool Token(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-' or '=';
        var runs = new List<(int, int)>();
        for (var i = 0; i < s.Length;)
        {
            if (!Token(s[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < s.Length && Token(s[i]))
            {
                i++;
            }

            if (i - start >= 32)
            {
                runs.Add((start, i));
            }
        }

        return runs;
    }

    [Theory]
    [InlineData("galere 20 personnes sur le carreau")]
    [InlineData("une dizaine de devs\tet 15\u00A0postes, 3-personnes, x20 personnes, 12 postes de travail")]
    [InlineData("personnes 20\npersonnes deux  salaries quatorze nouveaux consultants ")]
    [InlineData("on supprime 1 poste, 1 job, 1 position, 1 licenciement, 1 layoff et 1 recrutement")] // singular nouns
    public void Count_headcounts_found_after_white_spaces_are_the_whole_text_matches(string text) =>
        Assert.Equal(WholeTextCounts(text), DetectedCounts(text));

    [Fact]
    public void Count_headcounts_agree_with_a_whole_text_scan_on_random_texts()
    {
        string[] pieces =
        [
            "20", "3", "1234567", "deux", "vingt", "une dizaine", "cent", "deux cents", "personnes", "postes", "poste", "job", "devs", "staff",
            "gens", "agents", "salaries", "de", "nouveaux", "x", " ", " ", " ", "  ", "\n", "\t", "\u00A0", "\u2003", "\u3000", "\u001F",
            "-", ",", ".", "é", "€", " de travail", " informatiques", "20 personnes", "deux\tpostes", "une dizaine de devs",
            "3 nouveaux postes", "12 job", " 7 staff",
        ];
        var random = new Random(20261127);
        var matched = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var text = RandomTexts.Of(random, pieces, maxPieces: 11);

            // Past 64 chars now and then, so that the white-space blocks' edges are crossed.
            var s = random.Next(4) == 0 ? new string('a', random.Next(50, 70)) + " " + text : text;
            var expected = WholeTextCounts(s);
            Assert.True(expected.SequenceEqual(DetectedCounts(s)), $"\"{s}\": expected {string.Join(" ", expected)}, found {string.Join(" ", DetectedCounts(s))}");
            matched += expected.Count;
        }

        Assert.True(matched > 3000, $"only {matched} matches: the random texts no longer exercise the pattern");
    }

    [Fact]
    public void White_space_bits_are_char_IsWhiteSpace_for_every_char_in_vector_and_scalar_blocks()
    {
        var chars = new string('a', 80).ToCharArray();
        for (var c = 0; c <= char.MaxValue; c++)
        {
            chars[10] = (char)c;
            var bits = NounStarts.WhiteSpaces(chars, 0);
            Assert.True(((bits >> 10) & 1) == (char.IsWhiteSpace((char)c) ? 1ul : 0ul), $"U+{c:X4}");
            Assert.Equal(0ul, bits & ~(1ul << 10));
            Assert.Equal(bits << 1, NounStarts.WhiteSpaces(chars, -1)); // the first block: char -1 is none
        }

        // The text's last char starts no word after it, in either path.
        Assert.Equal(0ul, NounStarts.WhiteSpaces("ab ", 0));
        Assert.Equal(1ul << 63, NounStarts.WhiteSpaces(new string('a', 63) + " b", 0));
    }

    /// <summary>The count pattern without its anchor, scanned over the whole folded view.</summary>
    private static List<(int, int)> WholeTextCounts(string text)
    {
        var folded = Normalization.TextNormalizer.Normalize(text).Folded;
        var pattern = QuantityDetector.CountThenNoun().ToString();
        Assert.StartsWith(@"\G", pattern);
        var whole = new System.Text.RegularExpressions.Regex(pattern[2..], System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return [.. whole.Matches(folded.Text).Select(m => folded.ToOriginal(m.Index, m.Index + m.Length))];
    }

    private static List<(int, int)> DetectedCounts(string text)
    {
        var ctx = new ScanContext(Normalization.TextNormalizer.Normalize(text), LeakPolicy.Default);
        QuantityDetector.DetectCounts(ctx);
        return [.. ctx.Candidates.Select(c => (c.Start, c.End))];
    }
}

/// <summary>Behaviour the windowed count scan used to miss.</summary>
public class HeadcountNounTests
{
    [Theory]
    [InlineData("On supprime 1 poste chez le client", "1 poste")]
    [InlineData("Encore 1 licenciement ce mois-ci", "1 licenciement")]
    public void A_singular_business_noun_is_a_headcount(string text, string expected)
    {
        var finding = Assert.Single(LeakGuardEngine.Default.Check(text, LeakAudience.Public).Findings, f => f.Type == FindingTypes.Headcount);
        Assert.Equal(expected, text[finding.Start..finding.End]);
    }
}

/// <summary>Random texts for the equivalence tests: pieces drawn from a list and joined.</summary>
internal static class RandomTexts
{
    /// <summary>1 to <paramref name="maxPieces"/> pieces of <paramref name="pieces"/>, drawn with <paramref name="random"/>.</summary>
    public static string Of(Random random, string[] pieces, int maxPieces)
    {
        var parts = new string[random.Next(1, maxPieces + 1)];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = pieces[random.Next(pieces.Length)];
        }

        return string.Concat(parts);
    }
}
