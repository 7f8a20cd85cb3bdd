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
            var parts = new string[random.Next(1, 9)];
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = pieces[random.Next(pieces.Length)];
            }

            var text = string.Concat(parts);
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
