using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>A dictionary term as the policy (or the built-in lexicon) gave it.</summary>
public sealed record TermEntry(string Category, string Term, bool Ambiguous = false, string? Org = null, double Weight = 0.9);

/// <summary>A match of a term in a normalized view: offsets are in that view, not in the original text.</summary>
public readonly record struct TermHit(int Start, int Length, int Entry)
{
    public int End => Start + Length;
}

/// <summary>
/// Whole-word matching of many terms at once. Terms match only where a word starts, so the scan visits word starts
/// alone: a vectorized pass over the text yields every position whose previous char is not a letter or digit; there
/// the first <see cref="PrefixLength"/> chars, read as one 64-bit value, are tested against a bit set of the terms'
/// prefixes (a one-hash Bloom filter, small enough to stay in L1 for 10k terms); only the rare positions that pass are
/// verified, with a span-keyed lookup for each key length that exists under that exact prefix. Keys shorter than the
/// prefix are tried at word starts whose first char begins one. Nothing is allocated per scan when the caller reuses
/// the hit list. Hits come out in the same order as a left-to-right scan trying longer keys first.
/// </summary>
public sealed class TermMatcher
{
    /// <summary>Chars of a key read at once at a word start (four UTF-16 chars = one 64-bit load).</summary>
    private const int PrefixLength = 4;

    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    // Keys of PrefixLength chars or more, by exact prefix (packed) in an open-addressing table whose slot comes from
    // the filter's multiplicative hash: under each prefix, its keys by length. A verification compares the text with
    // the one or two keys of a length rather than hashing it for a dictionary lookup.
    private readonly ulong[] _prefixSlots;
    private readonly PrefixKeys?[] _prefixKeys;
    private readonly int _prefixSlotShift;
    private readonly ulong[] _bloom;
    private readonly int _bloomShift;

    // Keys of PrefixLength chars or more, by (first chars, last chars, length): tested before each exact lookup, since
    // one common prefix ("quat…") can carry many lengths, and a string lookup costs ten times a bit test.
    private readonly ulong[] _tailBloom;
    private readonly int _tailShift;

    // Keys of 8 chars or more, by their first 8 chars: one test rules out every long length under a common prefix
    // ("quatorze" against the 19 lengths of "quat…" keys) before their tails are looked at one by one.
    private const int LongKey = 2 * PrefixLength;
    private readonly ulong[] _eightBloom;

    // Keys shorter than PrefixLength: their distinct lengths, longest first, and a bit per possible first char.
    private readonly int[] _shortLengths;
    private readonly ulong[] _shortFirst;

    // Keys shorter than PrefixLength by their chars and length: most two- and three-letter words of a post ("le",
    // "qui", "sur") begin some short key, and this bit test spares them the string lookup.
    private readonly ulong[] _shortBloom = new ulong[ShortBloomBits / 64];
    private const int ShortBloomBits = 1 << 13;

    // No short keys, and every key has letters or digits at its offsets 1 to 3: the scan skips word starts of words
    // shorter than four chars (half the words of ordinary chatter).
    private readonly bool _longWordsOnly;

    public TermMatcher(IEnumerable<TermEntry> entries)
        : this(entries, null)
    {
    }

    /// <param name="entries">The terms.</param>
    /// <param name="skeletons">Their skeletons when already known (policy validation computes them), else null.</param>
    internal TermMatcher(IEnumerable<TermEntry> entries, IReadOnlyList<string>? skeletons)
    {
        var list = new List<TermEntry>();
        var byKey = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var index = list.Count;
            list.Add(entry);
            foreach (var key in KeysOf(entry.Term, skeletons?[index]))
            {
                // Most keys belong to one term: a one-element array, grown only on the rare shared key.
                ref var ids = ref CollectionsMarshal.GetValueRefOrAddDefault(byKey, key, out var exists);
                if (!exists)
                {
                    ids = [index];
                }
                else if (Array.IndexOf(ids!, index) < 0)
                {
                    ids = [.. ids!, index];
                }
            }
        }

