using System.Text;
using Html = Gazouille.Web.HtmlPage;

namespace Gazouille.Features.Web;

/// <summary>A span of text to mark, in UTF-16 offsets of the original text, end exclusive.</summary>
public sealed record MarkedSpan(int Start, int End, string Kind, string Title);

/// <summary>Writes a text as HTML with some spans wrapped in &lt;mark&gt;; everything is encoded, overlaps are merged.</summary>
public static class Highlight
{
    public static string Render(string text, IEnumerable<MarkedSpan> spans)
    {
        var ordered = spans.Where(s => s.Start >= 0 && s.End <= text.Length && s.End > s.Start).OrderBy(s => s.Start).ThenByDescending(s => s.End).ToList();
        var html = new StringBuilder(text.Length + ordered.Count * 48);
        var at = 0;
        foreach (var span in ordered)
        {
            if (span.Start < at) continue; // inside a span already marked
            html.Append(Html.Encode(text[at..span.Start]));
            html.Append("<mark class=\"finding finding-").Append(Html.Encode(span.Kind)).Append("\" title=\"").Append(Html.Encode(span.Title)).Append("\">")
                .Append(Html.Encode(text[span.Start..span.End])).Append("</mark>");
            at = span.End;
        }
        html.Append(Html.Encode(text[at..]));
        return html.ToString();
    }
}
