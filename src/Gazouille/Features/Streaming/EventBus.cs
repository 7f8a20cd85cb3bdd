namespace Gazouille.Features.Streaming;

/// <summary>
/// Carries <see cref="StreamEvent"/>s to every node's <see cref="StreamHub"/>: in this process by default, through Redis
/// pub/sub when Gazouille:Redis is set (then a node hears its own events back from Redis, like the others do).
/// </summary>
public interface IEventBus
{
    /// <summary>Sends without waiting: writers never wait for readers.</summary>
    void Publish(StreamEvent e);

    /// <summary>Registers the handler that receives every event, in publication order per publishing node.</summary>
    void Subscribe(Action<StreamEvent> handler);
}

public sealed class InProcessEventBus : IEventBus
{
    private volatile Action<StreamEvent>[] _handlers = [];
    private readonly Lock _gate = new();

    public void Publish(StreamEvent e)
    {
        foreach (var h in _handlers) h(e);
    }

    public void Subscribe(Action<StreamEvent> handler)
    {
        lock (_gate) _handlers = [.. _handlers, handler];
    }
}

/// <summary>The Redis connection when Gazouille:Redis is set, made on first use (null without Redis).</summary>
public sealed class RedisConnection(IConfiguration configuration) : IDisposable
{
    private readonly Lazy<StackExchange.Redis.IConnectionMultiplexer?> _multiplexer = new(() =>
    {
        var redis = configuration["Gazouille:Redis"];
        if (string.IsNullOrWhiteSpace(redis)) return null;
        var options = StackExchange.Redis.ConfigurationOptions.Parse(redis);
        // The node starts even when Redis is down; it reconnects by itself and /health/ready says so meanwhile.
        options.AbortOnConnectFail = false;
        options.ClientName = "gazouille";
        return StackExchange.Redis.ConnectionMultiplexer.Connect(options);
    });

    // Read once, like the multiplexer: the change clock asks on every cache lookup, and reading configuration takes a lock.
    private readonly Lazy<bool> _configured = new(() => !string.IsNullOrWhiteSpace(configuration["Gazouille:Redis"]));

    public bool Configured => _configured.Value;

    public StackExchange.Redis.IConnectionMultiplexer? Multiplexer => _multiplexer.Value;

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value?.Dispose();
    }
}

public static class EventBusSetup
{
    /// <summary>Redis when Gazouille:Redis is set (serve --redis), the in-process bus otherwise; decided on first use, so
    /// settings added after the services (the command line, tests) count.</summary>
    public static IServiceCollection AddGazouilleEventBus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => new RedisConnection(configuration));
        services.AddSingleton<IEventBus>(sp => sp.GetRequiredService<RedisConnection>().Multiplexer is { } redis
            ? new RedisEventBus(redis, sp.GetRequiredService<ILogger<RedisEventBus>>())
            : new InProcessEventBus());
        return services;
    }
}
