using System.Buffers;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>One gitleaks rule, loaded as data. Its regex is compiled on first use: most posts never need most rules.</summary>
internal sealed class GitleaksRule
{
    private readonly Lazy<Regex?> _regex;

    public GitleaksRule(string id, string pattern, string[] keywords, double entropy, int secretGroup, Regex[] allow, Regex[] allowMatch, string[] stopwords)
    {
        Id = id;
        Pattern = pattern;
        Keywords = keywords;
        Entropy = entropy;
        SecretGroup = secretGroup;
        AllowSecret = allow;
        AllowMatch = allowMatch;
        Stopwords = stopwords;
        _regex = new Lazy<Regex?>(() => GitleaksRules.Compile(pattern), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Id { get; }

    public string Pattern { get; }

    public string[] Keywords { get; }

    public double Entropy { get; }

    public int SecretGroup { get; }

    public Regex[] AllowSecret { get; }

    public Regex[] AllowMatch { get; }

    public string[] Stopwords { get; }

    public Regex? Regex => _regex.Value;
}

/// <summary>
/// The gitleaks rule set (gitleaks/gitleaks config/gitleaks.toml, MIT, embedded with its licence). Go RE2 syntax is
/// rewritten for .NET and compiled with <see cref="RegexOptions.NonBacktracking"/>: RE2 patterns have no
/// backreferences or lookarounds, and the non-backtracking engine guarantees linear time on hostile input.
/// </summary>
internal sealed partial class GitleaksRules
{
    private static readonly Lazy<GitleaksRules> LazyEmbedded = new(LoadEmbedded);

    private GitleaksRules(List<GitleaksRule> rules, Regex[] globalAllow, string[] globalStopwords)
    {
        Rules = rules;
        GlobalAllow = globalAllow;
        GlobalStopwords = globalStopwords;
        var keywords = rules.SelectMany(r => r.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        Keywords = SearchValues.Create(keywords, StringComparison.OrdinalIgnoreCase);

        // The bigram scan needs every keyword in ASCII and at least two chars long (the embedded set is).
        if (keywords.All(k => k.Length >= 2 && System.Text.Ascii.IsValid(k)))
        {
            _lowerKeywords = [.. keywords.Select(k => k.ToLowerInvariant())];
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < _lowerKeywords.Length; i++)
            {
                var k = _lowerKeywords[i];
                ids[k] = i;
                var bigram = Bigram(k[0], k[1]);
                _bigrams[bigram >> 6] |= 1UL << bigram;
                var key = k.Length == 2 ? bigram : Trigram(bigram, k[2]);
                if (k.Length == 2)
                {
                    _pairs[bigram >> 6] |= 1UL << bigram;
                }
                else
                {
                    var t = TrigramBit(key);
                    _trigrams[t >> 6] |= 1UL << t;
                }

                _byPrefix[key] = _byPrefix.TryGetValue(key, out var list) ? [.. list, i] : [i];
            }

            _ruleKeywords = [.. rules.Select(r => r.Keywords.Select(k => ids[k.ToLowerInvariant()]).ToArray())];
        }
    }

    // Keyword scan: a bit per pair of ASCII chars (case folded) that begins a keyword; a filter on the first three
    // chars of the keywords of three chars or more; the keywords by their exact first two (two-char keywords) or three.
    private readonly string[]? _lowerKeywords;
    private readonly ulong[] _bigrams = new ulong[(128 * 128) / 64];
    private readonly ulong[] _pairs = new ulong[(128 * 128) / 64];
    private const int TrigramBits = 15;
    private readonly ulong[] _trigrams = new ulong[(1 << TrigramBits) / 64];
    private readonly Dictionary<int, int[]> _byPrefix = [];
    private readonly int[][]? _ruleKeywords;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Trigram(int bigram, char c) => bigram | (FoldAscii(c) << 14) | (1 << 21);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int TrigramBit(int trigram) => (int)(((uint)trigram * 0x9E3779B1u) >> (32 - TrigramBits));

    /// <summary>Non-ASCII chars that a case-insensitive comparison may equate with an ASCII letter ("ſ", "ı", Kelvin sign).</summary>
    private static readonly SearchValues<char> CaseOddities = SearchValues.Create(
        Enumerable.Range(128, 65536 - 128).Select(c => (char)c)
            .Where(c => !char.IsSurrogate(c) && (char.ToUpperInvariant(c) < 128 || char.ToLowerInvariant(c) < 128)).ToArray());

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Bigram(char a, char b) => FoldAscii(a) | (FoldAscii(b) << 7);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int FoldAscii(char c) => (uint)(c - 'A') <= 'Z' - 'A' ? c | 0x20 : c;

    /// <summary>Bits per keyword for <see cref="FindKeywords"/>.</summary>
    public int KeywordWords => ((_lowerKeywords?.Length ?? 0) + 63) / 64;

    /// <summary>
    /// Sets the bit of every keyword that occurs in <paramref name="text"/> (case-insensitive), in one pass over its
    /// pairs of chars; false when it cannot answer exactly (a keyword set with non-ASCII or one-char keywords, or a text
    /// with a char like "ſ" that matches an ASCII letter case-insensitively): then test with <see cref="Keywords"/>.
    /// </summary>
    public bool FindKeywords(ReadOnlySpan<char> text, Span<ulong> found, out bool any)
    {
        any = false;
        if (_lowerKeywords is null || text.ContainsAny(CaseOddities))
        {
            return false;
        }

        var from = 0;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            from = FindKeywordsAvx2(text, found, ref any);
        }

        // The positions the vector pass left (all of them without AVX2). The pair test without bounds checks (every
        // char read is below text.Length, every pair below 128 × 128): most pairs stop here.
        ref var chars = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(text);
        ref var bigrams = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_bigrams);
        for (var i = from; i + 1 < text.Length; i++)
        {
            var a = System.Runtime.CompilerServices.Unsafe.Add(ref chars, i);
            var b = System.Runtime.CompilerServices.Unsafe.Add(ref chars, i + 1);
            if ((a | b) >= 128)
            {
                continue;
            }

            var bigram = Bigram(a, b);
            if ((System.Runtime.CompilerServices.Unsafe.Add(ref bigrams, bigram >> 6) & (1UL << bigram)) == 0)
            {
                continue;
            }

            AfterPair(text, i, bigram, found, ref any);
        }

        return true;
    }

