using Ganss.Xss;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Html;

namespace Gazouille.Features.Web;

/// <summary>
/// The last gate before HTML made from what people wrote reaches a page: posts, edits and bios are rendered from plain
/// text with every character encoded (StatusText, Highlight), and this passes the result through HtmlSanitizer with
/// only the few tags and attributes that rendering makes, so a rendering bug cannot become a script on the page.
/// </summary>
public static class UserHtml
{
    private static readonly HtmlSanitizer Sanitizer = new(new HtmlSanitizerOptions
    {
        AllowedTags = new HashSet<string>(["p", "br", "a", "span", "mark"], StringComparer.OrdinalIgnoreCase),
        AllowedAttributes = new HashSet<string>(["href", "rel", "class", "target", "title", "lang"], StringComparer.OrdinalIgnoreCase),
        AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
        UriAttributes = new HashSet<string>(["href"], StringComparer.OrdinalIgnoreCase),
        AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
    });

    /// <summary>
    /// Sanitizing is a pure function of its input and costs an HTML parse (about a millisecond for a post): the web home
    /// page spent most of its time here. Recent answers are kept, keyed by the whole input, so the same post read again
    /// is not parsed again; the store is emptied when it holds <see cref="MaxRemembered"/> texts.
    /// </summary>
    private static readonly BoundedMap<string, string> Remembered = new(MaxRemembered, StringComparer.Ordinal);
    private const int MaxRemembered = 20_000;
    private const int MaxRememberedLength = 8_192;

    public static string Sanitize(string? html)
    {
        if (string.IsNullOrEmpty(html)) return "";
        if (html.Length > MaxRememberedLength) return Sanitizer.Sanitize(html);
        if (Remembered.TryGetValue(html, out var clean)) return clean;
        clean = Sanitizer.Sanitize(html);
        Remembered.Set(html, clean);
        return clean;
    }

    public static IHtmlContent Render(string? html) => new HtmlString(Sanitize(html));
}
