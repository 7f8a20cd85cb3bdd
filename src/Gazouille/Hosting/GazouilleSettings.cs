namespace Gazouille.Hosting;

/// <summary>The "Gazouille" configuration section (appsettings.json in the data folder, or Gazouille__… variables).</summary>
public sealed class GazouilleSettings
{
    public InstanceSettings Instance { get; set; } = new();
    public PostSettings Posts { get; set; } = new();
    public SignUpSettings SignUp { get; set; } = new();
    public AudienceSettings Audiences { get; set; } = new();
    public MediaSettings Media { get; set; } = new();
    public MailSettings Mail { get; set; } = new();
    public LeakGuardSettings LeakGuard { get; set; } = new();
    public StreamingSettings Streaming { get; set; } = new();
    public MetricsSettings Metrics { get; set; } = new();
    public Features.RateLimits.RateLimitSettings RateLimits { get; set; } = new();
    public Features.Sso.SsoSettings Sso { get; set; } = new();
    public SessionSettings Sessions { get; set; } = new();
    /// <summary>HOST:PORT (or a StackExchange.Redis configuration string) of the Redis that carries stream events between nodes.</summary>
    public string? Redis { get; set; }
}

public sealed class StreamingSettings
{
    /// <summary>How often an event stream gets a <c>:thump</c> comment, so proxies keep it open and clients notice a dead one.</summary>
    public double HeartbeatSeconds { get; set; } = 15;
    /// <summary>How often the grants of connected guests are compared with the database (revocations made elsewhere, expiries).</summary>
    public double GrantCheckSeconds { get; set; } = 5;
    /// <summary>Longest WebSocket message accepted from a client, in bytes.</summary>
    public int MaxMessageBytes { get; set; } = 4096;
}

public sealed class SessionSettings
{
    /// <summary>How long a node keeps a browser session read from the database before reading it again. Ending a session
    /// drops it from every node's memory at once over the event bus (Redis); without Redis, other nodes notice within this time.</summary>
    public double CacheSeconds { get; set; } = 5;
}

public sealed class MetricsSettings
{
    /// <summary>Serve Prometheus metrics at /metrics (default on, from the loopback address only).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Also answer /metrics to other addresses (put it behind your own network rules).</summary>
    public bool AllowRemote { get; set; }
}

public sealed class InstanceSettings
{
    public string Title { get; set; } = "Gazouille";
    public string Description { get; set; } = "Le microblog de l'entreprise — the company's microblog.";
    /// <summary>The public base URL (e.g. https://gazouille.example.com); defaults to the request's own.</summary>
    public string? BaseUrl { get; set; }
    public string ContactEmail { get; set; } = "";
}

public sealed class PostSettings
{
    public int MaxLength { get; set; } = 500;
}

public sealed class SignUpSettings
{
    /// <summary>closed; invitations (single-use links, the default); domains (an allowed e-mail domain, or an invitation).</summary>
    public string Mode { get; set; } = "invitations";
    public List<string> AllowedDomains { get; set; } = [];
    /// <summary>When true, an account made by sign-up (page or API) waits for an administrator's approval before it can sign in.</summary>
    public bool RequireApproval { get; set; }
}

public sealed class AudienceSettings
{
    /// <summary>Internet-public posting stays off until an admin turns it on.</summary>
    public bool PublicEnabled { get; set; }
    /// <summary>What Mastodon's visibility=public maps to when no audience is given: company (default) or public.</summary>
    public string PublicVisibilityMapsTo { get; set; } = "company";
}

public sealed class MediaSettings
{
    public int AvatarMaxBytes { get; set; } = 2 * 1024 * 1024;
}

/// <summary>Outgoing mail (invitations). Without a host, messages are written to the log instead, so a laptop works.</summary>
public sealed class MailSettings
{
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    /// <summary>none, starttls (default) or tls (implicit TLS, usually port 465).</summary>
    public string Security { get; set; } = "starttls";
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "gazouille@localhost";
}

public sealed class LeakGuardSettings
{
    /// <summary>How often a node looks for a policy version saved by another node (or the CLI).</summary>
    public double PolicyRefreshSeconds { get; set; } = 5;
    /// <summary>Longest justification accepted with <c>leak_guard_override</c>.</summary>
    public int OverrideMaxLength { get; set; } = 500;
}
