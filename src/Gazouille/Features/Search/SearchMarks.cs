using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Gazouille.Features.Web;

namespace Gazouille.Features.Search;

/// <summary>
/// Marks the words of a post that match a search, close to how the index matched them: case and accents folded, a term
/// marks every word it starts (meeting → meetings), a plain term also a word up to three letters shorter that starts it
/// (meetings → meeting). The stemmer decides what is found; this only guides the eye.
/// </summary>
public static partial class SearchMarks
{
    [GeneratedRegex("(<[^>]*>)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Tags();

    /// <summary>The spans of <paramref name="text"/> to mark.</summary>
    public static List<MarkedSpan> Find(string text, IReadOnlyList<SearchTerm> terms, string title)
    {
        var spans = new List<MarkedSpan>();
        if (terms.Count == 0) return spans;
        var folded = terms.Select(t => (Text: SearchText.Fold(t.Text), t.Prefix)).ToList();
        foreach (var (start, end) in SearchText.Words(text))
        {
            var word = SearchText.Fold(text[start..end]);
            if (folded.Any(t => Matches(word, t.Text, t.Prefix))) spans.Add(new MarkedSpan(start, end, "search", title));
        }
        return spans;
    }

    private static bool Matches(string word, string term, bool prefix) =>
        word.StartsWith(term, StringComparison.Ordinal)
        || (!prefix && word.Length >= 3 && term.Length - word.Length <= 3 && term.StartsWith(word, StringComparison.Ordinal));

    /// <summary>
    /// The rendered HTML of a post with its matching words marked: only text between tags is touched, decoded, marked
    /// and encoded again by <see cref="Highlight"/>; tags (links, mentions) pass through as they are.
    /// </summary>
    public static string MarkHtml(string html, IReadOnlyList<SearchTerm> terms, string title)
    {
        if (terms.Count == 0) return html;
        var sb = new StringBuilder(html.Length + 64);
        foreach (var part in Tags().Split(html))
        {
            if (part.Length == 0) continue;
            if (part[0] == '<') { sb.Append(part); continue; }
            var text = WebUtility.HtmlDecode(part);
            var spans = Find(text, terms, title);
            sb.Append(spans.Count == 0 ? part : Highlight.Render(text, spans));
        }
        return sb.ToString();
    }
}
