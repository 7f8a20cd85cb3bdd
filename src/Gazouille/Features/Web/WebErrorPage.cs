using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;
using Html = Gazouille.Web.HtmlPage;

namespace Gazouille.Features.Web;

/// <summary>A polite page for a browser that reached nothing (404) or something it may not do, in the reader's language.</summary>
public static class WebErrorPage
{
    public static async Task WriteAsync(HttpContext http, string? detail = null)
    {
        var culture = http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture ?? new CultureInfo("en");
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var t = http.RequestServices.GetRequiredService<IStringLocalizer<WebText>>();
            var (title, text) = http.Response.StatusCode switch
            {
                404 => (t["Page not found"], t["This page does not exist, or it is not shared with you."]),
                403 => (t["Not allowed"], t["You cannot do this with your account."]),
                429 => (t["Too many attempts"], t["Too many attempts from here. Wait a few minutes, then try again."]),
                _ => (t["Something went wrong"], t["The request could not be handled. Go back and try again."]),
            };
            var home = t["Back to the home page"].Value;
            var body = $"""
                <h1>{Html.Encode(title)}</h1>
                <p>{Html.Encode(detail ?? text)}</p>
                <p><a href="/">{Html.Encode(home)}</a></p>
                """;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(Html.Render($"{title} · Gazouille", body, culture.TwoLetterISOLanguageName), http.RequestAborted);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
