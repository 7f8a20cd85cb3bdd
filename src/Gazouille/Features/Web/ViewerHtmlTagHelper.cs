using Gazouille.Hosting;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Gazouille.Features.Web;

/// <summary>
/// <c>&lt;viewer-html slot="…"&gt;…&lt;/viewer-html&gt;</c>: writes the slot's cached HTML instead of running what it
/// wraps, or runs it and keeps what it wrote (<see cref="ViewerHtmlCache"/>). Writes no element of its own.
/// </summary>
[HtmlTargetElement("viewer-html")]
public sealed class ViewerHtmlTagHelper(ViewerHtmlCache cache) : TagHelper
{
    public ViewerHtmlSlot? Slot { get; set; }

    [ViewContext, HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        output.TagName = null;
        if (Slot?.Cached is { } cached)
        {
            output.Content.SetHtmlContent(cached);
            return;
        }
        var content = await output.GetChildContentAsync();
        if (Slot is { Key: { } key, Deps: { } deps } slot)
        {
            var http = ViewContext.HttpContext;
            var html = content.GetContent();
            cache.Store(http, http.Viewer(), slot.UrlBase, key, slot.Since, deps, html);
            output.Content.SetHtmlContent(html); // one string, written to the response as it is
            return;
        }
        output.Content.SetHtmlContent(content);
    }
}