    /// <summary>
    /// The pair test of <see cref="FindKeywords"/> eight positions at a time: the eight pairs' bits gathered from the
    /// pair bit set in one instruction, and only the positions that pass go on to <see cref="AfterPair"/>. Returns the
    /// first position left to the scalar loop.
    /// </summary>
    private unsafe int FindKeywordsAvx2(ReadOnlySpan<char> text, Span<ulong> found, ref bool any)
    {
        var i = 0;
        fixed (ulong* table = _bigrams)
        fixed (char* chars = text)
        {
            var a128 = System.Runtime.Intrinsics.Vector256.Create(128);
            var upperA = System.Runtime.Intrinsics.Vector256.Create((int)'A' - 1);
            var upperZ = System.Runtime.Intrinsics.Vector256.Create((int)'Z' + 1);
            var lowerBit = System.Runtime.Intrinsics.Vector256.Create(0x20);

            // Positions i to i + 7 read chars i to i + 8.
            for (; i + 9 <= text.Length; i += 8)
            {
                var a = System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int32((ushort*)(chars + i));
                var b = System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int32((ushort*)(chars + i + 1));
                var ascii = System.Runtime.Intrinsics.X86.Avx2.CompareGreaterThan(a128, a | b);
                var fa = a | (System.Runtime.Intrinsics.X86.Avx2.CompareGreaterThan(a, upperA) & System.Runtime.Intrinsics.X86.Avx2.CompareGreaterThan(upperZ, a) & lowerBit);
                var fb = b | (System.Runtime.Intrinsics.X86.Avx2.CompareGreaterThan(b, upperA) & System.Runtime.Intrinsics.X86.Avx2.CompareGreaterThan(upperZ, b) & lowerBit);
                var bigram = (fa | System.Runtime.Intrinsics.X86.Avx2.ShiftLeftLogical(fb, 7)) & ascii;
                var words = System.Runtime.Intrinsics.X86.Avx2.GatherVector256((int*)table, System.Runtime.Intrinsics.X86.Avx2.ShiftRightLogical(bigram, 5), 4);
                var bits = System.Runtime.Intrinsics.X86.Avx2.ShiftRightLogicalVariable(words.AsUInt32(), (bigram & System.Runtime.Intrinsics.Vector256.Create(31)).AsUInt32());
                var pass = System.Runtime.Intrinsics.Vector256.ExtractMostSignificantBits(System.Runtime.Intrinsics.Vector256.ShiftLeft(bits, 31).AsInt32() & ascii);
                for (; pass != 0; pass &= pass - 1)
                {
                    var k = i + System.Numerics.BitOperations.TrailingZeroCount(pass);
                    AfterPair(text, k, Bigram(text[k], text[k + 1]), found, ref any);
                }
            }
        }

        return i;
    }

    /// <summary>A position whose pair begins a keyword: the two-char keywords under it, then the longer ones.</summary>
    private void AfterPair(ReadOnlySpan<char> text, int i, int bigram, Span<ulong> found, ref bool any)
    {
        if ((_pairs[bigram >> 6] & (1UL << bigram)) != 0 && _byPrefix.TryGetValue(bigram, out var pairs))
        {
            Mark(pairs, found, ref any);
        }

        if (i + 2 < text.Length && text[i + 2] < 128)
        {
            var trigram = Trigram(bigram, text[i + 2]);
            var t = TrigramBit(trigram);
            if ((_trigrams[t >> 6] & (1UL << t)) != 0 && _byPrefix.TryGetValue(trigram, out var longer))
            {
                var rest = text[i..];
                foreach (var k in longer)
                {
                    if (rest.StartsWith(_lowerKeywords![k], StringComparison.OrdinalIgnoreCase))
                    {
                        found[k >> 6] |= 1UL << k;
                        any = true;
                    }
                }
            }
        }
    }

