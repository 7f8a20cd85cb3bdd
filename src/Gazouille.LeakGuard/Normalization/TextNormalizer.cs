using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    public static NormalizedText Normalize(string original) => Normalize(original, pooled: false);

    /// <param name="original">The text.</param>
    /// <param name="pooled">
    /// True to keep the offset maps in pooled arrays (the 4 KB of a 280-char post, most of what a check allocates):
    /// the caller must then call <see cref="NormalizedText.ReturnPooled"/> once it is done mapping offsets.
    /// </param>
    internal static NormalizedText Normalize(string original, bool pooled)
    {
        using var folded = Fold(original);
        using var skeleton = Skeletonize(folded);
        if (pooled)
        {
            return new NormalizedText(original, folded.DetachMappedText(), skeleton.DetachMappedText());
        }

        var map = new int[2 * (folded.Length + skeleton.Length)];
        return new NormalizedText(original, folded.ToMappedText(map, 0), skeleton.ToMappedText(map, 2 * folded.Length));
    }

    /// <summary>The skeleton of a dictionary term, as a plain string.</summary>
    /// <remarks>Called for every term of a policy (100k on a big one): builds only the skeleton chars, no offset views.</remarks>
    public static string SkeletonOf(string term)
    {
        using var folded = Fold(term);
        using var skeleton = Skeletonize(folded);
        return skeleton.ToTrimmedString();
    }

    // ASCII chars that fold to themselves and need none of the steps below (no case, no '#', no space to collapse):
    // most of a post, copied in a tight loop.
    private static readonly bool[] PlainAscii = BuildPlainAscii();

    private static bool[] BuildPlainAscii()
    {
        var plain = new bool[128];
        for (var c = (char)0; c < 128; c++)
        {
            plain[c] = CharFolding.Ascii(c) == c && !char.IsAsciiLetterUpper(c) && c is not ('#' or ' ' or CharFolding.Removed);
        }

        return plain;
    }

    private static MappedBuffer Fold(string s)
    {
        var buffer = new MappedBuffer(s.Length + 8);
        var prevWasLower = false;
        var plainAscii = PlainAscii;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c < 128 && plainAscii[c])
            {
                // A run of plain chars: each stands for itself, one char of the original. A single space between them
                // does too (only a space after a space or a line break collapses), so a run goes on across words.
                var run = PlainRun(s.AsSpan(i));
                buffer.Reserve(run);
                var n = buffer.Length;
                s.AsSpan(i, run).CopyTo(buffer.CharArray.AsSpan(n));
                FillIdentityMap(buffer.MapArray.AsSpan(2 * n, 2 * run), i);
                buffer.SetLength(n + run);
                prevWasLower = char.IsAsciiLetterLower(s[i + run - 1]);
                i += run - 1;
                continue;
            }

            if (c < 128)
            {
                // ASCII, most of a post: the same steps as below without the Unicode lookups (no ASCII char expands).
                var upper = (uint)(c - 'A') <= 'Z' - 'A';
                if (upper && prevWasLower)
                {
                    AppendFolded(buffer, ' ', i, i);
                }

                prevWasLower = (uint)(c - 'a') <= 'z' - 'a';
                var folded = c == '#' ? ' ' : CharFolding.Ascii(c);
                if (folded != CharFolding.Removed)
                {
                    AppendFolded(buffer, folded, i, i + 1);
                }

                continue;
            }

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

    private static readonly SearchValues<char> PlainOrSpace = SearchValues.Create(
        [.. Enumerable.Range(0, 128).Select(c => (char)c).Where(c => PlainAscii[c] || c == ' ')]);

    /// <summary>
    /// The length of the run of plain chars at the start of <paramref name="s"/> (whose first char is plain): plain
    /// chars and single spaces, up to the first space that follows a space or a line break.
    /// </summary>
    private static int PlainRun(ReadOnlySpan<char> s)
    {
        var length = s.IndexOfAnyExcept(PlainOrSpace);
        var run = length < 0 ? s : s[..length];
        var doubled = run.IndexOf("  ", StringComparison.Ordinal);
        var afterBreak = run.IndexOf("\n ", StringComparison.Ordinal);
        var cut = run.Length;
        if (doubled >= 0)
        {
            cut = doubled + 1;
        }

        if (afterBreak >= 0 && afterBreak + 1 < cut)
        {
            cut = afterBreak + 1;
        }

        return cut;
    }

    /// <summary>Spans [start + k, start + k + 1) for each char k of a run copied as is: start at 2k, end at 2k + 1.</summary>
    private static void FillIdentityMap(Span<int> map, int start)
    {
        var k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var step = Vector256.Create(4);
            var v = Vector256.Create(0, 1, 1, 2, 2, 3, 3, 4) + Vector256.Create(start);
            for (; k + 8 <= map.Length; k += 8)
            {
                v.CopyTo(map[k..]);
                v += step;
            }
        }

        for (; k + 1 < map.Length; k += 2)
        {
            map[k] = start + (k / 2);
            map[k + 1] = start + (k / 2) + 1;
        }
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

    // Per-char classes, computed once per folded text: every pass below asks the same two questions of each char.
    private const byte WordChar = 1; // char.IsLetterOrDigit
    private const byte LetterChar = 2; // char.IsLetter (a letter is also a word char)

    // No zeroing of the stack scratch: Classify writes every class, and the two marks are cleared below.
    [SkipLocalsInit]
    private static MappedBuffer Skeletonize(MappedBuffer folded)
    {
        var n = folded.Length;
        var rented = n > 512 ? ArrayPool<byte>.Shared.Rent(3 * n) : null;
        var scratch = rented is null ? stackalloc byte[3 * n] : rented.AsSpan(0, 3 * n);
        var classes = scratch[..n];
        var drop = scratch.Slice(n, n);
        var joined = scratch.Slice(2 * n, n);
        drop.Clear();
        joined.Clear();
        var chars = folded.Chars;
        Classify(chars, classes);
        MarkSplitLetters(classes, chars, drop, joined);
        var output = new MappedBuffer(n + 8);
        if (!drop.ContainsAnyExcept((byte)0))
        {
            // Nothing dropped (no "a.t.l.a.s"), the usual case: every char stays where it is and stands for the same
            // original span, so the chars and spans are copied whole and only the chars that change are rewritten.
            SkeletonizeInPlace(folded, output, classes, joined);
        }
        else
        {
            SkeletonizeDropping(folded, output, classes, drop, joined);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return output;
    }

    // The chars the skeleton may rewrite in place besides 'l' (always 'i') and the joiners '-' and '_' (always a space,
    // both rewritten by vectorized replaces): leetspeak digits and symbols, and the euro sign, searched for on its own so
    // that this set stays ASCII (a set with a non-ASCII char takes a slower search).
    private static readonly SearchValues<char> LeetCandidates = SearchValues.Create("0134578|!@$");

    private static void SkeletonizeInPlace(MappedBuffer folded, MappedBuffer output, ReadOnlySpan<byte> classes, ReadOnlySpan<byte> joined)
    {
        var n = folded.Length;
        var chars = folded.Chars;
        output.Reserve(n);
        chars.CopyTo(output.CharArray);
        folded.MapArray.AsSpan(0, 2 * n).CopyTo(output.MapArray);
        var o = output.CharArray.AsSpan(0, n);
        o.Replace('l', 'i');
        o.Replace('-', ' ');
        o.Replace('_', ' ');

        // Visit only the chars that may change (a vectorized search between them) rather than every char of every
        // word: a leetspeak digit or symbol changes only inside a word (a maximal run of token chars) that has two
        // letters or was rejoined from split letters.
        var tokenEnd = -1;
        var leet = false;
        var euro = chars.IndexOf('\u20AC');
        var k = 0;
        while (k < n)
        {
            var found = chars[k..].IndexOfAny(LeetCandidates);
            var next = found < 0 ? -1 : k + found;
            if (euro >= 0 && (next < 0 || euro < next))
            {
                next = euro;
                var after = chars[(euro + 1)..].IndexOf('\u20AC');
                euro = after < 0 ? -1 : euro + 1 + after;
            }

            if (next < 0)
            {
                break;
            }

            k = next;
            var c = chars[k];
            if (IsTokenChar(chars, classes, k))
            {
                if (k >= tokenEnd)
                {
                    var tokenStart = k;
                    while (tokenStart > 0 && IsTokenChar(chars, classes, tokenStart - 1))
                    {
                        tokenStart--;
                    }

                    var letters = 0;
                    tokenEnd = tokenStart;
                    while (tokenEnd < n && IsTokenChar(chars, classes, tokenEnd))
                    {
                        letters += classes[tokenEnd] >> 1;
                        tokenEnd++;
                    }

                    leet = letters >= 2 || joined[tokenStart] != 0;
                }

                if (leet)
                {
                    o[k] = Leet(c);
                }
            }

            k++;
        }

        output.SetLength(n);
    }

    private static void SkeletonizeDropping(MappedBuffer folded, MappedBuffer output, ReadOnlySpan<byte> classes, ReadOnlySpan<byte> drop, ReadOnlySpan<byte> joined)
    {
        var n = folded.Length;
        var chars = folded.Chars;
        var i = 0;
        while (i < n)
        {
            if (!IsTokenChar(chars, classes, i))
            {
                if (drop[i] == 0)
                {
                    // "Groupe-Atlas", "kestrel_pharma": joiners between words read as spaces for word lists.
                    var c = chars[i] is '-' or '_' ? ' ' : chars[i];
                    output.AppendFrom(c, folded, i);
                }

                i++;
                continue;
            }

            var j = i;
            var letters = 0;
            while (j < n && IsTokenChar(chars, classes, j))
            {
                letters += classes[j] >> 1;
                j++;
            }

            // Leetspeak only inside words that have letters, so "20 personnes" keeps its number.
            if (letters >= 2 || joined[i] != 0)
            {
                for (var k = i; k < j; k++)
                {
                    output.AppendFrom(Leet(chars[k]), folded, k);
                }
            }
            else
            {
                for (var k = i; k < j; k++)
                {
                    output.AppendFrom(chars[k] == 'l' ? 'i' : chars[k], folded, k);
                }
            }

            i = j;
        }
    }

    private static void Classify(ReadOnlySpan<char> chars, Span<byte> classes)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Sixteen ASCII chars at a time: a letter is 3 (WordChar | LetterChar), a digit 1, anything else 0.
            ref var src = ref Unsafe.As<char, ushort>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(chars));
            for (; i + 16 <= chars.Length; i += 16)
            {
                var lo = Vector128.LoadUnsafe(ref src, (nuint)i);
                var hi = Vector128.LoadUnsafe(ref src, (nuint)(i + 8));
                if (((lo | hi) & Vector128.Create((ushort)0xFF80)) != Vector128<ushort>.Zero)
                {
                    ClassifyScalar(chars.Slice(i, 16), classes.Slice(i, 16));
                    continue;
                }

                var b = Vector128.Narrow(lo, hi);
                var letter = Vector128.LessThan((b | Vector128.Create((byte)0x20)) - Vector128.Create((byte)'a'), Vector128.Create((byte)26));
                var digit = Vector128.LessThan(b - Vector128.Create((byte)'0'), Vector128.Create((byte)10));
                var cls = (letter & Vector128.Create((byte)(WordChar | LetterChar))) | (digit & Vector128.Create(WordChar));
                cls.CopyTo(classes[i..]);
            }
        }

        ClassifyScalar(chars[i..], classes[i..]);
    }

    private static void ClassifyScalar(ReadOnlySpan<char> chars, Span<byte> classes)
    {
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            classes[i] = c < 128
                ? (byte)(char.IsAsciiLetter(c) ? WordChar | LetterChar : char.IsAsciiDigit(c) ? WordChar : 0)
                : (byte)(char.IsLetter(c) ? WordChar | LetterChar : char.IsLetterOrDigit(c) ? WordChar : 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsTokenChar(ReadOnlySpan<char> b, ReadOnlySpan<byte> classes, int i)
    {
        if (classes[i] != 0)
        {
            return true;
        }

        // "@tlas" is a mention, but "gr@pe" and "c|ient" are evasion: a symbol counts only between two word chars.
        return b[i] is '@' or '$' or '|' or '!' or '€'
            && i > 0 && i + 1 < b.Length && classes[i - 1] != 0 && classes[i + 1] != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    /// <summary>Marks the separators inside "a.t.l.a.s", "a t l a s", "a-t-l-a-s": three or more single chars in a row.</summary>
    private static void MarkSplitLetters(ReadOnlySpan<byte> classes, ReadOnlySpan<char> chars, Span<byte> drop, Span<byte> joined)
    {
        var n = chars.Length;
        var i = 0;
        while (i < n)
        {
            if (classes[i] == 0)
            {
                i++;
                continue;
            }

            // A word starts at i: only a one-char word can begin a run; a longer one is skipped whole.
            if (i + 1 < n && classes[i + 1] != 0)
            {
                i += 2;
                while (i < n && classes[i] != 0)
                {
                    i++;
                }

                continue;
            }

            // Walk the run of single chars once to count them and their letters, again to mark them if it qualifies.
            var count = 0;
            var letters = 0;
            var last = i;
            for (var p = i; p >= 0; p = NextSingle(classes, chars, p))
            {
                count++;
                letters += classes[p] >> 1;
                last = p;
            }

            if (count >= 3 && letters >= 2)
            {
                for (var p = i; p >= 0; p = NextSingle(classes, chars, p))
                {
                    joined[p] = 1;
                }

                for (var p = i + 1; p < last; p++)
                {
                    if (IsSplitSeparator(chars[p]))
                    {
                        drop[p] = 1;
                    }
                }
            }

            // A shorter run inside this one has no more letters, so it cannot qualify either: move past it (linear time).
            i = last + 1;
        }
    }

    /// <summary>The next single char of a run after the one at <paramref name="p"/> (one or two separators away), or -1.</summary>
    private static int NextSingle(ReadOnlySpan<byte> classes, ReadOnlySpan<char> chars, int p)
    {
        var k = p + 1;
        var seps = 0;
        while (k < chars.Length && seps < 2 && IsSplitSeparator(chars[k]))
        {
            k++;
            seps++;
        }

        return seps == 0 || k >= chars.Length || !IsSingle(classes, k) ? -1 : k;
    }

    private static bool IsSingle(ReadOnlySpan<byte> classes, int i) =>
        classes[i] != 0
        && (i == 0 || classes[i - 1] == 0)
        && (i + 1 == classes.Length || classes[i + 1] == 0);

    private static bool IsSplitSeparator(char c) => c is '.' or ' ' or '-' or '_' or '*' or '\u00B7' or '/' or '+';
}

/// <summary>The original text and its two normalized views.</summary>
public sealed record NormalizedText(string Original, MappedText Folded, MappedText Skeleton)
{
    /// <summary>Gives the maps of a pooled normalization back to the pool; the views must not map offsets afterwards.</summary>
    internal void ReturnPooled()
    {
        Folded.ReturnPooled();
        Skeleton.ReturnPooled();
    }
}
