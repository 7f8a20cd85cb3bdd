using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Gazouille.Features.OAuth;

/// <summary>
/// Mastodon's <c>urn:ietf:wg:oauth:2.0:oob</c> redirect: instead of redirecting nowhere, show the authorization code
/// on a page so that the person can paste it into the app.
/// </summary>
public sealed class OutOfBandRedirect : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    public const string Uri = "urn:ietf:wg:oauth:2.0:oob";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .UseSingletonHandler<OutOfBandRedirect>()
            .SetOrder(Math.Min(OpenIddictServerAspNetCoreHandlers.Authentication.ProcessFormPostResponse.Descriptor.Order,
                OpenIddictServerAspNetCoreHandlers.Authentication.ProcessQueryResponse.Descriptor.Order) - 1) // after the redirect URI is attached
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        if (!string.Equals(context.RedirectUri, Uri, StringComparison.Ordinal)) return;
        var http = context.Transaction.GetHttpRequest()?.HttpContext;
        if (http is null) return;
        var code = context.Response.Code;
        var error = context.Response.ErrorDescription ?? context.Response.Error;
        var body = code is not null
            ? $"<h1>Code d'autorisation · Authorization code</h1><p>Copiez ce code dans l'application · Copy this code into the app:</p><p><code id=\"code\">{HtmlEncoder.Default.Encode(code)}</code></p>"
            : $"<h1>Autorisation refusée · Authorization denied</h1><p>{HtmlEncoder.Default.Encode(error ?? "")}</p>";
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(global::Gazouille.Web.HtmlPage.Render("Gazouille", body, "fr"));
        context.HandleRequest();
    }
}
