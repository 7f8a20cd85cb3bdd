using System.Globalization;
using System.Threading.RateLimiting;
using Gazouille.Features.Streaming;
using Gazouille.Hosting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;

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
            var admission = await limiters.AcquireAsync(strict.Bucket.ToString(), key, http.RequestAborted);
            if (!await AdmitAsync(http, admission)) return;
            shown = admission.State;
        }
        if (ApiErrorMiddleware.IsApi(http.Request))
        {
            var admission = await limiters.AcquireAsync(!viewer.IsSignedIn ? "PerIp" : "PerAccount", who, http.RequestAborted);
            if (!await AdmitAsync(http, admission)) return;
            if (shown is null || admission.State.Remaining < shown.Remaining) shown = admission.State;
        }
        if (shown is not null) WriteHeaders(http.Response, shown);
        await next(http);
    }

    private static bool Counts(HttpRequest request, StrictRateLimit strict) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && (strict.Handler is null || string.Equals(request.Query["handler"], strict.Handler, StringComparison.OrdinalIgnoreCase));

    private void WriteHeaders(HttpResponse response, WindowState state)
    {
        response.Headers["X-RateLimit-Limit"] = state.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = state.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = (clock.GetUtcNow() + state.ResetsIn).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    private async Task<bool> AdmitAsync(HttpContext http, Admission admission)
    {
        if (admission.Acquired) return true;
        var state = admission.State;
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

/// <summary>
/// One partitioned limiter per bucket, keyed by account or address, built once from the settings. With Redis
/// (Gazouille:Redis, several nodes) the windows are counted in Redis (RedisRateLimiting's fixed window, one Lua script
/// per request), so a caller gets its limit once across all nodes, not once per node; while Redis cannot be reached
/// each node counts in its own memory again, so requests are still limited and never fail because of it.
/// </summary>
public sealed class RateLimiters : IDisposable
{
    private readonly Dictionary<string, PartitionedRateLimiter<string>> _buckets = [];
    private readonly Dictionary<string, PartitionedRateLimiter<string>> _shared = [];
    private readonly Dictionary<string, int> _limits = [];
    private readonly RedisConnection _redis;
    private readonly TimeProvider _clock;
    private readonly ILogger<RateLimiters> _log;
    private long _lastFallbackLog;
    private static readonly TimeSpan SharedTimeout = TimeSpan.FromMilliseconds(500);

    public RateLimiters(IOptions<GazouilleSettings> options, RedisConnection redis, TimeProvider clock, ILogger<RateLimiters> log)
    {
        (_redis, _clock, _log) = (redis, clock, log);
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

    /// <summary>Whether the windows are counted in Redis (shared by the nodes) when it answers.</summary>
    public bool Shared => _redis.Configured;

    private void Add(string name, RateLimitRule rule)
    {
        if (rule.Limit < 1 || rule.WindowSeconds <= 0 || double.IsNaN(rule.WindowSeconds))
            throw new InvalidOperationException($"Gazouille:RateLimits:{name} needs a Limit of at least 1 and a WindowSeconds above 0; fix appsettings.json or the Gazouille__RateLimits__{name}__… variables.");
        var window = rule.Window;
        _limits[name] = rule.Limit;
        _buckets[name] = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, _ => new WindowLimiter(rule.Limit, window)));
        if (!_redis.Configured) return;
        // Redis counts whole seconds; a window under a second would be no window at all.
        var shared = new RedisFixedWindowRateLimiterOptions
        {
            PermitLimit = rule.Limit,
            Window = window < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : window,
            ConnectionMultiplexerFactory = () => _redis.Multiplexer!,
        };
        _shared[name] = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, k => new RedisFixedWindowRateLimiter<string>(k, shared)));
    }

    internal async ValueTask<Admission> AcquireAsync(string bucket, string key, CancellationToken ct)
    {
        if (_shared.TryGetValue(bucket, out var shared) && _redis.Multiplexer is { IsConnected: true })
        {
            try
            {
                // A Redis that hangs instead of refusing must not hold every request for the client's 5 s timeout.
                using var lease = await shared.AcquireAsync($"gazouille:{bucket}:{key}", 1, ct).AsTask().WaitAsync(SharedTimeout, ct);
                return new Admission(lease.IsAcquired, SharedState(lease, _limits[bucket]));
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                // Once a minute at most: a Redis outage must not flood the log.
                var now = Environment.TickCount64;
                if (now - Interlocked.Read(ref _lastFallbackLog) > 60_000)
                {
                    Interlocked.Exchange(ref _lastFallbackLog, now);
                    _log.LogWarning("Rate limits are counted per node while Redis does not answer: {Reason}", e.Message);
                }
            }
        }
        using var local = _buckets[bucket].AttemptAcquire(key);
        return new Admission(local.IsAcquired,
            local.TryGetMetadata(WindowLimiter.State, out var state) && state is not null ? state : new WindowState(_limits[bucket], 0, TimeSpan.Zero));
    }

    private WindowState SharedState(RateLimitLease lease, int limit)
    {
        var remaining = lease.TryGetMetadata(RateLimitMetadataName.Remaining.Name, out var r) && r is long left ? (int)Math.Clamp(left, 0, limit) : 0;
        var resetsIn = lease.TryGetMetadata(RateLimitMetadataName.Reset.Name, out var x) && x is long expiresAt
            ? DateTimeOffset.FromUnixTimeSeconds(expiresAt) - _clock.GetUtcNow()
            : TimeSpan.Zero;
        return new WindowState(limit, remaining, resetsIn < TimeSpan.Zero ? TimeSpan.Zero : resetsIn);
    }

    public void Dispose()
    {
        foreach (var limiter in _buckets.Values.Concat(_shared.Values)) limiter.Dispose();
    }
}

/// <summary>Whether a request may go on, and the window it counted in (for the X-RateLimit headers).</summary>
internal readonly record struct Admission(bool Acquired, WindowState State);
