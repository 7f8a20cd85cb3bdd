using Ganss.Xss;
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

    public static string Sanitize(string? html) => string.IsNullOrEmpty(html) ? "" : Sanitizer.Sanitize(html);

    public static IHtmlContent Render(string? html) => new HtmlString(Sanitize(html));
}