    private static void Mark(int[] keywords, Span<ulong> found, ref bool any)
    {
        foreach (var k in keywords)
        {
            found[k >> 6] |= 1UL << k;
            any = true;
        }
    }

    /// <summary>True when one of rule <paramref name="index"/>'s keywords is set in <paramref name="found"/>.</summary>
    public bool HasKeyword(int index, ReadOnlySpan<ulong> found)
    {
        foreach (var k in _ruleKeywords![index])
        {
            if ((found[k >> 6] & (1UL << k)) != 0)
            {
                return true;
            }
        }

        return false;
    }

    public static GitleaksRules Embedded => LazyEmbedded.Value;

    public IReadOnlyList<GitleaksRule> Rules { get; }

    public Regex[] GlobalAllow { get; }

    public string[] GlobalStopwords { get; }

    /// <summary>Any keyword of any rule, case-insensitive: the cheap test that lets most posts skip every regex.</summary>
    public SearchValues<string> Keywords { get; }

    [GeneratedRegex(@"\[:(alnum|alpha|digit|space|upper|lower|xdigit|punct|word):\]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PosixClass();

    public static GitleaksRules LoadEmbedded()
    {
        using var stream = typeof(GitleaksRules).Assembly.GetManifestResourceStream("Gazouille.LeakGuard.gitleaks.toml")
            ?? throw new InvalidOperationException("the embedded gitleaks rules are missing from the assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    public static GitleaksRules Parse(string toml)
    {
        var model = TomlSerializer.Deserialize<TomlTable>(toml, (TomlSerializerOptions?)null)
            ?? throw new InvalidOperationException("the gitleaks rules are empty");
        var globalAllow = Array.Empty<Regex>();
        var globalStop = Array.Empty<string>();
        if (model.TryGetValue("allowlist", out var g) && g is TomlTable global)
        {
            globalAllow = Strings(global, "regexes").Select(Compile).OfType<Regex>().ToArray();
            globalStop = Strings(global, "stopwords").Select(s => s.ToLowerInvariant()).ToArray();
        }

        var rules = new List<GitleaksRule>();
        if (model.TryGetValue("rules", out var r) && r is TomlTableArray array)
        {
            foreach (var rule in array)
            {
                if (rule.TryGetValue("regex", out var regex) && regex is string pattern && rule.TryGetValue("id", out var id))
                {
                    var allow = new List<Regex>();
                    var allowMatch = new List<Regex>();
                    var stop = new List<string>();
                    if (rule.TryGetValue("allowlists", out var al) && al is TomlTableArray allowlists)
                    {
                        foreach (var list in allowlists)
                        {
                            var target = list.TryGetValue("regexTarget", out var t) ? t as string : null;
                            var compiled = Strings(list, "regexes").Select(Compile).OfType<Regex>();
                            (target is "match" or "line" ? allowMatch : allow).AddRange(compiled);
                            stop.AddRange(Strings(list, "stopwords").Select(s => s.ToLowerInvariant()));
                        }
                    }

                    rules.Add(new GitleaksRule(
                        (string)id,
                        pattern,
                        [.. Strings(rule, "keywords")],
                        rule.TryGetValue("entropy", out var e) ? Convert.ToDouble(e, System.Globalization.CultureInfo.InvariantCulture) : 0,
                        rule.TryGetValue("secretGroup", out var sg) ? Convert.ToInt32(sg, System.Globalization.CultureInfo.InvariantCulture) : 0,
                        [.. allow],
                        [.. allowMatch],
                        [.. stop]));
                }
            }
        }

        return new GitleaksRules(rules, globalAllow, globalStop);
    }

    /// <summary>Go RE2 to .NET: named groups and POSIX classes differ; everything else RE2 has, .NET has too.</summary>
    public static string Translate(string pattern) =>
        PosixClass().Replace(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), m => m.Groups[1].Value switch
        {
            "alnum" => "a-zA-Z0-9",
            "alpha" => "a-zA-Z",
            "digit" => "0-9",
            "space" => @"\s",
            "upper" => "A-Z",
            "lower" => "a-z",
            "xdigit" => "0-9A-Fa-f",
            "word" => @"\w",
            _ => @"!-/:-@\[-`{-~",
        });

    public static Regex? Compile(string pattern)
    {
        var translated = Translate(pattern);
        try
        {
            return new Regex(translated, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (NotSupportedException)
        {
            // A construct the non-backtracking engine lacks: fall back to the backtracking one, still under a timeout.
        }
        catch (ArgumentException)
        {
            return null;
        }

        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null; // a pattern .NET cannot read is skipped rather than failing the whole rule set
        }
    }

    private static IEnumerable<string> Strings(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value is TomlArray array ? array.OfType<string>() : [];
}
