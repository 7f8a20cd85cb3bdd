using CsCheck;
using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Tests;

/// <summary>
/// The word-start scan of <see cref="TermMatcher"/> (vectorized word starts, prefix bit set, tail bit set) finds exactly
/// what the plain <see cref="SearchValuesTermMatcher"/> finds, in the same order, on texts built to hit its edges: keys
/// shorter than its four-char prefix, keys sharing a prefix with many lengths, non-ASCII letters and surrogates around
/// word starts, matches at the very start and end of the text and across the 8- and 16-char vector blocks.
/// </summary>
public class TermMatcherTests
{
    private static readonly string[] Words =
        ["a", "ab", "abc", "abcd", "abcde", "quat", "quatar", "quatorze", "kalo", "kalo ri", "ri", "x", "é", "ño", "ca", "Ωmega", "日本", "ao", "1", "12", "a-b", "@tlas", "atlas", "s"];

    private static readonly Gen<string> Term = Gen.OneOf(
        Gen.Int[0, Words.Length - 1].Select(i => Words[i]),
        Gen.Select(Gen.Int[0, Words.Length - 1], Gen.Int[0, Words.Length - 1], (i, j) => Words[i] + " " + Words[j]),
        Gen.String[Gen.OneOf<char>('a', 'b', 'q', 'u', 't', ' ', 'é', '1'), 1, 12]);

    private static readonly Gen<char> TextChar = Gen.OneOf(
        Gen.OneOf<char>('a', 'b', 'c', 'd', 'e', 'q', 'u', 't', 'r', 'o', 'k', 'l', 'i', 'x', 's', '@', '1', '2', ' ', ' ', ' ', '-', '.', ',', 'é', 'ñ', 'Ω', '日', '\uD83D', '\uDE00', '\u00A0', '\n'),
        Gen.Char);

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[TextChar, 0, 200],
        Gen.Select(Gen.Int[0, Words.Length - 1].Array[0, 60], Gen.OneOf<string>(" ", "  ", "-", ", ", "", "é").Array[60],
            (ws, seps) => string.Concat(ws.Select((w, k) => Words[w] + seps[k]))));

    private static List<TermHit> Hits(TermMatcher m, string text)
    {
        var hits = new List<TermHit>();
        m.FindAll(text, hits);
        return hits;
    }

    private static List<TermHit> Hits(SearchValuesTermMatcher m, string text)
    {
        var hits = new List<TermHit>();
        m.FindAll(text, hits);
        return hits;
    }

    [Fact]
    public void Word_start_scan_agrees_with_the_SearchValues_scan_on_random_terms_and_texts() =>
        Gen.Select(Term.Array[1, 30], Text.Array[1, 10]).Sample((terms, texts) =>
        {
            var entries = terms.Select(t => new TermEntry("client", t)).ToList();
            var matcher = new TermMatcher(entries);
            var reference = new SearchValuesTermMatcher(entries);
            foreach (var raw in texts)
            {
                foreach (var text in new[] { raw, TextNormalizer.Normalize(raw).Skeleton.Text })
                {
                    Assert.Equal(Hits(reference, text), Hits(matcher, text));
                }
            }
        }, iter: 2000);

    [Fact]
    public void Keys_crowded_under_one_prefix_and_length_agree_with_the_SearchValues_scan() =>
        // Up to 40 keys of one length under "quat" (a hash lookup past a few, a comparison with each below): present,
        // absent, and differing from a key by their last char only.
        Gen.Select(Gen.String[Gen.OneOf<char>('a', 'b', 'c'), 2, 2].Array[1, 40], Gen.Int[0, 9].Array[1, 30]).Sample((tails, picks) =>
        {
            var entries = tails.Distinct().Select(t => new TermEntry("client", "quato" + t)).ToList();
            var matcher = new TermMatcher(entries);
            var reference = new SearchValuesTermMatcher(entries);
            var text = string.Join(' ', picks.Select(k => "quato" + (k < tails.Length ? tails[k] : "ab" + k) + (k % 3 == 0 ? "x" : string.Empty)));
            Assert.Equal(Hits(reference, text), Hits(matcher, text));
            Assert.NotEmpty(Hits(matcher, "quato" + tails[0]));
        }, iter: 2000);

    private static readonly Gen<string> LongTerm = Gen.OneOf(
        Gen.OneOf<string>("abcd", "abcde", "quat", "quatar", "quatorze", "kalo", "kalo ri", "Ωmega", "@tlas", "atlas", "abc d"),
        Gen.String[Gen.OneOf<char>('a', 'b', 'q', 'u', 't', 'é', '1'), 4, 12]);

    [Fact]
    public void Long_keys_only_skip_short_words_and_still_agree_with_the_SearchValues_scan_over_several_chunks() =>
        Gen.Select(LongTerm.Array[1, 30], Text.Array[8, 40]).Sample((terms, parts) =>
        {
            // Keys of four chars or more with word chars at offsets 1 to 3 turn on the short-word skip; texts of a few
            // thousand chars span several 512-char chunks of the vector scan.
            var entries = terms.Select(t => new TermEntry("client", t)).ToList();
            var matcher = new TermMatcher(entries);
            var reference = new SearchValuesTermMatcher(entries);
            var raw = string.Concat(parts);
            foreach (var text in new[] { raw, TextNormalizer.Normalize(raw).Skeleton.Text })
            {
                Assert.Equal(Hits(reference, text), Hits(matcher, text));
            }
        }, iter: 500);

    [Fact]
    public void Every_ascii_char_is_a_separator_or_a_word_char_as_char_IsLetterOrDigit_says()
    {
        // The vector scan classifies ASCII chars with byte arithmetic: each of the 128 between words, over many blocks.
        var entries = new[] { "abcd", "bcda", "abcd9" }.Select(t => new TermEntry("client", t)).ToList();
        var matcher = new TermMatcher(entries);
        var reference = new SearchValuesTermMatcher(entries);
        for (var c = (char)0; c < 128; c++)
        {
            var text = string.Join(c, Enumerable.Repeat("abcd", 60));
            Assert.Equal(Hits(reference, text), Hits(matcher, text));
        }
    }

    [Fact]
    public void Finds_keys_of_every_length_at_text_edges_and_across_vector_blocks()
    {
        var entries = new[] { "ab", "abc", "quat", "quatorze heures", "kalo ri", "omega" }.Select(t => new TermEntry("client", t)).ToList();
        var matcher = new TermMatcher(entries);
        var reference = new SearchValuesTermMatcher(entries);
        for (var pad = 0; pad < 40; pad++)
        {
            // Keys are skeletons (l and i merge: "kalo ri" is "kaio ri"), so the text is a skeleton too.
            var text = TextNormalizer.Normalize(new string('x', pad) + " ab abc abcd quatorze heures, kalori kalo ri omega quat" + new string(' ', pad % 3)).Skeleton.Text;
            var expected = Hits(reference, text);
            Assert.Equal(expected, Hits(matcher, text));
            Assert.Equal(7, expected.Count); // ab, abc, quatorze heures, kalori (the words run together), kalo ri, omega, quat
        }
    }
}
