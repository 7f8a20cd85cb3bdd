using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// The positions, in order, where a headcount noun (<see cref="QuantityDetector.NounWords"/>) starts right after a
/// white space: the words after a white space are found 64 chars at a time, and only their first chars are compared
/// with the nouns (a search for the forty nouns anywhere in the post cost more than the rest of the count stage).
/// </summary>
internal ref struct NounStarts
{
    private const int Width = 64;
    private readonly ReadOnlySpan<char> _text;
    private int _block = -Width;
    private ulong _pending;

    public NounStarts(ReadOnlySpan<char> text)
    {
        _text = text;
    }

    /// <summary>The next such position, or -1.</summary>
    public int Next()
    {
        while (true)
        {
            while (_pending != 0)
            {
                var q = _block + BitOperations.TrailingZeroCount(_pending);
                _pending &= _pending - 1;
                if (StartsNoun(_text[q..]))
                {
                    return q;
                }
            }

            _block += Width;
            if (_block >= _text.Length)
            {
                return -1;
            }

            // Bit k: char _block + k - 1 is a white space and char _block + k exists.
            _pending = WhiteSpaces(_text, _block - 1);
        }
    }

    // The nouns by first char (all of them words of two or more ASCII lower-case letters).
    private static readonly string[][] ByInitial = BuildByInitial();

    private static string[][] BuildByInitial()
    {
        var byInitial = new string[128][];
        foreach (var group in QuantityDetector.NounWords.GroupBy(w => w[0]))
        {
            byInitial[group.Key] = [.. group];
        }

        return byInitial;
    }

    // A bit per pair of lower-case ASCII letters that begins a noun: most words stop at this test.
    private static readonly ulong[] FirstPairs = BuildFirstPairs();

    private static ulong[] BuildFirstPairs()
    {
        var bits = new ulong[(26 * 26 + 63) / 64];
        foreach (var w in QuantityDetector.NounWords)
        {
            var pair = ((w[0] - 'a') * 26) + (w[1] - 'a');
            bits[pair >> 6] |= 1ul << pair;
        }

        return bits;
    }

    private static bool StartsNoun(ReadOnlySpan<char> s)
    {
        if (s.Length < 2 || (uint)(s[0] - 'a') >= 26 || (uint)(s[1] - 'a') >= 26)
        {
            return false;
        }

        var pair = ((s[0] - 'a') * 26) + (s[1] - 'a');
        if ((FirstPairs[pair >> 6] & (1ul << pair)) == 0 || ByInitial[s[0]] is not { } words)
        {
            return false;
        }

        foreach (var word in words)
        {
            if (s.StartsWith(word, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Bit k set when char <paramref name="from"/> + k is a white space (char.IsWhiteSpace) followed by another char.</summary>
    internal static ulong WhiteSpaces(ReadOnlySpan<char> text, int from)
    {
        // A white space as the text's last char starts no word.
        var last = text.Length - 1;
        if (from == -1 && Width <= last && Vector256.IsHardwareAccelerated)
        {
            // The first block: no char before the text, and char 63 is the next block's first bit.
            return WhiteSpaces(text, 0) << 1;
        }

        if (from >= 0 && from + Width <= last && Vector256.IsHardwareAccelerated)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var v0 = Vector256.LoadUnsafe(ref first, (nuint)from);
            var v1 = Vector256.LoadUnsafe(ref first, (nuint)(from + 16));
            var v2 = Vector256.LoadUnsafe(ref first, (nuint)(from + 32));
            var v3 = Vector256.LoadUnsafe(ref first, (nuint)(from + 48));
            var vectorBits = AsciiWhiteSpaces(v0) | (AsciiWhiteSpaces(v1) << 16) | (AsciiWhiteSpaces(v2) << 32) | (AsciiWhiteSpaces(v3) << 48);

            // A non-ASCII char ("€", a no-break space) is looked up on its own.
            var high = Vector256.Create((ushort)0x7F);
            var nonAscii = Vector256.GreaterThan(v0, high).ExtractMostSignificantBits() | ((ulong)Vector256.GreaterThan(v1, high).ExtractMostSignificantBits() << 16)
                | ((ulong)Vector256.GreaterThan(v2, high).ExtractMostSignificantBits() << 32) | ((ulong)Vector256.GreaterThan(v3, high).ExtractMostSignificantBits() << 48);
            for (; nonAscii != 0; nonAscii &= nonAscii - 1)
            {
                var k = BitOperations.TrailingZeroCount(nonAscii);
                if (char.IsWhiteSpace(text[from + k]))
                {
                    vectorBits |= 1ul << k;
                }
            }

            return vectorBits;
        }

        var bits = 0ul;
        for (int i = Math.Max(from, 0), end = Math.Min(from + Width, last); i < end; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                bits |= 1ul << (i - from);
            }
        }

        return bits;
    }

    /// <summary>The ASCII white spaces: ' ' and '\t' to '\r'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AsciiWhiteSpaces(Vector256<ushort> v) =>
        (Vector256.Equals(v, Vector256.Create((ushort)' '))
            | Vector256.LessThan(v - Vector256.Create((ushort)'\t'), Vector256.Create((ushort)5))).ExtractMostSignificantBits();
}
