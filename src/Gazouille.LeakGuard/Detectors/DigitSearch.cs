using System.Buffers;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// The jump the digit scans share: to the next char that may be a digit — an ASCII digit or any non-ASCII char (other
/// scripts' digits; the caller's own test decides) — with a vectorized search over everything else.
/// </summary>
internal static class DigitSearch
{
    // Every ASCII char but the digits: a search for anything else stops only at ASCII digits and non-ASCII chars.
    private static readonly SearchValues<char> AsciiNonDigits =
        SearchValues.Create([.. Enumerable.Range(0, 128).Select(c => (char)c).Where(c => !char.IsAsciiDigit(c))]);

    /// <summary>The index, at or after <paramref name="from"/>, of the next char that may be a digit; -1 when none.</summary>
    public static int NextPossibleDigit(ReadOnlySpan<char> s, int from)
    {
        if (from >= s.Length)
        {
            return -1;
        }

        var found = s[from..].IndexOfAnyExcept(AsciiNonDigits);
        return found < 0 ? -1 : from + found;
    }

    /// <summary>
    /// False when no char at or after <paramref name="from"/> may be a digit: a pattern whose every match holds a digit
    /// has no match left there, and a regex call to find that out costs more than this search.
    /// </summary>
    public static bool MayHaveDigit(ReadOnlySpan<char> s, int from) => NextPossibleDigit(s, from) >= 0;
}
