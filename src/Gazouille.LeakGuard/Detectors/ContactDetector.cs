using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// E-mail addresses and phone numbers, judged as DESIGN.md asks: a personal or webmail address of a person is personal
/// data, a role address on the company's own domain is not; a mobile is personal, a switchboard is not.
/// </summary>
internal static partial class ContactDetector
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    private static readonly HashSet<string> Webmail = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr",
        "live.com", "live.fr", "msn.com", "icloud.com", "me.com", "aol.com", "orange.fr", "wanadoo.fr", "free.fr",
        "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr", "numericable.fr", "proton.me", "protonmail.com", "gmx.com",
        "gmx.fr", "gmx.de", "web.de", "yandex.com", "mail.com", "zoho.com", "tutanota.com", "fastmail.com",
    };

    private static readonly HashSet<string> RoleLocalParts = new(StringComparer.OrdinalIgnoreCase)
    {
        "contact", "info", "infos", "support", "help", "aide", "rh", "hr", "jobs", "careers", "recrutement", "sales",
        "ventes", "commercial", "admin", "noreply", "no-reply", "accueil", "presse", "press", "media", "communication",
        "compta", "comptabilite", "accounting", "billing", "facturation", "legal", "juridique", "dpo", "privacy",
        "security", "securite", "it", "helpdesk", "servicedesk", "webmaster", "postmaster", "hello", "bonjour", "team",
        "equipe", "office", "marketing", "partenaires", "partners", "abuse", "newsletter", "service-client", "sav",
    };

    [GeneratedRegex(@"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex Email();

    public static void Detect(ScanContext ctx)
    {
        var text = ctx.Original;
        if (text.Contains('@', StringComparison.Ordinal))
        {
            // Every address holds exactly one "@", starts where the run of local-part chars before it starts (the
            // lookbehind rejects any later start) at most 64 chars before it, and ends inside the run of domain chars
            // after it (the lookahead reads one char more): the pattern runs only on those runs, where it finds
            // exactly the matches of a whole-text scan (see RegexWindows), instead of trying every letter of the post.
            var span = text.AsSpan();
            var windows = new RegexWindows(stackalloc (int, int)[4], span.Length);
            try
            {
                for (var at = span.IndexOf('@'); at >= 0; at = span[(at + 1)..].IndexOf('@') is var next and >= 0 ? at + 1 + next : -1)
                {
                    var start = at;
                    while (start > 0 && at - start <= 64 && IsLocalPartChar(span[start - 1]))
                    {
                        start--;
                    }

                    var end = at + 1;
                    while (end < span.Length && IsDomainChar(span[end]))
                    {
                        end++;
                    }

                    windows.Add(at, at + 1, at - start, Math.Min(span.Length, end + 1) - at - 1);
                }

                for (var w = 0; w < windows.Count; w++)
                {
                    var (windowStart, windowEnd) = windows[w];
                    foreach (var m in Email().EnumerateMatches(span[..windowEnd], windowStart))
                    {
                        ClassifyEmail(ctx, text.AsSpan(m.Index, m.Length), m.Index);

                        // Every address holds an "@": none left in the window, no other address in it.
                        if (!span[(m.Index + m.Length)..windowEnd].Contains('@'))
                        {
                            break;
                        }
                    }
                }
            }
            finally
            {
                windows.Dispose();
            }
        }

        DetectPhones(ctx);
    }

    private static bool IsLocalPartChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private static bool IsDomainChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-';

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> WebmailLookup = Webmail.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> RoleLookup = RoleLocalParts.GetAlternateLookup<ReadOnlySpan<char>>();

    // Spans and a stack copy rather than strings: an address is classified on every check of the post that holds it.
    private static void ClassifyEmail(ScanContext ctx, ReadOnlySpan<char> address, int start)
    {
        var at = address.IndexOf('@');
        var local = address[..at];
        var rawDomain = address[(at + 1)..];
        var domain = rawDomain.Length <= 256 ? stackalloc char[rawDomain.Length] : new char[rawDomain.Length];
        rawDomain.ToLowerInvariant(domain);
        var end = start + address.Length;
        var ownDomain = NetworkDetector.IsOwnDomain(ctx.Policy, domain);
        if (NetworkDetector.IsInternalDomain(ctx.Policy, domain) && !ContainsOrdinal(ctx.Policy.InternalDomains, domain))
        {
            // deploy@bastion.corp.example names an internal machine, whatever the mailbox.
            ctx.Add(FindingTypes.InternalHost, start + at + 1, end, 0.85, "internal-domain");
        }

        var firstPart = local.IndexOfAny('.', '-', '_') is var cut and >= 0 ? local[..cut] : local;
        var role = RoleLookup.Contains(local) || (RoleLookup.Contains(firstPart) && !local.Contains('.'));
        if (WebmailLookup.Contains(domain))
        {
            ctx.Add(FindingTypes.Email, start, end, 0.9, "webmail");
        }
        else if (ownDomain)
        {
            // A colleague's work address is contact data but not private; a role address is meant to be shared.
            if (!role)
            {
                ctx.Add(FindingTypes.Email, start, end, 0.5, "work");
            }
        }
        else
        {
            ctx.Add(FindingTypes.Email, start, end, role ? 0.35 : 0.75, role ? "role" : "personal");
        }
    }

    private static bool ContainsOrdinal(IReadOnlyList<string> list, ReadOnlySpan<char> value)
    {
        foreach (var item in list)
        {
            if (value.SequenceEqual(item))
            {
                return true;
            }
        }

        return false;
    }

    // libphonenumber joins digit blocks separated by at most 4 punctuation chars; a wider gap of any kind splits them.
    private const int MaxBlockGap = 4;

    // No number valid for France, the US or in international form has fewer digits, country code included.
    private const int MinPhoneDigits = 7;

    // Context libphonenumber reads around a number: lead "(", "+", extensions ("ext. 1234"), time stamps (":30").
    private const int WindowMargin = 24;

    private static void DetectPhones(ScanContext ctx)
    {
        var text = ctx.Original;

        // libphonenumber scans the whole text with its own patterns; a bound keeps hostile megabyte inputs cheap.
        var limit = Math.Min(text.Length, 20_000);
        var scan = text.AsSpan(0, limit);
        if (!HasAsciiDigits(text, MinPhoneDigits))
        {
            return;
        }

        // Prefilter: only the clusters of digits that could hold a phone number (7+ digits, blocks at most 4 chars
        // apart) go to libphonenumber, each with some context around it; on a 280-char post that is one short window,
        // parsed once for France and, only when France leaves some of its digits unexplained, once for the US.
        var windows = new RegexWindows(stackalloc (int, int)[4], limit);
        try
        {
            var i = 0;
            while (i < limit)
            {
                var (clusterStart, clusterEnd, digits) = NextCluster(scan, i);
                if (clusterStart < 0)
                {
                    break;
                }

                i = clusterEnd;
                if (digits < MinPhoneDigits)
                {
                    continue;
                }

                // Overlapping windows merge into one.
                windows.Add(ExtendLeft(scan, Math.Max(0, clusterStart - WindowMargin)), ExtendRight(scan, Math.Min(limit, clusterEnd + WindowMargin)), 0, 0);
            }

            // Same order as one pass per region over the whole text: every French number first, then the US ones.
            var firstPhone = ctx.Candidates.Count;
            for (var w = 0; w < windows.Count; w++)
            {
                var (start, end) = windows[w];
                AddPhones(ctx, text, start, end, Region.France);
            }

            for (var w = 0; w < windows.Count; w++)
            {
                var (start, end) = windows[w];
                if (NeedsUs(ctx, scan[..end], firstPhone, start))
                {
                    AddPhones(ctx, text, start, end, Region.Us);
                }
            }
        }
        finally
        {
            windows.Dispose();
        }
    }

    /// <summary>At least <paramref name="count"/> ASCII digits in <paramref name="text"/>, found by jumping from one to the next.</summary>
    private static bool HasAsciiDigits(string text, int count)
    {
        var span = text.AsSpan();
        var seen = 0;
        var i = span.IndexOfAnyInRange('0', '9');
        while (i >= 0)
        {
            if (++seen >= count)
            {
                return true;
            }

            var next = span[(i + 1)..].IndexOfAnyInRange('0', '9');
            i = next < 0 ? -1 : i + 1 + next;
        }

        return false;
    }

    private enum Region
    {
        France,
        Us,
    }

    /// <summary>
    /// A US-only number (national format) has digits no French match covers; when France explained every digit of the
    /// window's clusters, any US match would overlap a French one and be dropped anyway.
    /// </summary>
    private static bool NeedsUs(ScanContext ctx, ReadOnlySpan<char> scan, int firstPhone, int from)
    {
        var i = from;
        while (i < scan.Length)
        {
            var (clusterStart, clusterEnd, digits) = NextCluster(scan, i);
            if (clusterStart < 0)
            {
                return false;
            }

            i = clusterEnd;
            if (digits >= MinPhoneDigits && !Covered(ctx, scan, firstPhone, clusterStart, clusterEnd))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Covered(ScanContext ctx, ReadOnlySpan<char> scan, int firstPhone, int start, int end)
    {
        for (var p = start; p < end; p++)
        {
            if (!IsDigitAt(scan, p))
            {
                continue;
            }

            var covered = false;
            for (var k = firstPhone; k < ctx.Candidates.Count && !covered; k++)
            {
                var c = ctx.Candidates[k];
                covered = c.Type == FindingTypes.Phone && c.Start <= p && p < c.End;
            }

            if (!covered)
            {
                return false;
            }
        }

        return true;
    }

    private static void AddPhones(ScanContext ctx, string text, int offset, int windowEnd, Region region)
    {
        foreach (var (matchStart, matchLength, type) in FindNumbers(text, offset, windowEnd, region))
        {
            var start = offset + matchStart;
            var end = offset + matchStart + matchLength;
            if (OverlapsPhone(ctx, start, end))
            {
                continue;
            }

            var (confidence, note) = type switch
            {
                PhoneNumberType.MOBILE => (0.85, "mobile"),
                PhoneNumberType.FIXED_LINE_OR_MOBILE or PhoneNumberType.PERSONAL_NUMBER => (0.7, "personal"),
                PhoneNumberType.VOIP => (0.6, "voip"),
                PhoneNumberType.FIXED_LINE => (0.45, "landline"),
                _ => (0.3, "service"),
            };
            if (ctx.HasNearby(Lexicon.Switchboard, start, end, 40))
            {
                confidence -= 0.3;
                note = "switchboard";
            }
            else if (ctx.HasNearby(Lexicon.PersonalContact, start, end, 40))
            {
                confidence += 0.2;
            }

            ctx.Add(FindingTypes.Phone, start, end, Math.Clamp(confidence, 0, 1), note);
        }
    }

    // What libphonenumber says about one window for one region depends on nothing else, and costs ≈ 10 µs per number:
    // the answer is kept for windows seen recently (a post is checked again on every keystroke and again when it is
    // published; the same signature comes back in many posts). Bounded: the cache is emptied when it fills up.
    private const int MaxCachedWindows = 4096;

    private const int MaxCachedWindowLength = 512;

    // One cache per region, looked up by the window's span: no string is cut for a window seen before.
    private static readonly ConcurrentDictionary<string, (int Start, int Length, PhoneNumberType Type)[]>[] PhoneCaches =
        [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

    private static readonly int[] PhoneCacheSizes = new int[2];

    private static (int Start, int Length, PhoneNumberType Type)[] FindNumbers(string text, int start, int end, Region region)
    {
        var cache = PhoneCaches[(int)region];
        var span = text.AsSpan(start, end - start);
        if (span.Length <= MaxCachedWindowLength && cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(span, out var cached))
        {
            return cached;
        }

        var window = start == 0 && end == text.Length ? text : text[start..end];
        var found = new List<(int, int, PhoneNumberType)>(1);
        foreach (var match in Phones.FindNumbers(window, region == Region.France ? "FR" : "US", PhoneNumberUtil.Leniency.VALID, 200))
        {
            found.Add((match.Start, match.Length, Phones.GetNumberType(match.Number)));
        }

        var result = found.ToArray();
        if (window.Length <= MaxCachedWindowLength)
        {
            // Counted by hand: ConcurrentDictionary.Count takes every lock of the dictionary, and checks run on many threads.
            if (cache.TryAdd(window, result) && Interlocked.Increment(ref PhoneCacheSizes[(int)region]) > MaxCachedWindows)
            {
                cache.Clear();
                Volatile.Write(ref PhoneCacheSizes[(int)region], 0);
            }
        }

        return result;
    }

    private static bool OverlapsPhone(ScanContext ctx, int start, int end)
    {
        foreach (var c in ctx.Candidates)
        {
            if (c.Type == FindingTypes.Phone && c.Start < end && start < c.End)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The next run of digit blocks at most <see cref="MaxBlockGap"/> chars apart, from <paramref name="from"/>.</summary>
    private static (int Start, int End, int Digits) NextCluster(ReadOnlySpan<char> s, int from)
    {
        // Skip to the next char that may be a digit (an ASCII digit or any non-ASCII char) with a vectorized search.
        var p = from;
        while (p < s.Length)
        {
            var found = DigitSearch.NextPossibleDigit(s, p);
            if (found < 0)
            {
                p = s.Length;
                break;
            }

            p = found;
            if (IsDigitAt(s, p))
            {
                break;
            }

            p++;
        }

        if (p >= s.Length)
        {
            return (-1, -1, 0);
        }

        var start = p;
        var end = p;
        var digits = 0;
        var gap = 0;
        while (p < s.Length && gap <= MaxBlockGap)
        {
            if (IsDigitAt(s, p))
            {
                digits++;
                gap = 0;
                end = p + (char.IsHighSurrogate(s[p]) ? 2 : 1);
                p = end;
            }
            else
            {
                gap++;
                p++;
            }
        }

        return (start, end, digits);
    }

    /// <summary>Never starts a window inside a run of digits (a cut number could read as another one).</summary>
    private static int ExtendLeft(ReadOnlySpan<char> s, int start)
    {
        while (start > 0 && (IsDigitAt(s, start - 1) || char.IsLowSurrogate(s[start])))
        {
            start--;
        }

        return start;
    }

    private static int ExtendRight(ReadOnlySpan<char> s, int end)
    {
        while (end < s.Length && (IsDigitAt(s, end) || char.IsLowSurrogate(s[end])))
        {
            end++;
        }

        return end;
    }

    /// <summary>A decimal digit of any script (libphonenumber reads \p{Nd}, including full-width and supplementary digits).</summary>
    private static bool IsDigitAt(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        if (char.IsAsciiDigit(c))
        {
            return true;
        }

        if (c < 128)
        {
            return false;
        }

        if (char.IsHighSurrogate(c))
        {
            return i + 1 < s.Length && System.Text.Rune.TryCreate(c, s[i + 1], out var rune)
                && System.Text.Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.DecimalDigitNumber;
        }

        return char.IsDigit(c);
    }
}
