using System.Globalization;
using System.Text;
using Gazouille.Api;

namespace Gazouille.Features.Search;

/// <summary>A word to find; <see cref="Prefix"/> when the person typed <c>word*</c>.</summary>
public sealed record SearchTerm(string Text, bool Prefix);

/// <summary>
/// Turns what a person typed into plain words. The text is hostile: only letters, digits and combining marks survive
/// into a term, so no query syntax of FTS5 or tsquery can get through, and lone surrogates, zero-width, direction and
/// control characters are dropped before anything else (PostgreSQL refuses text that is not valid Unicode).
/// </summary>
public static class SearchText
{
    public const int MaxQueryLength = 500;
    public const int MaxTerms = 12;
    public const int MaxTermLength = 64;

    /// <summary>The query without characters nobody can type on purpose; 400 when it is too long to be a search.</summary>
    public static string Clean(string? raw)
    {
        if (string.IsNullOrEmpty(raw)) return "";
        if (raw.Length > MaxQueryLength)
            throw ApiException.BadRequest($"The search query is too long (at most {MaxQueryLength} characters).");
        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsHighSurrogate(c) && i + 1 < raw.Length && char.IsLowSurrogate(raw[i + 1]))
            {
                sb.Append(c).Append(raw[++i]);
                continue;
            }
            if (char.IsSurrogate(c)) continue;
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Format or UnicodeCategory.Control) { if (char.IsWhiteSpace(c)) sb.Append(' '); continue; }
            sb.Append(c);
        }
        return sb.ToString().Normalize(NormalizationForm.FormC).Trim();
    }

    /// <summary>The words of a cleaned query, lower-cased, at most <see cref="MaxTerms"/>; a trailing * makes a prefix.</summary>
    public static IReadOnlyList<SearchTerm> Terms(string cleaned)
    {
        var terms = new List<SearchTerm>();
        foreach (var (start, end) in Words(cleaned))
        {
            var word = cleaned[start..end].ToLowerInvariant();
            if (word.Length > MaxTermLength) word = word[..MaxTermLength];
            if (char.IsHighSurrogate(word[^1])) word = word[..^1];
            var prefix = end < cleaned.Length && cleaned[end] == '*' && word.Length >= 2;
            if (terms.Any(t => t.Text == word && t.Prefix == prefix)) continue;
            terms.Add(new SearchTerm(word, prefix));
            if (terms.Count == MaxTerms) break;
        }
        // "l'équipe" gives "l" and "équipe": one-letter words only narrow the search by accident.
        return terms.Count > 1 && terms.Any(t => t.Text.Length > 1) ? terms.Where(t => t.Text.Length > 1 || char.IsDigit(t.Text[0])).ToList() : terms;
    }

    /// <summary>Runs of letters, digits and combining marks, as (start, end) UTF-16 offsets.</summary>
    public static IEnumerable<(int Start, int End)> Words(string text)
    {
        var start = -1;
        var i = 0;
        while (i < text.Length)
        {
            var ok = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) == System.Buffers.OperationStatus.Done && IsWordRune(rune);
            if (ok && start < 0) start = i;
            else if (!ok && start >= 0) { yield return (start, i); start = -1; }
            i += Math.Max(used, 1);
        }
        if (start >= 0) yield return (start, text.Length);
    }

    private static bool IsWordRune(Rune r) => Rune.GetUnicodeCategory(r) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark;

    /// <summary>An FTS5 MATCH expression: every term quoted (a string, never syntax), all required.</summary>
    public static string Fts5(IReadOnlyList<SearchTerm> terms) =>
        string.Join(' ', terms.Select(t => "\"" + t.Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" + (t.Prefix ? "*" : "")));

    /// <summary>A to_tsquery expression: every term a quoted lexeme, all required; prefixes as <c>:*</c>.</summary>
    public static string TsQuery(IReadOnlyList<SearchTerm> terms) =>
        string.Join(" & ", terms.Select(t => "'" + t.Text.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal) + "'" + (t.Prefix ? ":*" : "")));

    /// <summary>Lower case without accents, to compare a word of a post with a term as the index does.</summary>
    public static string Fold(string s)
    {
        var decomposed = s.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }
}