        Entries = list;
        _lookup = byKey.GetAlternateLookup<ReadOnlySpan<char>>();
        KeyCount = byKey.Count;

        var shortLengths = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        _shortFirst = new ulong[65536 / 64];
        var prefixes = new Dictionary<ulong, List<string>>();
        var tailBits = BloomBits(byKey.Count);
        _tailBloom = new ulong[(1 << tailBits) / 64];
        _tailShift = 64 - tailBits;
        _eightBloom = new ulong[(1 << tailBits) / 64];
        foreach (var key in byKey.Keys)
        {
            if (key.Length < PrefixLength)
            {
                shortLengths.Add(key.Length);
                _shortFirst[key[0] >> 6] |= 1UL << key[0];
                var sb = ShortHash(key);
                _shortBloom[sb >> 6] |= 1UL << sb;
                continue;
            }

            var packed = Pack(key);
            var t = TailHash(packed, Pack(key.AsSpan(key.Length - PrefixLength)), key.Length);
            _tailBloom[t >> 6] |= 1UL << (int)t;
            if (key.Length >= LongKey)
            {
                var e = TailHash(packed, Pack(key.AsSpan(PrefixLength)), 0);
                _eightBloom[e >> 6] |= 1UL << (int)e;
            }
            if (!prefixes.TryGetValue(packed, out var keys))
            {
                prefixes[packed] = keys = [];
            }

            keys.Add(key);
        }

        _shortLengths = [.. shortLengths];
        _longWordsOnly = byKey.Keys.All(k => k.Length >= PrefixLength && char.IsLetterOrDigit(k[1]) && char.IsLetterOrDigit(k[2]) && char.IsLetterOrDigit(k[3]));

        var bits = BloomBits(prefixes.Count);
        _bloom = new ulong[(1 << bits) / 64];
        _bloomShift = 64 - (bits - 6);
        var slotBits = 1;
        while ((1 << slotBits) < 2 * prefixes.Count)
        {
            slotBits++;
        }

