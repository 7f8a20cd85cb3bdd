using System.Text.RegularExpressions;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// Runs of digits (single spaces, dots or dashes allowed between them, as people type them) classified by length and
/// check digits: card (Luhn + brand), NIR (key), SIRET and SIREN (Luhn); and IBANs (country length + mod 97).
/// </summary>
internal static partial class IdentifierDetector
{
    [GeneratedRegex(@"(?<![\w.\-])\d(?:[ .\-]?\d){8,18}(?![\w])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex DigitRun();

    // Corsican NIRs have 2A/2B in place of the department digits.
    [GeneratedRegex(@"(?<![\w])[12][ .]?\d{2}[ .]?\d{2}[ .]?2[AB][ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?(?![\w])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 250)]
    private static partial Regex CorsicanNir();

    [GeneratedRegex(@"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 250)]
    private static partial Regex IbanCandidate();

    public static void Detect(ScanContext ctx)
    {
        var text = ctx.Original;
        if (!HasDigitRun(text))
        {
            return;
        }

        Span<char> digits = stackalloc char[20];
        foreach (var m in DigitRun().EnumerateMatches(text))
        {
            var n = 0;
            foreach (var c in text.AsSpan(m.Index, m.Length))
            {
                if (char.IsAsciiDigit(c) && n < digits.Length)
                {
                    digits[n++] = c;
                }
            }

            Classify(ctx, digits[..n], m.Index, m.Index + m.Length);
            if (!DigitSearch.MayHaveDigit(text, m.Index + m.Length))
            {
                break;
            }
        }

        // Corsican NIRs contain "2A"/"2B"; IBANs start with two letters and two digits: skip patterns that cannot match.
        var hasCorsica = text.Contains("2a", StringComparison.OrdinalIgnoreCase) || text.Contains("2b", StringComparison.OrdinalIgnoreCase);
        if (hasCorsica)
        {
            foreach (var m in CorsicanNir().EnumerateMatches(text))
            {
                var compact = Compact(text.AsSpan(m.Index, m.Length));
                var valid = compact.Length == 15 && Checksums.NirKey(compact.AsSpan(0, 13), int.Parse(compact.AsSpan(13), provider: null));
                ctx.Add(FindingTypes.Nir, m.Index, m.Index + m.Length, valid ? 0.95 : 0.6, valid ? "nir-valid" : "nir-structure");
            }
        }

        if (HasLettersThenDigits(text))
        {
            foreach (var m in IbanCandidate().EnumerateMatches(text))
            {
                TryIban(ctx, text, m.Index, m.Length);
            }
        }
    }

    private static void Classify(ScanContext ctx, ReadOnlySpan<char> d, int start, int end)
    {
        var nirContext = ctx.HasNearby(Lexicon.NirContext, start, end, 40);
        if (d.Length == 15 && d[0] is '1' or '2' or '7' or '8')
        {
            var key = ((d[13] - '0') * 10) + (d[14] - '0');
            if (Checksums.NirKey(d[..13], key))
            {
                ctx.Add(FindingTypes.Nir, start, end, 0.95, "nir-valid");
                return;
            }
        }

        if (Checksums.Luhn(d) && Checksums.CardBrand(d) is { } brand)
        {
            ctx.Add(FindingTypes.Card, start, end, 0.9, brand);
            return;
        }

        if ((d.Length is 13 or 15) && d[0] is '1' or '2' && LooksLikeNirMonth(d))
        {
            // A NIR-shaped number with a wrong or missing key: often a typo or a synthetic value; context decides.
            ctx.Add(FindingTypes.Nir, start, end, nirContext ? 0.85 : 0.55, "nir-structure");
            return;
        }

        var sirenContext = ctx.HasNearby(Lexicon.SirenContext, start, end, 40);
        if (d.Length == 14 && (Checksums.Luhn(d) || (d.StartsWith("356000000") && DigitSum(d) % 5 == 0)))
        {
            ctx.Add(FindingTypes.Siret, start, end, sirenContext ? 0.9 : 0.45, "luhn");
        }
        else if (d.Length == 9 && Checksums.Luhn(d))
        {
            ctx.Add(FindingTypes.Siren, start, end, sirenContext ? 0.9 : 0.4, "luhn");
        }
    }

    private static bool LooksLikeNirMonth(ReadOnlySpan<char> d)
    {
        var month = ((d[3] - '0') * 10) + (d[4] - '0');
        return month is >= 1 and <= 12 or >= 20 and <= 42 or >= 50 and <= 99;
    }

    private static void TryIban(ScanContext ctx, string text, int index, int length)
    {
        Span<char> compact = stackalloc char[34];
        if (!Checksums.IbanLength(text.AsSpan(index, 2).ToString().ToUpperInvariant(), out var expected))
        {
            return;
        }

        // The pattern is greedy (it may run into the next word): keep exactly the country's length of characters.
        var n = 0;
        var end = index;
        for (var i = index; i < index + length && n < expected; i++)
        {
            if (text[i] != ' ')
            {
                compact[n++] = text[i];
                end = i + 1;
            }
        }

        if (n == expected && Checksums.Iban(compact[..n]) && (end == text.Length || !char.IsLetterOrDigit(text[end])))
        {
            ctx.Add(FindingTypes.Iban, index, end, 0.97, "mod97");
        }
    }

    /// <summary>Two letters (any script: case-insensitive look-alikes count) then two digits, as an IBAN starts.</summary>
    private static bool HasLettersThenDigits(string text)
    {
        // Only a digit can be the third char of such a quadruple: a plain loop passes over the other ASCII chars with
        // one compare each. (A vectorized jump to the next ASCII digit or non-ASCII char stopped at every accented
        // letter of a French post, a search call each.)
        var span = text.AsSpan();
        for (var d = 2; d + 1 < span.Length; d++)
        {
            var c = span[d];
            if (c < 128 && (uint)(c - '0') > 9)
            {
                continue;
            }

            if (char.IsDigit(c) && char.IsDigit(span[d + 1]) && char.IsLetter(span[d - 2]) && char.IsLetter(span[d - 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasDigitRun(string text)
    {
        // A run starts at an ASCII digit: jump from one to the next, and walk only from there.
        var span = text.AsSpan();
        var i = span.IndexOfAnyInRange('0', '9');
        while (i >= 0)
        {
            var run = 0;
            for (; i < span.Length; i++)
            {
                var c = span[i];
                if (char.IsAsciiDigit(c))
                {
                    if (++run >= 6)
                    {
                        return true;
                    }
                }
                else if (c is not (' ' or '.' or '-'))
                {
                    break;
                }
            }

            if (i >= span.Length)
            {
                return false;
            }

            var next = span[i..].IndexOfAnyInRange('0', '9');
            i = next < 0 ? -1 : i + next;
        }

        return false;
    }

    private static int DigitSum(ReadOnlySpan<char> d)
    {
        var sum = 0;
        foreach (var c in d)
        {
            sum += c - '0';
        }

        return sum;
    }

    private static string Compact(ReadOnlySpan<char> s)
    {
        Span<char> buffer = stackalloc char[s.Length];
        var n = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                buffer[n++] = c;
            }
        }

        return new string(buffer[..n]);
    }
}
