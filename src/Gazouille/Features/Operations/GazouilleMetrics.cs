using System.Diagnostics.Metrics;
using Gazouille.Features.Streaming;

namespace Gazouille.Features.Operations;

/// <summary>
/// The product's own meters, exported with ASP.NET Core's request metrics at /metrics (Prometheus):
/// posts published, Leak Guard decisions by decision, open streams by transport, stream renderings shared.
/// </summary>
public sealed class GazouilleMetrics : IDisposable
{
    public const string MeterName = "Gazouille";
    private readonly Meter _meter;
    private readonly Counter<long> _posts;
    private readonly Counter<long> _decisions;
    private readonly UpDownCounter<long> _streams;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _shared;

    public GazouilleMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _posts = _meter.CreateCounter<long>("gazouille.posts.published", "{post}", "Posts published (at once or on approval)");
        _decisions = _meter.CreateCounter<long>("gazouille.leak_guard.decisions", "{decision}", "Leak Guard decisions on posts, by decision");
        _streams = _meter.CreateUpDownCounter<long>("gazouille.streams.open", "{connection}", "Open streaming connections, by transport");
        _dropped = _meter.CreateCounter<long>("gazouille.streams.dropped", "{connection}", "Streams closed because the reader was too slow");
        _shared = _meter.CreateCounter<long>("gazouille.streams.renderings_shared", "{rendering}",
            "Renderings of a post for a stream saved because several accounts could share one (a post nobody had reacted to yet)");
    }

    public void PostPublished() => _posts.Add(1);

    public void LeakGuardDecision(string decision) => _decisions.Add(1, new KeyValuePair<string, object?>("decision", decision));

    public void StreamOpened(StreamTransport t) => _streams.Add(1, Transport(t));

    public void StreamClosed(StreamTransport t) => _streams.Add(-1, Transport(t));

    public void StreamDropped() => _dropped.Add(1);

    public void StreamRenderingsShared(int saved)
    {
        if (saved > 0) _shared.Add(saved);
    }

    private static KeyValuePair<string, object?> Transport(StreamTransport t) =>
        new("transport", t == StreamTransport.WebSocket ? "websocket" : "sse");

    public void Dispose() => _meter.Dispose();
}
