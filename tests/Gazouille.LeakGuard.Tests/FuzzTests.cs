using System.Diagnostics;
using CsCheck;

namespace Gazouille.LeakGuard.Tests;

/// <summary>The guard reads whatever people type: it must never throw, never hang, and point only inside the text.</summary>
public class FuzzTests
{
    private static readonly Gen<char> AnyChar = Gen.Char[char.MinValue, char.MaxValue]; // includes lone surrogates
    private static readonly Gen<char> TrickyChar = Gen.OneOf<char>(
        'a', 'A', '0', '1', '4', '@', '.', ' ', '-', '#', '€', '$', '\u200B', '\u0301', 'а', 'Ο', '\uD83D', '\uDE00', 'ﬁ', 'ß', '\n', ':', '=', '/');

    private static readonly Gen<string> Posts = Gen.OneOf(
        Gen.String[AnyChar, 0, 300],
        Gen.String[TrickyChar, 0, 300],
        Gen.Select(Gen.String[TrickyChar, 1, 8], Gen.Int[1, 200], (s, n) => string.Concat(Enumerable.Repeat(s, n))),
        Gen.OneOf(
            "Groupe Atlas 1,2 M€ 06 12 34 56 78 FR76 3000 6000 0112 3456 7890 189",
            "mdp : ", "password=", "-----BEGIN RSA PRIVATE KEY-----", "a.b.c.d.e.f.g.h", "@@@@", "1 2 3 4 5 6 7 8 9 0"));

    private static void AssertValid(string text, LeakVerdict verdict)
    {
        Assert.InRange(verdict.Score, 0, 1);
        foreach (var f in verdict.Findings)
        {
            Assert.InRange(f.Start, 0, text.Length);
            Assert.InRange(f.End, f.Start, text.Length);
            Assert.Equal(text[f.Start..f.End], f.Text);
        }
    }

    [Fact]
    public void Random_text_never_throws_and_offsets_stay_inside() =>
        Posts.Sample(text =>
        {
            foreach (var audience in LeakAudiences.All)
            {
                AssertValid(text, TestPolicies.Engine.Check(text, audience, "atlas"));
            }
        }, iter: 400, threads: 1);

    [Theory]
    [InlineData("a")]
    [InlineData("1 ")]
    [InlineData("a.")]
    [InlineData("\uD800")]
    [InlineData("key=")]
    [InlineData("x@y.")]
    [InlineData("Groupe Atlas galère ")]
    [InlineData("€1")]
    [InlineData("10.20.")]
    [InlineData("::")]
    public void A_megabyte_of_repetition_finishes_quickly(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, (1 << 20) / unit.Length));
        var watch = Stopwatch.StartNew();
        var verdict = TestPolicies.Engine.Check(text, LeakAudience.Public);
        watch.Stop();
        AssertValid(text, verdict);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{unit}: {watch.Elapsed}");
    }

    [Fact]
    public void A_megabyte_of_random_unicode_finishes_quickly()
    {
        var random = new Random(20261125);
        var text = string.Create(1 << 20, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)r.Next(0, 0x10000);
            }
        });
        var watch = Stopwatch.StartNew();
        AssertValid(text, TestPolicies.Engine.Check(text, LeakAudience.Public));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
    }

    [Theory]
    [InlineData("1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 x")]
    [InlineData("a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a@")]
    [InlineData("mot de passe mot de passe mot de passe mot de passe mot de passe mot de passe")]
    [InlineData("FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76 FR76")]
    [InlineData("0,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000 €")]
    [InlineData("password password password password password password password password password:")]
    public void Adversarial_inputs_for_each_pattern_stay_fast(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 2000));
        var watch = Stopwatch.StartNew();
        AssertValid(text, TestPolicies.Engine.Check(text, LeakAudience.Public));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
    }
}
