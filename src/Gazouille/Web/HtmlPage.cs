using System.Text.Encodings.Web;

namespace Gazouille.Web;

/// <summary>The plain server-rendered frame of the sign-in and consent pages. Every caller encodes user text first.</summary>
public static class HtmlPage
{
    // Letters of every script stay as they are; only what HTML needs (<, >, &, quotes) is escaped.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static string Encode(string? text) => Encoder.Encode(text ?? "");

    /// <summary>The frame's only inline style: the Content-Security-Policy allows exactly this text by its hash.</summary>
    public const string Style = """
        :root { color-scheme: light dark; --accent: #1d5fbf; }
        body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
        label { display: block; margin-top: 1rem; font-weight: 600; }
        input[type=text], input[type=password], input[type=email] { width: 100%; padding: .6rem; font-size: 1rem; box-sizing: border-box; }
        button { margin-top: 1.2rem; padding: .7rem 1.2rem; font-size: 1rem; border-radius: .4rem; border: 1px solid var(--accent); cursor: pointer; }
        button.primary { background: var(--accent); color: #fff; }
        :focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
        .error { color: #b00020; font-weight: 600; }
        code { font-size: 1.2rem; word-break: break-all; }
        """;

    public static string Render(string title, string bodyHtml, string lang) => $$"""
        <!doctype html>
        <html lang="{{Encode(lang)}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Encode(title)}}</title>
        <style>{{Style}}</style>
        </head>
        <body><main>{{bodyHtml}}</main></body>
        </html>
        """;
}
