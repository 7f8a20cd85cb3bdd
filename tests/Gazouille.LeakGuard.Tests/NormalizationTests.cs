using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Tests;

public class NormalizationTests
{
    [Theory]
    [InlineData("Groupe Atlas", "groupe atias")]
    [InlineData("GROUPE ÂTLAS", "groupe atias")]
    [InlineData("Gr0upe 4tl4s", "groupe atias")]
    [InlineData("A.t.l.a.s", "atias")]
    [InlineData("A t l a s", "atias")]
    [InlineData("A-t-l-a-s", "atias")]
    [InlineData("Аtlаs", "atias")] // Cyrillic а
    [InlineData("Αtlas", "atias")] // Greek Alpha
    [InlineData("At\u200Blas", "atias")] // zero-width space
    [InlineData("#GroupeAtlas", "groupe atias")]
    [InlineData("ＡＴＬＡＳ", "atias")] // full width (NFKC)
    [InlineData("Groupe-Atlas", "groupe atias")]
    public void Skeleton_undoes_common_evasions(string input, string expected) =>
        Assert.Equal(expected, TextNormalizer.SkeletonOf(input));

    [Fact]
    public void Numbers_keep_their_digits_outside_words() =>
        Assert.Equal("20 personnes", TextNormalizer.Normalize("20 personnes").Skeleton.Text);

    [Fact]
    public void Offsets_map_back_to_what_the_author_typed()
    {
        var text = "Projet \u200B#GroupeÀtlas, vite";
        var n = TextNormalizer.Normalize(text);
        var skeleton = n.Skeleton.Text;
        var at = skeleton.IndexOf("atias", StringComparison.Ordinal);
        var (start, end) = n.Skeleton.ToOriginal(at, at + 5);
        Assert.Equal("Àtlas", text[start..end]);
    }

    [Fact]
    public void Expansions_and_removals_keep_offsets_inside_the_text()
    {
        var text = "ﬁn Œuvre ß \uFDFA x\u0301";
        var n = TextNormalizer.Normalize(text);
        for (var i = 0; i < n.Folded.Text.Length; i++)
        {
            var (s, e) = n.Folded.ToOriginal(i, i + 1);
            Assert.InRange(s, 0, text.Length);
            Assert.InRange(e, s, text.Length);
        }
    }
}
