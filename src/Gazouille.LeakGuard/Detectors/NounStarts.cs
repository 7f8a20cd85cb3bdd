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

    // The nouns by first char (all ASCII lower-case letters).
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

    private static bool StartsNoun(ReadOnlySpan<char> s)
    {
        var c = s[0];
        if (c >= 128 || ByInitial[c] is not { } words)
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
        if (from >= 0 && from + Width <= last && Vector256.IsHardwareAccelerated)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var v0 = Vector256.LoadUnsafe(ref first, (nuint)from);
            var v1 = Vector256.LoadUnsafe(ref first, (nuint)(from + 16));
            var v2 = Vector256.LoadUnsafe(ref first, (nuint)(from + 32));
            var v3 = Vector256.LoadUnsafe(ref first, (nuint)(from + 48));
            if (((v0 | v1 | v2 | v3) & Vector256.Create((ushort)0xFF80)) == Vector256<ushort>.Zero)
            {
                return AsciiWhiteSpaces(v0) | (AsciiWhiteSpaces(v1) << 16) | (AsciiWhiteSpaces(v2) << 32) | (AsciiWhiteSpaces(v3) << 48);
            }
        }

        var bits = 0ul;
        for (var k = 0; k < Width; k++)
        {
            var i = from + k;
            if (i >= 0 && i < last && char.IsWhiteSpace(text[i]))
            {
                bits |= 1ul << k;
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
