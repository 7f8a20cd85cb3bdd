using System.Text.Encodings.Web;
using Gazouille.Data;
using Gazouille.Features.Timelines;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;

namespace Gazouille.Features.Web;

/// <summary>
/// A part of a page as it was rendered for one reader, kept to be served again while nothing it shows has changed
/// (<see cref="ViewerHtmlCache"/>). What belongs to the request rather than to the reader is cut out and filled in each
/// time it is served: the antiforgery token of the forms (a token made for another request, or for a browser session
/// that signed in again, would be refused) and the relative times ("5 minutes ago", which age while the HTML does not).
/// </summary>
public sealed class ViewerHtml
{
    private const string TimeStart = "<time datetime=\"";
    private const string TimeEnd = "</time>";

    private readonly string[] _literals;
    /// <summary>Between two literals: null for the antiforgery token, else the ISO time whose relative text goes there.</summary>
    private readonly string?[] _holes;

    private ViewerHtml(string[] literals, string?[] holes)
    {
        _literals = literals;
        _holes = holes;
    }

    /// <summary>How many characters the HTML holds (for tests and sizing).</summary>
    public int Length => _literals.Sum(l => l.Length);

    /// <summary>Cuts <paramref name="html"/> (already encoded) around the request's <paramref name="token"/> and the relative times.</summary>
    public static ViewerHtml Cut(string html, string? token)
    {
        var literals = new List<string>();
        var holes = new List<string?>();
        var tokenAttribute = token is null ? null : $"value=\"{token}\"";
        var start = 0;
        while (true)
        {
            var atToken = tokenAttribute is null ? -1 : html.IndexOf(tokenAttribute, start, StringComparison.Ordinal);
            var atTime = html.IndexOf(TimeStart, start, StringComparison.Ordinal);
            if (atToken < 0 && atTime < 0) break;
            if (atToken >= 0 && (atTime < 0 || atToken < atTime))
            {
                var valueAt = atToken + "value=\"".Length;
                literals.Add(html[start..valueAt]);
                holes.Add(null);
                start = valueAt + token!.Length;
                continue;
            }
            var isoAt = atTime + TimeStart.Length;
            var isoEnd = html.IndexOf('"', isoAt);
            var textAt = isoEnd < 0 ? -1 : html.IndexOf('>', isoEnd) + 1;
            var textEnd = textAt <= 0 ? -1 : html.IndexOf(TimeEnd, textAt, StringComparison.Ordinal);
            if (textEnd < 0) break; // not the shape _Status writes: kept as it is
            literals.Add(html[start..textAt]);
            holes.Add(html[isoAt..isoEnd]);
            start = textEnd;
        }
        literals.Add(html[start..]);
        return new ViewerHtml([.. literals], [.. holes]);
    }

    /// <summary>The HTML for this request: its antiforgery token, the relative times as of now, in the current culture.</summary>
    public IHtmlContent Fill(string? token, TimeProvider clock, HtmlEncoder encoder) => new Filled(this, token ?? "", clock, encoder);

    /// <summary>
    /// A container rather than plain content so that MVC moves its strings into the page's buffer: a view then writes
    /// them to the response asynchronously, as they are. Plain <see cref="IHtmlContent"/> is written synchronously into
    /// pooled 1,024-char pages first, which for some 75 KB of HTML rented more pages than the shared pool keeps (about
    /// 150 KB allocated per page view, measured).
    /// </summary>
    private sealed class Filled(ViewerHtml html, string token, TimeProvider clock, HtmlEncoder encoder) : IHtmlContentContainer
    {
        public void WriteTo(TextWriter writer, HtmlEncoder _)
        {
            for (var i = 0; i < html._holes.Length; i++)
            {
                writer.Write(html._literals[i]);
                writer.Write(Hole(i));
            }
            writer.Write(html._literals[^1]);
        }

        public void CopyTo(IHtmlContentBuilder builder)
        {
            for (var i = 0; i < html._holes.Length; i++)
            {
                builder.AppendHtml(html._literals[i]);
                builder.AppendHtml(Hole(i));
            }
            builder.AppendHtml(html._literals[^1]);
        }

        public void MoveTo(IHtmlContentBuilder builder) => CopyTo(builder);

        /// <summary>The relative time, encoded, or the token (base64url: nothing to encode).</summary>
        private string Hole(int i) => html._holes[i] is { } iso ? encoder.Encode(Display.Relative(iso, clock)) : token;
    }
}

/// <summary>
/// The rendered HTML of readers' pages (<see cref="ViewerHtml"/>), on the same rules as <see cref="ViewerPageCache"/>
/// (same reader with the same access, nothing it depends on changed, 30 s at most) but with room for fewer entries: a
/// rendered home is some 75 KB of text.
/// </summary>
public sealed class ViewerHtmlCache(ViewerPageCache entries, IAntiforgery antiforgery, TimeProvider clock, HtmlEncoder encoder)
{
    public const int MaxEntries = 1_000;

    public long Hits => entries.Hits;

    public bool Enabled => entries.Enabled;

    /// <summary>The clock reading to take before reading anything the HTML will show.</summary>
    public long Start() => entries.Start();

    public IHtmlContent? TryServe(HttpContext http, Viewer viewer, string urlBase, string key) =>
        entries.TryGet(viewer, urlBase, key, out ViewerHtml html) ? html.Fill(antiforgery.GetAndStoreTokens(http).RequestToken, clock, encoder) : null;

    /// <summary>Keeps what was just rendered for this request (<paramref name="html"/>, encoded) for the reader's next visit.</summary>
    public void Store(HttpContext http, Viewer viewer, string urlBase, string key, long since, ChangeKey[] deps, string html)
    {
        if (!entries.Enabled) return;
        entries.Store(viewer, urlBase, key, since, deps, ViewerHtml.Cut(html, antiforgery.GetAndStoreTokens(http).RequestToken));
    }
}

/// <summary>What a page handler decided about its cacheable part: serve <see cref="Cached"/>, or render and store under <see cref="Key"/>.</summary>
public sealed record ViewerHtmlSlot(IHtmlContent? Cached, string? Key = null, string UrlBase = "", long Since = 0, ChangeKey[]? Deps = null);