        _prefixSlots = new ulong[1 << slotBits];
        _prefixKeys = new PrefixKeys?[1 << slotBits];
        _prefixSlotShift = 64 - slotBits;
        foreach (var (packed, keys) in prefixes)
        {
            int[] lengths = [.. keys.Select(k => k.Length).Distinct().OrderDescending()];
            var byLength = lengths.Select(l => keys.Where(k => k.Length == l).ToArray()).ToArray();
            var slot = PrefixSlot(packed);
            while (_prefixKeys[slot] is not null)
            {
                slot = (slot + 1) & (_prefixKeys.Length - 1);
            }

            _prefixSlots[slot] = packed;
            _prefixKeys[slot] = new PrefixKeys(lengths, lengths.Count(l => l >= LongKey), byLength, [.. byLength.Select(ks => ks.Select(k => byKey[k]).ToArray())]);
            var (word, mask) = PrefixBits(packed);
            _bloom[word] |= mask;
        }
    }

    private const int MaxKeysCompared = 4;

    /// <summary>The keys under one prefix: their lengths, longest first (the first <c>Split</c> of them <see cref="LongKey"/> or more), and for each length its keys and their entries.</summary>
    private sealed class PrefixKeys(int[] lengths, int split, string[][] keys, int[][][] ids)
    {
        public readonly int[] Lengths = lengths;
        public readonly int Split = split;
        public readonly string[][] Keys = keys;
        public readonly int[][][] Ids = ids;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PrefixSlot(ulong packed) => (int)((packed * 0x9E3779B97F4A7C15UL) >> _prefixSlotShift);

    public IReadOnlyList<TermEntry> Entries { get; }

    /// <summary>About 16 bits per item keeps false positives near 6%: 2^12 bits at least, 2^24 (2 MB) at most.</summary>
    private static int BloomBits(int items)
    {
        var bits = 12;
        while (bits < 24 && (1L << bits) < items * 16L)
        {
            bits++;
        }

        return bits;
    }

    public int KeyCount { get; }

    /// <summary>The skeleton of a term and, for multi-word terms, the same words run together ("#groupeatlas").</summary>
    internal static IEnumerable<string> KeysOf(string term, string? skeleton = null)
    {
        var key = skeleton ?? TextNormalizer.SkeletonOf(term);
        if (key.Length == 0)
        {
            yield break;
        }

        yield return key;

        // "@tlas", "$ésame": a leading symbol is left alone by the skeleton (it starts mentions), so spell it here.
        if (key[0] is 'a' or 's')
        {
            yield return (key[0] == 'a' ? "@" : "$") + key[1..];
        }

        if (key.Contains(' ', StringComparison.Ordinal))
        {
            var joined = key.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (joined.Length >= 6)
            {
                yield return joined;
            }
        }
    }

    /// <summary>Appends every whole-word match in <paramref name="text"/> (a skeleton view) to <paramref name="hits"/>.</summary>
    /// <remarks>No zeroing of the 2 KB position buffer on each call: only the positions a block wrote are read.</remarks>
    [SkipLocalsInit]
    public void FindAll(ReadOnlySpan<char> text, List<TermHit> hits)
    {
        if (KeyCount == 0)
        {
            return;
        }

        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        var previousIsSeparator = 1ul; // the text's first position starts a word
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Two phases per chunk, so that no branch depends on how many words a block holds: first the word starts
            // of the chunk as a list of positions (written eight at a time, whatever the count), then one filter test
            // per position in a loop whose only unpredictable branch is the rare filter hit.
            Span<int> positions = stackalloc int[Chunk + 16];
            var hasShort = _shortLengths.Length != 0;

            // Every position of a chunk has PrefixLength chars after it: the chunk ends PrefixLength chars before the text.
            int length;
            while ((length = Math.Min(Chunk, (text.Length - PrefixLength - i) & ~63)) > 0)
            {
                var count = WordStarts(text, i, length, ref previousIsSeparator, positions);
                TestStarts(text, positions[..count], hasShort, hits);
                i += length;
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            const int width = 8;
            for (; i + width <= text.Length; i += width)
            {
                var v = Vector128.LoadUnsafe(ref first, (nuint)i);
                var separators = Vector128.GreaterThanAny(v, Vector128.Create((ushort)0x7F))
                    ? ScalarSeparators(text.Slice(i, width))
                    : ~(Vector128.LessThan((v | Vector128.Create((ushort)0x20)) - Vector128.Create((ushort)'a'), Vector128.Create((ushort)26))
                        | Vector128.LessThan(v - Vector128.Create((ushort)'0'), Vector128.Create((ushort)10))).ExtractMostSignificantBits() & 0xFF;
                var starts = ((separators << 1) | (uint)previousIsSeparator) & 0xFF;
                previousIsSeparator = separators >> (width - 1);
                for (; starts != 0; starts &= starts - 1)
                {
                    TryAt(text, i + BitOperations.TrailingZeroCount(starts), hits);
                }
            }
        }

        for (; i < text.Length; i++)
        {
            if (previousIsSeparator != 0)
            {
                TryAt(text, i, hits);
            }

            previousIsSeparator = char.IsLetterOrDigit(text[i]) ? 0u : 1u;
        }
    }

    /// <summary>Chars per chunk of the vector scan (64-char blocks): its word starts fit a small stack buffer.</summary>
    private const int Chunk = 512;

    /// <summary>
    /// Writes the positions of <paramref name="text"/> in [<paramref name="offset"/>, + <paramref name="length"/>)
    /// whose previous char is a separator; with <see cref="_longWordsOnly"/>, only those followed by three word chars.
    /// </summary>
    private int WordStarts(ReadOnlySpan<char> text, int offset, int length, ref ulong previousIsSeparator, Span<int> positions)
    {
        const int width = 64;
        ref var dst = ref MemoryMarshal.GetReference(positions);
        var longOnly = _longWordsOnly;
        var count = 0;
        var separators = Separators(text, offset);
        for (var i = offset; i < offset + length; i += width)
        {
            var next = Separators(text, i + width);

            // A word starts where the previous char is a separator.
            var starts = (separators << 1) | previousIsSeparator;
            if (longOnly)
            {
                // Every key has word chars at its offsets 1 to 3: "la", "de", "the" cannot start one.
                starts &= ~((separators >> 1) | (next << 63) | (separators >> 2) | (next << 62) | (separators >> 3) | (next << 61));
            }

            previousIsSeparator = separators >> (width - 1);
            separators = next;

            // Eight positions written unconditionally (those past the count are overwritten by the next block), more
            // only for a block of many words: the usual block takes no data-dependent branch.
            var n = BitOperations.PopCount(starts);
            ref var d = ref Unsafe.Add(ref dst, count);
            for (var k = 0; k < 8; k++)
            {
                Unsafe.Add(ref d, k) = i + BitOperations.TrailingZeroCount(starts);
                starts &= starts - 1;
            }

            for (var k = 8; starts != 0; k++)
            {
                Unsafe.Add(ref d, k) = i + BitOperations.TrailingZeroCount(starts);
                starts &= starts - 1;
            }

            count += n;
        }

        return count;
    }

    /// <summary>Bit k set when char <paramref name="i"/> + k (k &lt; 64) is not a letter or digit, or lies past the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Separators(ReadOnlySpan<char> text, int i)
    {
        const int width = 64;
        if (i + width > text.Length)
        {
            return i >= text.Length ? ulong.MaxValue : ScalarSeparators(text[i..]) | (ulong.MaxValue << (text.Length - i));
        }

        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        var v0 = Vector256.LoadUnsafe(ref first, (nuint)i);
        var v1 = Vector256.LoadUnsafe(ref first, (nuint)(i + 16));
        var v2 = Vector256.LoadUnsafe(ref first, (nuint)(i + 32));
        var v3 = Vector256.LoadUnsafe(ref first, (nuint)(i + 48));
        if (((v0 | v1 | v2 | v3) & Vector256.Create((ushort)0xFF80)) != Vector256<ushort>.Zero)
        {
            return ScalarSeparators(text.Slice(i, width));
        }

        // All ASCII: one byte per char, 32 chars per compare.
        return AsciiSeparators(Vector256.Narrow(v0, v1).AsSByte()) | (AsciiSeparators(Vector256.Narrow(v2, v3).AsSByte()) << 32);
    }

    /// <summary>Bit k set when ASCII byte k is neither a letter nor a digit (signed compares: the adds wrap the ranges to the bottom).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AsciiSeparators(Vector256<sbyte> b)
    {
        // Letters: (b | 0x20) in 'a'..'z' becomes -128..-103 after adding 31; digits: '0'..'9' become -128..-119 after adding 80.
        var letter = Vector256.LessThan((b | Vector256.Create((sbyte)0x20)) + Vector256.Create((sbyte)31), Vector256.Create((sbyte)-102));
        var digit = Vector256.LessThan(b + Vector256.Create((sbyte)80), Vector256.Create((sbyte)-118));
        return ~(letter | digit).ExtractMostSignificantBits();
    }

    /// <summary>The prefix filter (and the short keys) at each word start, in order.</summary>
    private void TestStarts(ReadOnlySpan<char> text, ReadOnlySpan<int> positions, bool hasShort, List<TermHit> hits)
    {
        ref var first = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(text));
        ref var bloom = ref MemoryMarshal.GetArrayDataReference(_bloom);
        var shift = _bloomShift;
        foreach (var pos in positions)
        {
            var packed = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, (nint)pos * 2));
            var h = packed * 0x9E3779B97F4A7C15UL;
            var below = h << (64 - shift);
            var mask = (1UL << (int)(below >> 58)) | (1UL << (int)(below >> 52));
            if ((Unsafe.Add(ref bloom, (nint)(h >> shift)) & mask) == mask)
            {
                TryPrefix(text, pos, packed, hits);
            }

            if (hasShort)
            {
                TryShortPacked(text, pos, packed, hits);
            }
        }
    }

    /// <summary>
    /// <see cref="TryShort"/> at a position with <see cref="PrefixLength"/> chars after it, from its packed first chars:
    /// each short length's key bit is read from them before any boundary test or char read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TryShortPacked(ReadOnlySpan<char> text, int pos, ulong packed, List<TermHit> hits)
    {
        var c = (char)packed;
        if ((_shortFirst[c >> 6] & (1UL << c)) == 0)
        {
            return;
        }

        foreach (var length in _shortLengths)
        {
            // The bit ShortHash gives the key of this length, from the chars already packed.
            var bit = ShortBit((packed & ((1UL << (16 * length)) - 1)) | ((ulong)length << 48));
            if ((_shortBloom[bit >> 6] & (1UL << bit)) == 0)
            {
                continue;
            }

            var end = pos + length;
            if (end < text.Length && char.IsLetterOrDigit(text[end]) && char.IsLetterOrDigit(text[end - 1]))
            {
                continue;
            }

            if (_lookup.TryGetValue(text.Slice(pos, length), out var ids))
            {
                AddHits(pos, length, ids, hits);
            }
        }
    }

    /// <summary>Bit k set when char k of the block (64 chars at most) is not a letter or digit.</summary>
    private static ulong ScalarSeparators(ReadOnlySpan<char> block)
    {
        var separators = 0ul;
        for (var k = 0; k < block.Length; k++)
        {
            separators |= char.IsLetterOrDigit(block[k]) ? 0ul : 1ul << k;
        }

        return separators;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TryAt(ReadOnlySpan<char> text, int pos, List<TermHit> hits)
    {
        if (pos + PrefixLength <= text.Length)
        {
            // The Bloom test without bounds checks: the hash's top bits index a word of _bloom by construction.
            var packed = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(text), pos)));
            var (word, mask) = PrefixBits(packed);
            if ((Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bloom), (nint)word) & mask) == mask)
            {
                TryPrefix(text, pos, packed, hits);
            }
        }

        if (_shortLengths.Length != 0)
        {
            TryShort(text, pos, hits);
        }
    }

    /// <summary>Keys shorter than the prefix, where the word's first char begins one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TryShort(ReadOnlySpan<char> text, int pos, List<TermHit> hits)
    {
        if ((_shortFirst[text[pos] >> 6] & (1UL << text[pos])) != 0)
        {
            MatchShortAt(text, pos, hits);
        }
    }

    /// <summary>Bit of a short key (fewer than <see cref="PrefixLength"/> chars) in <see cref="_shortBloom"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShortHash(ReadOnlySpan<char> key)
    {
        var packed = (ulong)key.Length << 48;
        for (var k = 0; k < key.Length; k++)
        {
            packed |= (ulong)key[k] << (16 * k);
        }

        return ShortBit(packed);
    }

    /// <summary>The <see cref="_shortBloom"/> bit of a short key packed as <see cref="ShortHash"/> packs it: its chars, then its length from bit 48.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShortBit(ulong packed) => (int)((packed * 0x9E3779B97F4A7C15UL) >> (64 - 13));

    private void MatchShortAt(ReadOnlySpan<char> text, int pos, List<TermHit> hits)
    {
        foreach (var length in _shortLengths)
        {
            var end = pos + length;
            if (end > text.Length || (end < text.Length && char.IsLetterOrDigit(text[end]) && char.IsLetterOrDigit(text[end - 1])))
            {
                continue;
            }

            var key = text.Slice(pos, length);
            var bit = ShortHash(key);
            if ((_shortBloom[bit >> 6] & (1UL << bit)) != 0 && _lookup.TryGetValue(key, out var ids))
            {
                AddHits(pos, length, ids, hits);
            }
        }
    }

    /// <summary>Appends a hit for each entry of the key found at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddHits(int pos, int length, int[] ids, List<TermHit> hits)
    {
        foreach (var id in ids)
        {
            hits.Add(new TermHit(pos, length, id));
        }
    }

    /// <summary>The rare word starts that pass the Bloom test: the exact prefix, then its key lengths.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TryPrefix(ReadOnlySpan<char> text, int pos, ulong packed, List<TermHit> hits)
    {
        var entries = _prefixKeys;
        var slots = _prefixSlots;
        for (var slot = PrefixSlot(packed); entries[slot] is { } prefix; slot = (slot + 1) & (entries.Length - 1))
        {
            if (slots[slot] == packed)
            {
                MatchLongAt(text, pos, packed, prefix, hits);
                return;
            }
        }
    }

    private void MatchLongAt(ReadOnlySpan<char> text, int pos, ulong packed, PrefixKeys prefix, List<TermHit> hits)
    {
        var lengths = prefix.Lengths;
        var split = prefix.Split;
        ref var first = ref MemoryMarshal.GetReference(text);

        // Lengths come longest first: one test on the first eight chars rules out all the long ones at once, before
        // any word-boundary test ("quatorze" against the 19 lengths of "quat…" keys).
        var k = 0;
        if (split > 0 && pos + LongKey <= text.Length)
        {
            var next = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref Unsafe.Add(ref first, pos + PrefixLength)));
            var e = TailHash(packed, next, 0);
            if ((_eightBloom[e >> 6] & (1UL << (int)e)) == 0)
            {
                k = split;
            }
        }
        else
        {
            k = split;
        }

        for (; k < lengths.Length; k++)
        {
            var length = lengths[k];
            var end = pos + length;
            if (end > text.Length || (end < text.Length && char.IsLetterOrDigit(text[end]) && char.IsLetterOrDigit(text[end - 1])))
            {
                continue;
            }

            var tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref Unsafe.Add(ref first, end - PrefixLength)));
            var t = TailHash(packed, tail, length);
            if ((_tailBloom[t >> 6] & (1UL << (int)t)) == 0)
            {
                continue;
            }

            // Keys are distinct: at most one of this length equals the text here. Past a few keys (a prefix like
            // "quat" shared by hundreds of terms), one hash lookup costs less than comparing them in turn.
            var slice = text.Slice(pos, length);
            var keys = prefix.Keys[k];
            if (keys.Length > MaxKeysCompared)
            {
                if (_lookup.TryGetValue(slice, out var ids))
                {
                    AddHits(pos, length, ids, hits);
                }

                continue;
            }

            for (var j = 0; j < keys.Length; j++)
            {
                if (slice.SequenceEqual(keys[j]))
                {
                    AddHits(pos, length, prefix.Ids[k][j], hits);

                    break;
                }
            }
        }
    }

    /// <summary>The first <see cref="PrefixLength"/> chars of a key as one value, read exactly as the scan reads the text.</summary>
    private static ulong Pack(ReadOnlySpan<char> key) => MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(key[..PrefixLength]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TailHash(ulong head, ulong tail, int length) =>
        ((head ^ BitOperations.RotateLeft(tail, 29) ^ (ulong)length) * 0x9E3779B97F4A7C15UL) >> _tailShift;

    /// <summary>
    /// A blocked Bloom filter: the top bits of one multiplicative hash choose a 64-bit word, the next two groups of six
    /// bits two bits in it (one memory access per test, about 2% false positives at 16 bits per prefix).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (ulong Word, ulong Mask) PrefixBits(ulong packed)
    {
        var h = packed * 0x9E3779B97F4A7C15UL;
        var below = h << (64 - _bloomShift);
        return (h >> _bloomShift, (1UL << (int)(below >> 58)) | (1UL << (int)(below >> 52)));
    }
}
