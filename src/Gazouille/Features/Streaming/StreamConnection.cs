using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Gazouille.Data;
using Gazouille.Data.Entities;

namespace Gazouille.Features.Streaming;

public enum StreamTransport { ServerSentEvents, WebSocket }

/// <summary>
/// One open stream: who reads (the viewer as of the last access change), what it subscribed to, and a small bounded
/// queue of frames. A reader too slow to keep up is dropped rather than buffered: it reconnects and reloads.
/// </summary>
public sealed class StreamConnection
{
    public const int QueueCapacity = 32;

    private readonly Channel<string> _frames = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait,
    });
    private volatile StreamSubscription[] _subscriptions;
    private volatile ViewerRule _viewer;

    public StreamConnection(long id, Viewer viewer, StreamTransport transport, StreamSubscription[] subscriptions)
    {
        Id = id;
        Transport = transport;
        _viewer = new ViewerRule(viewer, Visibility.StatusFilterFor(viewer));
        _subscriptions = subscriptions;
    }

    public long Id { get; }
    /// <summary>The OAuth token's id when the stream was opened with one: its revocation closes the stream.</summary>
    public string? TokenId { get; init; }
    public StreamTransport Transport { get; }
    public Viewer Viewer => _viewer.Viewer;
    public long AccountId => _viewer.Viewer.AccountId;
    public StreamSubscription[] Subscriptions => _subscriptions;
    public ChannelReader<string> Frames => _frames.Reader;
    public bool Closed { get; private set; }
    /// <summary>Why the server closed it (slow reader, suspended account), for the WebSocket close frame.</summary>
    public string? CloseReason { get; private set; }

    public void SetViewer(Viewer viewer) => _viewer = new ViewerRule(viewer, Visibility.StatusFilterFor(viewer));

    public bool CanSee(Status s) => _viewer.CanSee(s) && (s.ReblogOf is null || _viewer.CanSee(s.ReblogOf));

    public void Subscribe(StreamSubscription s)
    {
        lock (_frames)
            if (!_subscriptions.Contains(s)) _subscriptions = [.. _subscriptions, s];
    }

    public void Unsubscribe(StreamSubscription s)
    {
        lock (_frames) _subscriptions = _subscriptions.Where(x => x != s).ToArray();
    }

    /// <summary>Queues an event in Mastodon's format for this transport; a full queue closes the connection.</summary>
    public void SendEvent(string name, string payload, string[] stream) =>
        Enqueue(Transport == StreamTransport.WebSocket
            ? JsonSerializer.Serialize(new WebSocketFrame(stream, name, payload), WebSocketFrame.Options)
            : SseFrame(name, payload));

    /// <summary>Queues a frame as is (a heartbeat comment, a WebSocket error message).</summary>
    public void Enqueue(string frame)
    {
        if (!_frames.Writer.TryWrite(frame)) Close("too slow: events were waiting");
    }

    public void Close(string? reason = null)
    {
        if (Closed) return;
        Closed = true;
        CloseReason = reason;
        _frames.Writer.TryComplete();
    }

    private static string SseFrame(string name, string payload)
    {
        var sb = new StringBuilder(payload.Length + name.Length + 16).Append("event: ").Append(name).Append('\n');
        // A payload never spans lines today (JSON is written compact); if it did, each line needs its own "data:".
        foreach (var line in payload.Split('\n')) sb.Append("data: ").Append(line).Append('\n');
        return sb.Append('\n').ToString();
    }

    private sealed record ViewerRule(Viewer Viewer, Func<Status, bool> CanSee);

    private sealed record WebSocketFrame(string[] Stream, string Event, string Payload)
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    }
}
