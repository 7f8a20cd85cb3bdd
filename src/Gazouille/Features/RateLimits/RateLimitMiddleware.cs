using System.Globalization;
using System.Threading.RateLimiting;
using Gazouille.Hosting;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.RateLimits;

/// <summary>
/// Mastodon's rate limits on .NET's rate limiters: the API's requests count per account (or per IP address without a
/// token), and sign-in, sign-up, Leak Guard checks and uploads also count in their stricter bucket. Every API answer
/// carries <c>X-RateLimit-Limit</c>, <c>X-RateLimit-Remaining</c> and <c>X-RateLimit-Reset</c> (ISO 8601) of the
/// tightest bucket it used; a refused request gets 429, <c>Retry-After</c> and <c>{"error": "Too many requests"}</c>.
/// (ASP.NET Core's rate limiting middleware does not hand its lease to the response, so it cannot write these headers
/// on success; this middleware calls the same limiters itself.)
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimiters limiters, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!limiters.Enabled)
        {
            await next(http);
            return;
        }
        var viewer = http.Viewer();
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var who = !viewer.IsSignedIn ? "ip:" + ip : "account:" + viewer.AccountId.ToString(CultureInfo.InvariantCulture);

        WindowState? shown = null;
        if (http.GetEndpoint()?.Metadata.GetMetadata<StrictRateLimit>() is { } strict && Counts(http.Request, strict))
        {
            // Sign-in and sign-up are anonymous by nature: they count per address; the rest per account.
            var key = strict.Bucket is RateLimitBucket.SignIn or RateLimitBucket.SignUp ? "ip:" + ip : who;
            using var lease = limiters.Acquire(strict.Bucket.ToString(), key);
            if (!await AdmitAsync(http, lease)) return;
            shown = State(lease);
        }
        if (ApiErrorMiddleware.IsApi(http.Request))
        {
            using var lease = limiters.Acquire(!viewer.IsSignedIn ? "PerIp" : "PerAccount", who);
            if (!await AdmitAsync(http, lease)) return;
            if (shown is null || State(lease).Remaining < shown.Remaining) shown = State(lease);
        }
        if (shown is not null) WriteHeaders(http.Response, shown);
        await next(http);
    }

    private static bool Counts(HttpRequest request, StrictRateLimit strict) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && (strict.Handler is null || string.Equals(request.Query["handler"], strict.Handler, StringComparison.OrdinalIgnoreCase));

    private static WindowState State(RateLimitLease lease) =>
        lease.TryGetMetadata(WindowLimiter.State, out var state) && state is not null ? state : new WindowState(0, 0, TimeSpan.Zero);

    private void WriteHeaders(HttpResponse response, WindowState state)
    {
        response.Headers["X-RateLimit-Limit"] = state.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = state.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = (clock.GetUtcNow() + state.ResetsIn).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    private async Task<bool> AdmitAsync(HttpContext http, RateLimitLease lease)
    {
        if (lease.IsAcquired) return true;
        var state = State(lease);
        WriteHeaders(http.Response, state);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(state.ResetsIn.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        if (ApiErrorMiddleware.IsApi(http.Request) || http.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
            await http.Response.WriteAsJsonAsync(new Api.ApiError("Too many requests"), http.RequestAborted);
        else
            await Web.WebErrorPage.WriteAsync(http);
        return false;
    }
}

/// <summary>One partitioned limiter per bucket, keyed by account or address, built once from the settings.</summary>
public sealed class RateLimiters : IDisposable
{
    private readonly Dictionary<string, PartitionedRateLimiter<string>> _buckets = [];

    public RateLimiters(IOptions<GazouilleSettings> options)
    {
        var s = options.Value.RateLimits;
        Enabled = s.Enabled;
        Add("PerAccount", s.PerAccount);
        Add("PerIp", s.PerIp);
        Add(nameof(RateLimitBucket.SignIn), s.SignIn);
        Add(nameof(RateLimitBucket.SignUp), s.SignUp);
        Add(nameof(RateLimitBucket.Check), s.Check);
        Add(nameof(RateLimitBucket.Uploads), s.Uploads);
    }

    public bool Enabled { get; }

    private void Add(string name, RateLimitRule rule)
    {
        if (rule.Limit < 1 || rule.WindowSeconds <= 0 || double.IsNaN(rule.WindowSeconds))
            throw new InvalidOperationException($"Gazouille:RateLimits:{name} needs a Limit of at least 1 and a WindowSeconds above 0; fix appsettings.json or the Gazouille__RateLimits__{name}__… variables.");
        var window = rule.Window;
        _buckets[name] = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, _ => new WindowLimiter(rule.Limit, window)));
    }

    internal RateLimitLease Acquire(string bucket, string key) => _buckets[bucket].AttemptAcquire(key);

    public void Dispose()
    {
        foreach (var limiter in _buckets.Values) limiter.Dispose();
    }
}
