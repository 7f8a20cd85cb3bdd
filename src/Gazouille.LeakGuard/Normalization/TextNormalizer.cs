using System.Buffers;

namespace Gazouille.LeakGuard.Normalization;

/// <summary>
/// Two views of a post, both mapped back to the original offsets:
/// <c>Folded</c> (NFKC-like compatibility folding, lower case, no accents, confusables, no format chars, spaces
/// collapsed, hashtags and CamelCase split) for the number patterns; <c>Skeleton</c> (Folded plus leetspeak, letters
/// split by dots or spaces rejoined, l/1/i merged) for every word list. Word lists are normalized the same way, so a
/// lossy skeleton only costs a few look-alike words, never a miss.
/// </summary>
public static class TextNormalizer
{
    public static NormalizedText Normalize(string original)
    {
        using var folded = Fold(original);
        using var skeleton = Skeletonize(folded);
        return new NormalizedText(original, folded.ToMappedText(), skeleton.ToMappedText());
    }

    /// <summary>The skeleton of a dictionary term, as a plain string.</summary>
    /// <remarks>Called for every term of a policy (100k on a big one): builds only the skeleton chars, no offset views.</remarks>
    public static string SkeletonOf(string term)
    {
        using var folded = Fold(term);
        using var skeleton = Skeletonize(folded);
        return skeleton.ToTrimmedString();
    }

    private static MappedBuffer Fold(string s)
    {
        var buffer = new MappedBuffer(s.Length + 8);
        var prevWasLower = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                foreach (var f in CharFolding.FoldString(s.Substring(i, 2)))
                {
                    AppendFolded(buffer, f, i, i + 2);
                }

                i++;
                prevWasLower = false;
                continue;
            }

            // CamelCase ("GroupeAtlas", "#ProjetNeptune") splits into words, as the author meant them.
            var isUpper = char.IsUpper(c);
            if (isUpper && prevWasLower)
            {
                AppendFolded(buffer, ' ', i, i);
            }

            prevWasLower = char.IsLower(c);
            if (c == '#')
            {
                AppendFolded(buffer, ' ', i, i + 1);
                continue;
            }

            var multi = CharFolding.Lookup(c, out var single);
            if (CharFolding.IsMulti(single))
            {
                foreach (var f in multi)
                {
                    AppendFolded(buffer, f, i, i + 1);
                }
            }
            else if (single != CharFolding.Removed)
            {
                AppendFolded(buffer, single, i, i + 1);
            }
        }

        return buffer;
    }

    private static void AppendFolded(MappedBuffer buffer, char c, int start, int end)
    {
        if (c == ' ' && (buffer.Length == 0 || buffer.Last is ' ' or '\n'))
        {
            if (buffer.Length > 0)
            {
                buffer.ExtendLast(end);
            }

            return;
        }

        buffer.Append(c, start, end);
    }

    private static MappedBuffer Skeletonize(MappedBuffer folded)
    {
        var n = folded.Length;
        var flags = ArrayPool<bool>.Shared.Rent(2 * n);
        var drop = flags.AsSpan(0, n);
        var joined = flags.AsSpan(n, n);
        drop.Clear();
        joined.Clear();
        MarkSplitLetters(folded, drop, joined);
        var output = new MappedBuffer(n + 8);
        var i = 0;
        while (i < n)
        {
            if (!IsTokenChar(folded, i))
            {
                if (!drop[i])
                {
                    // "Groupe-Atlas", "kestrel_pharma": joiners between words read as spaces for word lists.
                    var c = folded[i] is '-' or '_' ? ' ' : folded[i];
                    output.Append(c, folded.StartOf(i), folded.EndOf(i));
                }

                i++;
                continue;
            }

            var j = i;
            var letters = 0;
            while (j < n && IsTokenChar(folded, j))
            {
                if (char.IsLetter(folded[j]))
                {
                    letters++;
                }

                j++;
            }

            // Leetspeak only inside words that have letters, so "20 personnes" keeps its number.
            var leet = letters >= 2 || joined[i];
            for (var k = i; k < j; k++)
            {
                var c = folded[k];
                output.Append(leet ? Leet(c) : MergeLookAlike(c), folded.StartOf(k), folded.EndOf(k));
            }

            i = j;
        }

        ArrayPool<bool>.Shared.Return(flags);
        return output;
    }

    private static bool IsTokenChar(MappedBuffer b, int i)
    {
        var c = b[i];
        if (char.IsLetterOrDigit(c))
        {
            return true;
        }

        // "@tlas" is a mention, but "gr@pe" and "c|ient" are evasion: a symbol counts only between two word chars.
        return c is '@' or '$' or '|' or '!' or '€'
            && i > 0 && i + 1 < b.Length && char.IsLetterOrDigit(b[i - 1]) && char.IsLetterOrDigit(b[i + 1]);
    }

    private static char Leet(char c) => c switch
    {
        '0' => 'o',
        '1' or '|' or '!' or 'l' => 'i',
        '3' or '€' => 'e',
        '4' or '@' => 'a',
        '5' or '$' => 's',
        '7' => 't',
        '8' => 'b',
        _ => c,
    };

    private static char MergeLookAlike(char c) => c == 'l' ? 'i' : c;

    /// <summary>Marks the separators inside "a.t.l.a.s", "a t l a s", "a-t-l-a-s": three or more single chars in a row.</summary>
    private static void MarkSplitLetters(MappedBuffer b, Span<bool> drop, Span<bool> joined)
    {
        var n = b.Length;
        var i = 0;
        while (i < n)
        {
            if (!IsSingle(b, i))
            {
                i++;
                continue;
            }

            var positions = new List<int>(8) { i };
            var j = i + 1;
            while (true)
            {
                var k = j;
                var seps = 0;
                while (k < n && seps < 2 && IsSplitSeparator(b[k]))
                {
                    k++;
                    seps++;
                }

                if (seps == 0 || k >= n || !IsSingle(b, k))
                {
                    break;
                }

                positions.Add(k);
                j = k + 1;
            }

            var letters = positions.Count(p => char.IsLetter(b[p]));
            if (positions.Count >= 3 && letters >= 2)
            {
                foreach (var p in positions)
                {
                    joined[p] = true;
                }

                for (var p = positions[0] + 1; p < positions[^1]; p++)
                {
                    if (IsSplitSeparator(b[p]))
                    {
                        drop[p] = true;
                    }
                }

            }

            // A shorter run inside this one has no more letters, so it cannot qualify either: move past it (linear time).
            i = positions[^1] + 1;
        }
    }

    private static bool IsSingle(MappedBuffer b, int i) =>
        char.IsLetterOrDigit(b[i])
        && (i == 0 || !char.IsLetterOrDigit(b[i - 1]))
        && (i + 1 == b.Length || !char.IsLetterOrDigit(b[i + 1]));

    private static bool IsSplitSeparator(char c) => c is '.' or ' ' or '-' or '_' or '*' or '\u00B7' or '/' or '+';
}

/// <summary>The original text and its two normalized views.</summary>
public sealed record NormalizedText(string Original, MappedText Folded, MappedText Skeleton);
