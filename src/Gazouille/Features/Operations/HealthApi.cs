using System.Net;
using System.Text.Json;
using Gazouille.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using StackExchange.Redis;
using Gazouille.Hosting;

namespace Gazouille.Features.Operations;

/// <summary>
/// What operators and orchestrators ask a node: /health/live (the process answers), /health/ready (the database and,
/// when configured, Redis answer), and /metrics (Prometheus; loopback only unless Gazouille:Metrics:AllowRemote).
/// </summary>
public static class HealthApi
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddGazouilleOperations(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]).AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(GazouilleMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).ExcludeFromDescription();
        var metrics = app.ServiceProvider.GetRequiredService<IOptions<GazouilleSettings>>().Value.Metrics;
        if (metrics.Enabled)
        {
            var endpoint = app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
            if (!metrics.AllowRemote) endpoint.AddEndpointFilter(async (ctx, next) => IsLocal(ctx.HttpContext) ? await next(ctx) : Results.NotFound());
        }
        return app;
    }

    /// <summary>Loopback, or no remote address at all (an in-process test server).</summary>
    private static bool IsLocal(HttpContext http) => http.Connection.RemoteIpAddress is not { } ip || IPAddress.IsLoopback(ip);

    /// <summary>{"status":"Healthy","checks":{"database":"Healthy",…}}; 503 when anything is unhealthy.</summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}

public sealed class DatabaseHealthCheck(GazouilleDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database does not answer");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer: " + e.GetType().Name);
        }
    }
}

public sealed class RedisHealthCheck(Streaming.RedisConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connection.Multiplexer is not { } redis) return HealthCheckResult.Healthy("not configured (single node, in-process events)");
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.#} ms");
        }
        catch (RedisException e)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: " + e.Message);
        }
    }
}
