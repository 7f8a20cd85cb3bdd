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
