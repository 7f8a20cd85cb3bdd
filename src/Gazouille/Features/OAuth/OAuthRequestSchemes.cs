using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;

namespace Gazouille.Features.OAuth;

/// <summary>
/// Offers requests to OpenIddict's server request handler only on its own endpoints, as its options list them: the
/// authentication middleware asked it about every request, and it dispatched its whole list of handlers to learn that a
/// timeline is not an OAuth endpoint. The validation handler is still asked everywhere: the transaction it opens there is
/// what authenticating an OAuth access token later reads. Other request handlers (single sign-on callbacks) are asked as
/// before.
/// </summary>
public sealed class OAuthRequestSchemes(IOptions<AuthenticationOptions> options, IOptions<OpenIddictServerOptions> server, IHttpContextAccessor http)
    : AuthenticationSchemeProvider(options)
{
    private PathString[]? _endpoints; // read on first use: the server's options are built on the first request anyway

    public override async Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
    {
        var all = await base.GetRequestHandlerSchemesAsync();
        if (http.HttpContext?.Request.Path is not { } path) return all;
        foreach (var endpoint in _endpoints ??= EndpointPaths(server.Value))
            if (path.StartsWithSegments(endpoint)) return all;
        return all.Where(s => s.Name != OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The paths of every endpoint the server's options configure (each <c>…EndpointUris</c> list).</summary>
    public static PathString[] EndpointPaths(OpenIddictServerOptions options) =>
    [
        .. typeof(OpenIddictServerOptions).GetProperties()
            .Where(p => p.Name.EndsWith("EndpointUris", StringComparison.Ordinal) && typeof(IEnumerable<Uri>).IsAssignableFrom(p.PropertyType))
            .SelectMany(p => (IEnumerable<Uri>?)p.GetValue(options) ?? [])
            .Select(u => new PathString("/" + (u.IsAbsoluteUri ? u.AbsolutePath : u.OriginalString).TrimStart('/'))),
    ];
}
