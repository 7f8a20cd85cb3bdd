namespace Gazouille.Features.RateLimits;

/// <summary>
/// The "Gazouille:RateLimits" section. Defaults follow Mastodon's: 300 API requests per 5 minutes per account, and per
/// IP address for anonymous callers; sign-in and sign-up attempts per IP address and Leak Guard checks per account
/// are limited more strictly. Enabled=false turns every limit off (load tests only).
/// </summary>
public sealed class RateLimitSettings
{
    public bool Enabled { get; set; } = true;
    /// <summary>API requests of a signed-in account (all its tokens and its browser session together).</summary>
    public RateLimitRule PerAccount { get; set; } = new() { Limit = 300, WindowSeconds = 300 };
    /// <summary>API requests without a valid token, per IP address.</summary>
    public RateLimitRule PerIp { get; set; } = new() { Limit = 300, WindowSeconds = 300 };
    /// <summary>Sign-in attempts (the sign-in form), per IP address; failed passwords also lock the account (Identity lockout).</summary>
    public RateLimitRule SignIn { get; set; } = new() { Limit = 25, WindowSeconds = 300 };
    /// <summary>Sign-up attempts (page and POST /api/v1/accounts), per IP address.</summary>
    public RateLimitRule SignUp { get; set; } = new() { Limit = 5, WindowSeconds = 1800 };
    /// <summary>Leak Guard checks (the check endpoint and the compose box's tips), per account.</summary>
    public RateLimitRule Check { get; set; } = new() { Limit = 60, WindowSeconds = 60 };
    /// <summary>Profile updates (which may carry an avatar upload), per account.</summary>
    public RateLimitRule Uploads { get; set; } = new() { Limit = 30, WindowSeconds = 1800 };
}

public sealed class RateLimitRule
{
    public int Limit { get; set; }
    public double WindowSeconds { get; set; }

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}
