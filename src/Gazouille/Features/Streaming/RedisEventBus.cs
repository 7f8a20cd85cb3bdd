using StackExchange.Redis;

namespace Gazouille.Features.Streaming;

/// <summary>The bus between nodes: one Redis pub/sub channel; each message is one <see cref="StreamEvent"/> as JSON.</summary>
public sealed class RedisEventBus(IConnectionMultiplexer redis, ILogger<RedisEventBus> log) : IEventBus
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("gazouille:events");

    public void Publish(StreamEvent e)
    {
        try
        {
            redis.GetSubscriber().Publish(Channel, e.ToJson(), CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            // Streams miss this event; the posts are saved and timelines show them. Readiness reports Redis down.
            log.LogWarning(ex, "Could not publish a stream event to Redis");
        }
    }

    public void Subscribe(Action<StreamEvent> handler)
    {
        // A ChannelMessageQueue delivers messages one at a time, in order.
        var queue = redis.GetSubscriber().Subscribe(Channel);
        queue.OnMessage(m =>
        {
            if (StreamEvent.FromJson(m.Message) is { } e) handler(e);
        });
    }
}
