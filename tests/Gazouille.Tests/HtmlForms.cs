using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Gazouille.Tests;

/// <summary>Reads server-rendered pages the way a browser would: parsed HTML, forms and their fields.</summary>
public static class HtmlForms
{
    private static readonly HtmlParser Parser = new();

    public static IHtmlDocument Parse(string html) => Parser.ParseDocument(html);

    // A form without an action posts to its own page; handlers are named in the query string.
    private static bool Matches(string formAction, string action) =>
        formAction == action || (action.Contains('?', StringComparison.Ordinal) ? false : formAction.Split('?')[0] == action);

    /// <summary>The hidden fields of the first form whose action ends with <paramref name="action"/> (or the first post form).</summary>
    public static List<KeyValuePair<string, string>> HiddenFields(string html, string? action = null, string? pageUrl = null)
    {
        var doc = Parse(html);
        var form = doc.Forms.FirstOrDefault(f => action is null
            ? string.Equals(f.Method, "post", StringComparison.OrdinalIgnoreCase)
            : Matches(f.GetAttribute("action") ?? pageUrl ?? "", action))
            ?? throw new InvalidOperationException($"No form for {action ?? "post"} in the page:\n{html[..Math.Min(html.Length, 2000)]}");
        return form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>().Where(i => i.Name is not null)
            .Select(i => KeyValuePair.Create(i.Name!, i.Value)).ToList();
    }
}
