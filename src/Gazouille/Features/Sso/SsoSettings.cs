namespace Gazouille.Features.Sso;

/// <summary>
/// Single sign-on with the company's identity providers (OpenID Connect), the <c>Gazouille:Sso</c> section. Each provider
/// has a key (its name in URLs and in the stored external logins: <c>Providers:entra</c> → <c>/auth/sso/entra</c>).
/// </summary>
public sealed class SsoSettings
{
    public Dictionary<string, SsoProviderSettings> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class SsoProviderSettings
{
    /// <summary>Shown on the button: "Sign in with {DisplayName}".</summary>
    public string DisplayName { get; set; } = "";
    /// <summary>The issuer's URL; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    /// <summary>Never logged nor shown; set it through an environment variable or a secret store rather than a file.</summary>
    public string? ClientSecret { get; set; }
    /// <summary>Scopes asked for; empty means <c>openid profile email</c> (<c>openid</c> is always asked).</summary>
    public List<string> Scopes { get; set; } = [];
    /// <summary>The claim that identifies the person at the provider, stored as the external login (Entra ID: <c>oid</c> is stable across apps).</summary>
    public string SubjectClaim { get; set; } = "sub";
    public string EmailClaim { get; set; } = "email";
    public string NameClaim { get; set; } = "name";
    /// <summary>When the provider sends this claim, it must be true for an account to be created or linked by e-mail.</summary>
    public string EmailVerifiedClaim { get; set; } = "email_verified";
    public string RoleClaim { get; set; } = "roles";
    /// <summary>Values of <see cref="RoleClaim"/> that make an administrator. When this and <see cref="ModeratorValues"/> are both
    /// empty, roles are managed in Gazouille only; otherwise each sign-in sets the role from the claims (and demotes).</summary>
    public List<string> AdminValues { get; set; } = [];
    public List<string> ModeratorValues { get; set; } = [];
    /// <summary>E-mail domains whose people get an account on their first sign-in; empty means <c>SignUp:AllowedDomains</c>.</summary>
    public List<string> AllowedDomains { get; set; } = [];
    /// <summary>Also read the claims of the provider's userinfo endpoint (for providers that leave e-mail or roles out of the ID token).</summary>
    public bool UseUserInfoEndpoint { get; set; }
    /// <summary>Refuse an authority that is not HTTPS. Turn off only for a provider on the loopback in tests or development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool MapsRoles => AdminValues.Count > 0 || ModeratorValues.Count > 0;
}
