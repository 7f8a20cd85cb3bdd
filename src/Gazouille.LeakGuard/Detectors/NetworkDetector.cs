using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>Internal host names (the policy's internal_domains, .local/.internal/.lan…) and IP addresses.</summary>
internal static partial class NetworkDetector
{
    private static readonly string[] InternalSuffixes = [".local", ".internal", ".lan", ".corp", ".intranet", ".localdomain", ".home.arpa", ".intra"];

    [GeneratedRegex(@"(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,10}[a-z][a-z0-9\-]{0,61}(?![\w\-])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 250)]
    private static partial Regex HostName();

    [GeneratedRegex(@"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w.]\d)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"(?<![\w:.])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 250)]
    private static partial Regex Ipv6();

    public static bool IsInternalDomain(LeakPolicy policy, ReadOnlySpan<char> host) => IsUnder(policy.InternalDomains, host);

    public static bool IsOwnDomain(LeakPolicy policy, ReadOnlySpan<char> host) => IsUnder(policy.InternalDomains, host) || IsUnder(policy.CompanyDomains, host);

    private static bool IsUnder(IReadOnlyList<string> domains, ReadOnlySpan<char> host)
    {
        foreach (var domain in domains)
        {
            if (host.Equals(domain, StringComparison.OrdinalIgnoreCase)
                || (host.EndsWith(domain, StringComparison.OrdinalIgnoreCase) && host.Length > domain.Length && host[^(domain.Length + 1)] == '.'))
            {
                return true;
            }
        }

        return false;
    }

    public static void Detect(ScanContext ctx)
    {
        var text = ctx.Original;
        if (!text.Contains('.', StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal))
        {
            return;
        }

        // Host names and IPv4 addresses lie inside one run of letters, digits, dots, dashes and slashes that has a dot:
        // the patterns run only on those runs (non-ASCII letters count, for case-insensitive look-alikes like U+212A).
        var span = text.AsSpan();
        var runs = new RegexWindows(stackalloc (int, int)[8], text.Length);
        var ipRuns = new RegexWindows(stackalloc (int, int)[4], text.Length);
        try
        {
            var i = 0;
            while (i < span.Length)
            {
                var dot = span[i..].IndexOf('.');
                if (dot < 0)
                {
                    break;
                }

                dot += i;
                var start = dot;
                while (start > i && IsRunChar(span[start - 1]))
                {
                    start--;
                }

                var end = dot + 1;
                while (end < span.Length && IsRunChar(span[end]))
                {
                    end++;
                }

                // A host name or an address has a label char right after one of its dots: a run whose dots only end
                // words or sentences ("carreau.", "etc..") holds no match.
                // A host name cannot start after "@" or a word char, nor inside a run (after a letter, digit, dot or
                // dash) except after a slash: the domain of an e-mail address is no host match. An address can.
                var run = span[start..end];
                if (HasLabelAfterDot(run) && (start == 0 || span[start - 1] is not ('@' or '_') || run.Contains('/')))
                {
                    runs.Add(start, end, 0, 2);
                }

                if (HasDigitDot(run))
                {
                    ipRuns.Add(start, end, 0, 2);
                }

                i = end;
            }

            for (var w = 0; w < runs.Count; w++)
            {
                var (windowStart, windowEnd) = runs[w];
                var window = span[..windowEnd];
                if (window[Math.Max(0, windowStart - 1)..].ContainsAnyExceptInRange((char)0, (char)127))
                {
                    // Non-ASCII chars: the pattern's case-insensitive classes and \w decide (the Kelvin sign is a "k").
                    foreach (var m in HostName().EnumerateMatches(window, windowStart))
                    {
                        AddHost(ctx, text, m.Index, m.Length);

                        // A host name has three chars at least ("a.b"): fewer left in the window (the two after a run that
                        // ends a match) hold no other, and the search for one would cost a regex call per window.
                        if (windowEnd - (m.Index + m.Length) < 3)
                        {
                            break;
                        }
                    }

                    continue;
                }

                for (var p = windowStart; p < windowEnd;)
                {
                    var end = AsciiHostAt(window, p);
                    if (end < 0)
                    {
                        p++;
                        continue;
                    }

                    AddHost(ctx, text, p, end - p);
                    p = end;
                }
            }

            for (var w = 0; w < ipRuns.Count; w++)
            {
                var (windowStart, windowEnd) = ipRuns[w];
                foreach (var m in Ipv4().EnumerateMatches(span[..windowEnd], windowStart))
                {
                    AddIpv4(ctx, text, m);
                }
            }
        }
        finally
        {
            runs.Dispose();
            ipRuns.Dispose();
        }

        if (text.Contains("::", StringComparison.Ordinal) || span.Count(':') >= 7)
        {
            foreach (var m in Ipv6().EnumerateMatches(text))
            {
                var value = text.AsSpan(m.Index, m.Length);
                if (value.Length >= 3 && IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
                    && (value.Contains("::", StringComparison.Ordinal) || value.Count(':') == 7))
                {
                    ClassifyIp(ctx, address, m.Index, m.Index + m.Length);
                }
            }
        }
    }

    /// <summary>
    /// The end of the match of <see cref="HostName"/> that starts at <paramref name="p"/> in an all-ASCII
    /// <paramref name="s"/> (the text up to the window's end, and the char before <paramref name="p"/>), or -1: the same
    /// answer as the pattern's, without its backtracking. A label cannot hold a dot and must be followed by one, so each
    /// of the up to 10 labels is the segment up to the next dot; the pattern gives labels back from the last one until
    /// the segment after a label's dot reads as the final label (a letter first, at most 62 chars, then no word char
    /// and no dash: a shorter final label would be followed by a label char, so only the whole segment can match).
    /// </summary>
    internal static int AsciiHostAt(ReadOnlySpan<char> s, int p)
    {
        if (p > 0 && (IsAsciiWordChar(s[p - 1]) || s[p - 1] is '@' or '.' or '-'))
        {
            return -1;
        }

        Span<int> afterDots = stackalloc int[10];
        var labels = 0;
        var q = p;
        while (labels < 10)
        {
            var e = q;
            while (e < s.Length && IsAsciiLabelChar(s[e]))
            {
                e++;
            }

            if (e == q || e - q > 63 || e >= s.Length || s[e] != '.' || s[q] == '-' || s[e - 1] == '-')
            {
                break;
            }

            afterDots[labels++] = e + 1;
            q = e + 1;
        }

        for (var k = labels - 1; k >= 0; k--)
        {
            var t = afterDots[k];
            if (t >= s.Length || !char.IsAsciiLetter(s[t]))
            {
                continue;
            }

            var e = t + 1;
            while (e < s.Length && e - t < 62 && IsAsciiLabelChar(s[e]))
            {
                e++;
            }

            if (e < s.Length && (IsAsciiWordChar(s[e]) || s[e] == '-'))
            {
                continue;
            }

            return e;
        }

        return -1;
    }

    private static bool IsAsciiLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    private static bool IsAsciiWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Every match of the host pattern in <paramref name="text"/>, for tests that hold the hand-written matcher to it.</summary>
    internal static IEnumerable<(int Index, int Length)> HostPatternMatches(string text)
    {
        foreach (Match m in HostName().Matches(text))
        {
            yield return (m.Index, m.Length);
        }
    }

    // Plain loops: runs are short, and a run of dots ("bon......") would cost a search call per dot.
    private static bool HasDigitDot(ReadOnlySpan<char> run)
    {
        for (var k = 1; k < run.Length; k++)
        {
            if (run[k] == '.' && char.IsAsciiDigit(run[k - 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasLabelAfterDot(ReadOnlySpan<char> run)
    {
        for (var k = 0; k + 1 < run.Length; k++)
        {
            if (run[k] == '.' && run[k + 1] is not ('.' or '-' or '/'))
            {
                return true;
            }
        }

        return false;
    }

    // Read for every char of every run around a dot: one table lookup for ASCII, inlined into the run loops.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsRunChar(char c) => c < 128 ? AsciiRunChars[c] : char.IsLetterOrDigit(c);

    private static readonly bool[] AsciiRunChars = [.. Enumerable.Range(0, 128).Select(c => char.IsAsciiLetterOrDigit((char)c) || c is '.' or '-' or '/')];

    private static void AddHost(ScanContext ctx, string text, int index, int length)
    {
        var host = text.AsSpan(index, length).TrimEnd('.');
        if (IsInternalDomain(ctx.Policy, host))
        {
            // The bare company domain ("corp.example" in a link to the public site) is not an internal host.
            var bare = IsBareDomain(ctx.Policy.InternalDomains, host);
            ctx.Add(FindingTypes.InternalHost, index, index + host.Length, bare ? 0.3 : 0.9, "internal-domain");
        }
        else if (HasInternalSuffix(host))
        {
            ctx.Add(FindingTypes.InternalHost, index, index + host.Length, 0.8, "internal-suffix");
        }
    }

    /// <summary>One of <paramref name="domains"/> itself, or it after "www.".</summary>
    private static bool IsBareDomain(IReadOnlyList<string> domains, ReadOnlySpan<char> host)
    {
        foreach (var d in domains)
        {
            if (host.Equals(d, StringComparison.OrdinalIgnoreCase)
                || (host.Length == d.Length + 4 && host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) && host[4..].Equals(d, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasInternalSuffix(ReadOnlySpan<char> host)
    {
        foreach (var suffix in InternalSuffixes)
        {
            if (host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddIpv4(ScanContext ctx, string text, ValueMatch m)
    {
        var value = text.AsSpan(m.Index, m.Length);
        var slash = value.IndexOf('/');
        var addressPart = slash >= 0 ? value[..slash] : value;
        if (IPAddress.TryParse(addressPart, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            && IsDottedQuad(addressPart))
        {
            ClassifyIp(ctx, address, m.Index, m.Index + m.Length);
        }
    }

    private static void ClassifyIp(ScanContext ctx, IPAddress address, int start, int end)
    {
        if (ctx.Policy.InternalNetworks.Any(n => n.Contains(address)))
        {
            ctx.Add(FindingTypes.InternalHost, start, end, 0.95, "internal-network");
        }
        else if (IsPrivate(address))
        {
            ctx.Add(FindingTypes.InternalHost, start, end, 0.7, "private-address");
        }
        else
        {
            ctx.Add(FindingTypes.Ip, start, end, 0.7, "public-address");
        }
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> s)
    {
        foreach (var range in s.Split('.'))
        {
            var part = s[range];
            if (part.Length == 0 || part.Length > 3 || (part.Length > 1 && part[0] == '0') || int.Parse(part, provider: null) > 255)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        }

        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
