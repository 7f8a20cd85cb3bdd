using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Server.AspNetCore;

namespace Gazouille.Features.OAuth;

/// <summary>
/// Offers requests to OpenIddict's server request handler only on the OAuth routes (<c>/oauth/…</c>,
/// <c>/.well-known/…</c>): the authentication middleware asked it about every request, and it dispatched its whole list of
/// handlers to learn that a timeline is not an OAuth endpoint. The validation handler is still asked everywhere: the
/// transaction it opens there is what authenticating an OAuth access token later reads. Other request handlers (single
/// sign-on callbacks) are asked as before.
/// </summary>
public sealed class OAuthRequestSchemes(IOptions<AuthenticationOptions> options, IHttpContextAccessor http) : AuthenticationSchemeProvider(options)
{
    public override async Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
    {
        var all = await base.GetRequestHandlerSchemesAsync();
        return http.HttpContext?.Request.Path is { } path && !IsOAuthRoute(path) ? all.Where(s => !IsOpenIddictServer(s.Name)) : all;
    }

    public static bool IsOAuthRoute(PathString path) => path.StartsWithSegments("/oauth") || path.StartsWithSegments("/.well-known");

    private static bool IsOpenIddictServer(string scheme) => scheme == OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;
}
