using Gazouille.Data;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Web;

/// <summary>What every page handler needs: the viewer, whether htmx asked, and a safe way back.</summary>
public abstract class WebPageModel : PageModel
{
    public Viewer Viewer => HttpContext.Viewer();

    /// <summary>True when htmx made the request: answer a fragment, not a page.</summary>
    public bool IsHtmx => Request.Headers.ContainsKey("HX-Request");

    /// <summary>Back to the page the reader came from when it is ours, else <paramref name="fallback"/>.</summary>
    protected IActionResult BackOr(string fallback)
    {
        var referer = Request.Headers.Referer.ToString();
        if (Uri.TryCreate(referer, UriKind.Absolute, out var uri) && uri.Authority == Request.Host.Value && IsLocal(uri.PathAndQuery))
            return LocalRedirect(uri.PathAndQuery);
        return LocalRedirect(fallback);
    }

    /// <summary>Why a service refused, in the reader's language (<see cref="ErrorText"/>).</summary>
    protected string Explain(Api.ApiException e) =>
        HttpContext.RequestServices.GetRequiredService<IStringLocalizer<WebText>>().Explain(e);

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
