using System.Globalization;
using System.Text;

namespace Gazouille.LeakGuard.Normalization;

/// <summary>
/// Per-character folding computed once for the whole BMP: compatibility decomposition (the K of NFKC), diacritics
/// dropped, lower case, TR39 confusables (Cyrillic and Greek look-alikes) mapped to Latin, format and zero-width
/// characters removed. A table lookup keeps the hot path free of <see cref="string.Normalize()"/> calls.
/// </summary>
internal static class CharFolding
{
    internal const char Removed = '\0';
    private const char Multi = '\uFFFF';

    private static readonly char[] Single = new char[65536];
    private static readonly Dictionary<char, string> Expansions = [];

    // TR39 confusables.txt, restricted to Cyrillic and Greek letters that pass for Latin ones. Upper and lower case are
    // listed separately because the look-alike differs ("Н" looks like H, "η" like n).
    private const string ConfusablePairs =
        "Аa аa Вb вb Еe еe Ёe ёe Кk кk Мm мm Нh нh Оo оo Рp рp Сc сc Тt тt Уy уy Хx хx Ѕs ѕs Іi іi Їi їi Јj јj ԁd ԛq Ԝw ԝw Ӏl ӏl Ьb ьb Пn пn Гr гr Αa αa Βb βb Εe εe Ζz ζz Ηh ηn Ιi ιi Κk κk Μm Νn νv Οo οo Ρp ρp Τt τt Υy υu Χx χx Ϲc ϲc";

    static CharFolding()
    {
        var confusables = new Dictionary<char, char>();
        foreach (var pair in ConfusablePairs.Split(' '))
        {
            confusables[pair[0]] = pair[1];
        }

        var sb = new StringBuilder(8);
        for (var c = 0; c < 65536; c++)
        {
            var ch = (char)c;
            if (char.IsSurrogate(ch))
            {
                Single[c] = ch; // pairs are handled by the normalizer; a lone surrogate is kept as is
                continue;
            }

            var folded = Fold(ch, confusables, sb);
            if (folded.Length == 0)
            {
                Single[c] = Removed;
            }
            else if (folded.Length == 1)
            {
                Single[c] = folded[0];
            }
            else
            {
                Single[c] = Multi;
                Expansions[ch] = folded;
            }
        }
    }

    /// <summary>Appends the folded form of <paramref name="c"/>; returns how many chars were appended to the span.</summary>
    internal static ReadOnlySpan<char> Lookup(char c, out char single)
    {
        single = Single[c];
        if (single != Multi)
        {
            return default;
        }

        // U+FFFF itself (a noncharacter) shares the marker value and has no expansion: it is dropped.
        return Expansions.TryGetValue(c, out var expansion) ? expansion.AsSpan() : default;
    }

    internal static bool IsMulti(char folded) => folded == Multi;

    /// <summary>The folded form of an ASCII char (never more than one char): <see cref="Removed"/> or one char.</summary>
    internal static char Ascii(char c) => Single[c];

    /// <summary>Slow path for supplementary characters (mathematical letters, emoji): fold the pair as a string.</summary>
    internal static string FoldString(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s.Normalize(NormalizationForm.FormKD))
        {
            if (char.IsSurrogate(ch))
            {
                sb.Append(ch);
                continue;
            }

            var single = Single[ch];
            if (single == Multi)
            {
                sb.Append(Expansions.GetValueOrDefault(ch, string.Empty));
            }
            else if (single != Removed)
            {
                sb.Append(single);
            }
        }

        return sb.ToString();
    }

    private static string Fold(char ch, Dictionary<char, char> confusables, StringBuilder sb)
    {
        if (ch == '\n')
        {
            return "\n";
        }

        if (char.IsWhiteSpace(ch))
        {
            return " ";
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(ch);
        if (category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Control)
        {
            return string.Empty;
        }

        if (confusables.TryGetValue(ch, out var conf))
        {
            return conf.ToString();
        }

        switch (ch)
        {
            case 'ß': return "ss";
            case 'æ' or 'Æ': return "ae";
            case 'œ' or 'Œ': return "oe";
            case 'ø' or 'Ø': return "o";
            case 'đ' or 'Đ': return "d";
            case 'ł' or 'Ł': return "l";
            case 'ı': return "i";
            case '\u2018' or '\u2019' or '\u02BC' or '\u2032' or '`' or '\u00B4': return "'";
            case '\u201C' or '\u201D' or '\u00AB' or '\u00BB': return "\"";
            case '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212': return "-";
        }

        string decomposed;
        try
        {
            decomposed = ch.ToString().Normalize(NormalizationForm.FormKD);
        }
        catch (ArgumentException)
        {
            return ch.ToString(); // unassigned code points cannot be normalized
        }

        sb.Clear();
        foreach (var d in decomposed)
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(d);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format)
            {
                continue;
            }

            if (char.IsWhiteSpace(d))
            {
                sb.Append(' ');
                continue;
            }

            sb.Append(confusables.TryGetValue(d, out var c2) ? c2 : char.ToLowerInvariant(d));
        }

        return sb.ToString();
    }
}
