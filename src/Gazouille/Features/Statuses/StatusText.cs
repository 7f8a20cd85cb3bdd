using System.Text;
using System.Text.RegularExpressions;
using Gazouille.Web;

namespace Gazouille.Features.Statuses;

/// <summary>What a post's text contains (mentions, hashtags, links) and its rendering as escaped HTML.</summary>
public static partial class StatusText
{
    [GeneratedRegex(@"(?<url>https?://[^\s<>""]+)|(?<![\w@/])@(?<mention>[A-Za-z0-9_][A-Za-z0-9_-]{0,63})(?:@(?<domain>[A-Za-z0-9.-]+))?|(?<![\w&/#])#(?<tag>\w{1,100})",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 500)]
    private static partial Regex Tokens();

    public static IReadOnlyList<string> Mentions(string text) =>
        Tokens().Matches(text).Where(m => m.Groups["mention"].Success).Select(m => m.Groups["mention"].Value.ToLowerInvariant()).Distinct().ToList();

    public static IReadOnlyList<string> Hashtags(string text) =>
        Tokens().Matches(text).Where(m => m.Groups["tag"].Success && m.Groups["tag"].Value.Any(char.IsLetter))
            .Select(m => m.Groups["tag"].Value.ToLowerInvariant()).Distinct().Take(20).ToList();

    /// <summary>
    /// Renders <paramref name="text"/> as Mastodon-style HTML: paragraphs, line breaks, links for URLs, for mentions that
    /// resolve (<paramref name="mentionUrl"/> returns null for those that do not) and for hashtags. All text is encoded.
    /// </summary>
    public static string Render(string text, Func<string, string?> mentionUrl, string baseUrl)
    {
        var html = new StringBuilder(text.Length + 32);
        foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            html.Append("<p>");
            var last = 0;
            foreach (Match m in Tokens().Matches(paragraph))
            {
                AppendText(html, paragraph.AsSpan(last, m.Index - last));
                if (m.Groups["url"].Success)
                {
                    var url = m.Groups["url"].Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', '\'');
                    var display = url.Length > 50 ? url[..47] + "…" : url;
                    html.Append("<a href=\"").Append(HtmlPage.Encode(url)).Append("\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">")
                        .Append(HtmlPage.Encode(display)).Append("</a>");
                    AppendText(html, m.Value.AsSpan(url.Length));
                }
                else if (m.Groups["mention"].Success && mentionUrl(m.Groups["mention"].Value.ToLowerInvariant()) is { } href)
                {
                    html.Append("<span class=\"h-card\"><a href=\"").Append(HtmlPage.Encode(href))
                        .Append("\" class=\"u-url mention\">@<span>").Append(HtmlPage.Encode(m.Groups["mention"].Value)).Append("</span></a></span>");
                    if (m.Groups["domain"].Success) AppendText(html, ("@" + m.Groups["domain"].Value).AsSpan());
                }
                else if (m.Groups["tag"].Success && m.Groups["tag"].Value.Any(char.IsLetter))
                {
                    var tag = m.Groups["tag"].Value;
                    html.Append("<a href=\"").Append(HtmlPage.Encode($"{baseUrl}/tags/{Uri.EscapeDataString(tag.ToLowerInvariant())}"))
                        .Append("\" class=\"mention hashtag\" rel=\"tag\">#<span>").Append(HtmlPage.Encode(tag)).Append("</span></a>");
                }
                else
                {
                    AppendText(html, m.Value);
                }
                last = m.Index + m.Length;
            }
            AppendText(html, paragraph.AsSpan(last));
            html.Append("</p>");
        }
        return html.ToString();
    }

    private static void AppendText(StringBuilder html, ReadOnlySpan<char> text)
    {
        var lines = 0;
        foreach (var line in text.ToString().Split('\n'))
        {
            if (lines++ > 0) html.Append("<br />");
            html.Append(HtmlPage.Encode(line));
        }
    }

    /// <summary>Nothing a reader can see: empty, spaces, or format characters (zero-width spaces and joiners) only.</summary>
    public static bool IsInvisible(string s) =>
        s.All(c => char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);

    /// <summary>No lone surrogate: every high surrogate is followed by a low one and no low one stands alone.</summary>
    public static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>Checks what a person typed; returns an explanation when it cannot be published, null when it can.</summary>
    public static string? Validate(string text, int maxLength)
    {
        if (IsInvisible(text)) return "Text can't be blank";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return "Text contains invalid Unicode (a lone surrogate)";
            if (char.IsControl(c) && c != '\n' && c != '\t') return "Text contains control characters";
        }
        var length = CountCharacters(text);
        return length > maxLength ? $"Text is too long ({length} characters; the maximum is {maxLength})" : null;
    }

    /// <summary>Characters as a person counts them (Unicode scalar values), with links counting 23 as on Mastodon.</summary>
    public static int CountCharacters(string text)
    {
        var count = 0;
        var last = 0;
        foreach (Match m in Tokens().Matches(text))
        {
            if (!m.Groups["url"].Success) continue;
            count += text.AsSpan(last, m.Index - last).ToString().EnumerateRunes().Count() + 23;
            last = m.Index + m.Length;
        }
        return count + text[last..].EnumerateRunes().Count();
    }

    public static string NormalizeNewlines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
}
