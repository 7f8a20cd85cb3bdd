using System.Security.Claims;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gazouille.Features.Sso;

/// <summary>
/// RP-initiated logout: signing out of a session made by single sign-on also signs out at the provider when its
/// discovery document names an <c>end_session_endpoint</c> (with the session's ID token as the hint); the provider
/// sends the browser back to <c>/auth/sso/{key}/signed_out</c>, then to the sign-in page. Other providers, and
/// sessions made with a password, sign out here only.
/// </summary>
public static class SsoSignOut
{
    /// <summary>Starts the provider's sign-out for <paramref name="session"/> (the local session is already ended);
    /// false when there is none to start, and the caller redirects as usual.</summary>
    public static async Task<bool> StartAsync(HttpContext http, AuthenticateResult session, CancellationToken ct)
    {
        var method = session.Principal?.FindFirstValue(ClaimTypes.AuthenticationMethod);
        if (method is null || !method.StartsWith("sso:", StringComparison.Ordinal)) return false;
        var key = method["sso:".Length..];
        if (SsoSetup.Find(http.RequestServices.GetRequiredService<IOptions<GazouilleSettings>>().Value, key) is null) return false;
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(SsoSetup.Scheme(key));
        try
        {
            if (options.ConfigurationManager is null || string.IsNullOrEmpty((await options.ConfigurationManager.GetConfigurationAsync(ct)).EndSessionEndpoint))
                return false;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            // The provider cannot be reached: the person is signed out here, which is what they asked for.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gazouille.Sso")
                .LogWarning("Signing out at single sign-on provider '{Key}' was skipped: {Reason}", key, e.Message);
            return false;
        }
        if (session.Properties?.GetTokenValue(OpenIdConnectParameterNames.IdToken) is { Length: > 0 } idToken)
            http.Items[SsoSetup.IdTokenHintItem] = idToken;
        await http.SignOutAsync(SsoSetup.Scheme(key), new AuthenticationProperties { RedirectUri = "/auth/sign_in" });
        return true;
    }
}
