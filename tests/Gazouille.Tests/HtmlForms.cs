using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Gazouille.Tests;

/// <summary>Reads server-rendered pages the way a browser would: parsed HTML, forms and their fields.</summary>
public static class HtmlForms
{
    private static readonly HtmlParser Parser = new();

    public static IHtmlDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>The hidden fields of the first form whose action ends with <paramref name="action"/> (or the first post form).</summary>
    public static List<KeyValuePair<string, string>> HiddenFields(string html, string? action = null)
    {
        var doc = Parse(html);
        var form = doc.Forms.FirstOrDefault(f => action is null
            ? string.Equals(f.Method, "post", StringComparison.OrdinalIgnoreCase)
            : (f.GetAttribute("action") ?? "").StartsWith(action, StringComparison.Ordinal) || (f.GetAttribute("action") ?? "").EndsWith(action, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form for {action ?? "post"} in the page:\n{html[..Math.Min(html.Length, 2000)]}");
        return form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>().Where(i => i.Name is not null)
            .Select(i => KeyValuePair.Create(i.Name!, i.Value)).ToList();
    }
}
