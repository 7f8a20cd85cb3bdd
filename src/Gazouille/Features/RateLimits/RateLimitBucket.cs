namespace Gazouille.Features.RateLimits;

/// <summary>The stricter limits an endpoint falls under, beside the general per-account or per-IP limit of the API.</summary>
public enum RateLimitBucket
{
    SignIn,
    SignUp,
    Check,
    Uploads,
}

/// <summary>
/// Endpoint metadata: writes to this endpoint (not GET or HEAD) count in <paramref name="Bucket"/>; on a Razor page,
/// only those to the named handler (<c>?handler=</c>) when <paramref name="Handler"/> is given.
/// </summary>
public sealed record StrictRateLimit(RateLimitBucket Bucket, string? Handler = null);

public static class StrictRateLimitExtensions
{
    public static TBuilder RequireRateLimit<TBuilder>(this TBuilder builder, RateLimitBucket bucket) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new StrictRateLimit(bucket));
}
