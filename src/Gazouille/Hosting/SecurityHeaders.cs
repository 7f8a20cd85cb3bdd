using System.Security.Cryptography;
using System.Text;

namespace Gazouille.Hosting;

/// <summary>
/// Headers that make the browser refuse what the server never meant to send: a Content-Security-Policy without
/// 'unsafe-inline' or 'unsafe-eval' (the web app's scripts and styles are files; the plain sign-in frame's one style
/// block is allowed by its hash), no framing, no MIME sniffing, and referrers limited to the origin. Written when the
/// response starts, so error pages (which clear the response) carry them too. HSTS is UseHsts's, on HTTPS only.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public static readonly string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; " +
        $"style-src 'self' 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Web.HtmlPage.Style)))}'; " +
        "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; media-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()";
            // The API reference page (Scalar) runs its own inline configuration; it has no user content.
            if (!context.Request.Path.StartsWithSegments("/api/docs")) headers.ContentSecurityPolicy = ContentSecurityPolicy;
            else headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return Task.CompletedTask;
        }, http);
        return next(http);
    }
}
