using System.Buffers;
using System.Text.RegularExpressions;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>Secrets: the gitleaks rules (keyword prefilter, regex, entropy, allowlists), private-key blocks,
/// "password:" / "mdp :" assignments and long high-entropy tokens.</summary>
internal static partial class SecretDetector
{
    [GeneratedRegex(@"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex PrivateKeyHeader();

    [GeneratedRegex(@"(?<![\w])(?:password|passwd|pwd|passwort|mot de passe|mot-de-passe|mdp|pass|code wifi|wifi|code porte|digicode|pin)(?:[ ][\w'\-]{1,20}){0,4}?\s{0,3}(?:[:=]|est|is)\s{0,3}[""'`]?(?<value>[^\s""'`]{4,64})", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 250)]
    private static partial Regex PasswordAssignment();

    [GeneratedRegex(@"(?<![\w+/=\-])[A-Za-z0-9+/_\-]{32,256}={0,2}(?![\w+/=\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex LongToken();

    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "xxxx", "xxxxx", "xxxxxx", "xxxxxxxx", "****", "******", "********", "<password>", "<mdp>", "changeme", "secret",
        "password", "motdepasse", "votre_mdp", "your_password", "redacted", "hidden", "masque", "oublie", "expire",
        "expired", "perdu", "reset", "reinitialise", "change", "changed",
    };

    public static void Detect(ScanContext ctx, bool useGitleaks)
    {
        var text = ctx.Original;
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            // Every header holds this literal: a post without it costs no regex call.
            foreach (var m in PrivateKeyHeader().EnumerateMatches(text))
            {
                var endMarker = text.IndexOf("PRIVATE KEY", m.Index + m.Length, StringComparison.Ordinal);
                var end = endMarker >= 0 ? Math.Min(text.Length, text.IndexOf("-----", endMarker, StringComparison.Ordinal) is var e and >= 0 ? e + 5 : text.Length) : text.Length;
                ctx.Add(FindingTypes.Secret, m.Index, end, 0.99, "private-key");
            }
        }

        DetectPasswords(ctx, text);

        if (useGitleaks)
        {
            DetectGitleaks(ctx);
        }

        // A long token lies inside a run of 32+ token chars: the pattern runs only on those runs.
        var span = text.AsSpan();
        var probe = MinTokenRun - 1;
        while (NextLongRun(span, ref probe, out var start, out var end))
        {
            foreach (var m in LongToken().EnumerateMatches(span[..Math.Min(span.Length, end + 1)], start))
            {
                AddToken(ctx, text, m.Index, m.Index + m.Length);
            }
        }
    }

    /// <summary>The fewest chars of a long token (the pattern's {32,256}).</summary>
    internal const int MinTokenRun = 32;

    /// <summary>
    /// The next maximal run of <see cref="MinTokenRun"/> or more token chars, in order. Such a run covers one of every
    /// <see cref="MinTokenRun"/> positions, so only those are probed (start with <paramref name="probe"/> at
    /// <see cref="MinTokenRun"/> − 1): a post's words are short, and most probes land on a separator or a short word.
    /// </summary>
    internal static bool NextLongRun(ReadOnlySpan<char> span, ref int probe, out int start, out int end)
    {
        for (var p = probe; p < span.Length; p += MinTokenRun)
        {
            if (!IsTokenChar(span[p]))
            {
                continue;
            }

            var s = p;
            while (s > 0 && IsTokenChar(span[s - 1]))
            {
                s--;
            }

            var e = p + 1;
            while (e < span.Length && IsTokenChar(span[e]))
            {
                e++;
            }

            // A shorter run holds no other probe: the next one lies past it.
            if (e - s >= MinTokenRun)
            {
                start = s;
                end = e;
                probe = p + (MinTokenRun * ((e - p + MinTokenRun - 1) / MinTokenRun));
                return true;
            }
        }

        start = end = probe = span.Length;
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsTokenChar(char c) => c < 128 && TokenCharTable[c];

    private const string TokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-=";

    private static readonly bool[] TokenCharTable = Enumerable.Range(0, 128).Select(c => TokenChars.Contains((char)c, StringComparison.Ordinal)).ToArray();

    // Each password keyword contains one of these; a match starts at its keyword.
    private static readonly SearchValues<string> PasswordAnchors =
        SearchValues.Create(["pass", "pwd", "mot", "mdp", "wifi", "code", "pin"], StringComparison.OrdinalIgnoreCase);

    // Characters a case-insensitive .NET regex may equate with ASCII letters (Kelvin sign, long s, dotted/dotless i):
    // a text that has one is scanned whole rather than trusted to the anchors.
    private static readonly SearchValues<char> CaseOddities = SearchValues.Create("\u212A\u017F\u0130\u0131\u212B");

    private static void DetectPasswords(ScanContext ctx, string text)
    {
        var span = text.AsSpan();
        if (span.IndexOfAny(CaseOddities) >= 0)
        {
            foreach (Match m in PasswordAssignment().Matches(text))
            {
                AddPassword(ctx, m);
            }

            return;
        }

        var windows = new RegexWindows(stackalloc (int, int)[4], span.Length);
        try
        {
            // Keyword (≤ 12) + four words (≤ 84) + separators + value (≤ 64), with slack.
            windows.AddAll(span, PasswordAnchors, 16, 200);
            for (var w = 0; w < windows.Count; w++)
            {
                var (windowStart, windowEnd) = windows[w];
                foreach (var vm in PasswordAssignment().EnumerateMatches(span[..windowEnd], windowStart))
                {
                    AddPassword(ctx, PasswordAssignment().Match(text, vm.Index));
                }
            }
        }
        finally
        {
            windows.Dispose();
        }
    }

    private static void AddPassword(ScanContext ctx, Match m)
    {
        var value = m.Groups["value"];
        var trimmed = value.Value.TrimEnd('.', ',', ';', ')', '!', '?');
        if (trimmed.Length >= 4 && !Placeholders.Contains(trimmed) && LooksLikePassword(trimmed))
        {
            ctx.Add(FindingTypes.Secret, value.Index, value.Index + trimmed.Length, 0.9, "password");
        }
    }

    private static void AddToken(ScanContext ctx, string text, int start, int end)
    {
        var token = text.AsSpan(start, end - start);
        if (HasClasses(token) >= 3 && ShannonEntropy(token) >= 4.2 && !IsWordPath(token) && !Covers(ctx, start, end))
        {
            ctx.Add(FindingTypes.Secret, start, end, 0.7, "high-entropy");
        }
    }

    /// <summary>
    /// A path or slug made of words ("projects/2026/migration-plan-final-v3") has the entropy of a key but none of its
    /// randomness: every segment is a word in one case, a short number, or a short version tag.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> Vowels = System.Buffers.SearchValues.Create("aeiouyAEIOUY");

    private static bool IsWordPath(ReadOnlySpan<char> token)
    {
        var segments = 0;
        foreach (var range in token.SplitAny("/._-:"))
        {
            var seg = token[range];
            if (seg.Length == 0) continue;
            segments++;
            // One case, or a capitalized word ("Architecture").
            var letters = !seg.ContainsAnyExceptInRange('a', 'z') || !seg.ContainsAnyExceptInRange('A', 'Z')
                || (char.IsAsciiLetterUpper(seg[0]) && !seg[1..].ContainsAnyExceptInRange('a', 'z')) ? "words" : null;
            var wordLike = (letters is not null && seg.Length >= 2 && seg.IndexOfAny(Vowels) >= 0)
                || (seg.Length <= 4 && !seg.ContainsAnyExceptInRange('0', '9'))
                || (seg.Length <= 3 && char.IsAsciiLetter(seg[0]) && !seg[1..].ContainsAnyExceptInRange('0', '9'));
            if (!wordLike) return false;
        }
        return segments >= 2;
    }

    private static bool Covers(ScanContext ctx, int start, int end)
    {
        foreach (var c in ctx.Candidates)
        {
            if (c.Start <= start && c.End >= end)
            {
                return true;
            }
        }

        return false;
    }

    private static void DetectGitleaks(ScanContext ctx)
    {
        var text = ctx.Original;
        var rules = GitleaksRules.Embedded;
        Span<ulong> found = stackalloc ulong[rules.KeywordWords];
        found.Clear();
        var exact = rules.FindKeywords(text, found, out var any);
        if (exact ? !any : text.AsSpan().IndexOfAny(rules.Keywords) < 0)
        {
            return;
        }

        for (var r = 0; r < rules.Rules.Count; r++)
        {
            var rule = rules.Rules[r];
            if (!(exact ? rules.HasKeyword(r, found) : HasKeyword(rule, text)) || rule.Regex is not { } regex)
            {
                continue;
            }

            foreach (Match m in regex.Matches(text))
            {
                var group = rule.SecretGroup > 0 && rule.SecretGroup < m.Groups.Count ? m.Groups[rule.SecretGroup]
                    : m.Groups.Count > 1 && m.Groups[1].Success ? m.Groups[1] : m.Groups[0];
                var secret = group.Value;
                if (secret.Length == 0 || (rule.Entropy > 0 && ShannonEntropy(secret) < rule.Entropy) || IsAllowed(rules, rule, secret, m.Value))
                {
                    continue;
                }

                ctx.Add(FindingTypes.Secret, group.Index, group.Index + group.Length, 0.9, "gitleaks:" + rule.Id);
            }
        }
    }

    private static bool HasKeyword(GitleaksRule rule, string text)
    {
        foreach (var k in rule.Keywords)
        {
            if (text.Contains(k, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAllowed(GitleaksRules rules, GitleaksRule rule, string secret, string match)
    {
        var lower = secret.ToLowerInvariant();
        return Array.Exists(rule.AllowSecret, r => r.IsMatch(secret))
            || Array.Exists(rule.AllowMatch, r => r.IsMatch(match))
            || Array.Exists(rule.Stopwords, s => lower.Contains(s, StringComparison.Ordinal))
            || Array.Exists(rules.GlobalAllow, r => r.IsMatch(secret))
            || Array.Exists(rules.GlobalStopwords, s => lower.Contains(s, StringComparison.Ordinal));
    }

    // A password mixes kinds of characters; "mdp: oublié" or "password: reset" is talk about a password, not one.
    private static bool LooksLikePassword(string value) => HasClasses(value) >= 2 || (value.Length >= 8 && !value.All(char.IsLetter));

    private static int HasClasses(ReadOnlySpan<char> s)
    {
        bool lower = false, upper = false, digit = false, other = false;
        foreach (var c in s)
        {
            if (char.IsLower(c)) lower = true;
            else if (char.IsUpper(c)) upper = true;
            else if (char.IsDigit(c)) digit = true;
            else other = true;
        }

        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
    }

    public static double ShannonEntropy(ReadOnlySpan<char> s)
    {
        if (s.Length == 0)
        {
            return 0;
        }

        Span<int> counts = stackalloc int[128];
        var others = new Dictionary<char, int>();
        foreach (var c in s)
        {
            if (c < 128)
            {
                counts[c]++;
            }
            else
            {
                others[c] = others.GetValueOrDefault(c) + 1;
            }
        }

        double entropy = 0;
        foreach (var n in counts)
        {
            if (n > 0)
            {
                var p = (double)n / s.Length;
                entropy -= p * Math.Log2(p);
            }
        }

        foreach (var n in others.Values)
        {
            var p = (double)n / s.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }
}
