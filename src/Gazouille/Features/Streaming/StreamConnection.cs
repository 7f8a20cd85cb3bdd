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
/// Frames are UTF-8 bytes ready for the wire, built once per event and shared by every connection that gets them.
/// </summary>
public sealed class StreamConnection
{
    public const int QueueCapacity = 32;

    // Synchronous continuations: the stream's writer (waiting for its next frame) runs on the thread that queues the
    // frame, up to its first write that cannot complete at once. The hub then writes an event to its streams in one
    // sweep instead of handing each stream to the thread pool (a thousand work items per post on two cores); a write
    // into Kestrel's output pipe does not wait for the socket, so a slow reader does not hold the sweep.
    private readonly Channel<ReadOnlyMemory<byte>> _frames = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = true,
    });
    private volatile StreamSubscription[] _subscriptions;
    private volatile ViewerRule _viewer;

    /// <param name="rule">The viewer's compiled rule, shared with its other connections (<see cref="ViewerRule.Cache"/>).</param>
    public StreamConnection(long id, ViewerRule rule, StreamTransport transport, StreamSubscription[] subscriptions)
    {
        Id = id;
        Transport = transport;
        _viewer = rule;
        _subscriptions = subscriptions;
    }

    public long Id { get; }
    /// <summary>The OAuth token's id when the stream was opened with one: its revocation closes the stream.</summary>
    public string? TokenId { get; init; }
    public StreamTransport Transport { get; }
    public Viewer Viewer => _viewer.Viewer;
    public long AccountId => _viewer.Viewer.AccountId;
    public StreamSubscription[] Subscriptions => _subscriptions;
    public ChannelReader<ReadOnlyMemory<byte>> Frames => _frames.Reader;
    public bool Closed { get; private set; }
    /// <summary>Why the server closed it (slow reader, suspended account), for the WebSocket close frame.</summary>
    public string? CloseReason { get; private set; }

    public void SetViewer(ViewerRule rule) => _viewer = rule;

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

    /// <summary>Queues a frame as is (a heartbeat comment, a WebSocket error message).</summary>
    public void Enqueue(string frame) => Enqueue(Encoding.UTF8.GetBytes(frame));

    /// <summary>Queues UTF-8 bytes built by <see cref="Frame"/> (shared between connections: never written to); a full
    /// queue closes the connection.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame)
    {
        if (!_frames.Writer.TryWrite(frame)) Close("too slow: events were waiting");
    }

    /// <summary>An event in Mastodon's format for a transport, as UTF-8: SSE has no stream name, a WebSocket message has.</summary>
    public static byte[] Frame(StreamTransport transport, string name, string payload, string[] stream) => transport == StreamTransport.WebSocket
        ? JsonSerializer.SerializeToUtf8Bytes(new WebSocketFrame(stream, name, payload), WebSocketFrame.Options)
        : Encoding.UTF8.GetBytes(SseFrame(name, payload));

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


    private sealed record WebSocketFrame(string[] Stream, string Event, string Payload)
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    }
}

/// <summary>
/// A viewer and its in-memory <see cref="Visibility"/> rule, compiled once and shared by the viewer's connections:
/// compiling it per connection cost about 13 KB of expression trees and interpreter code per stream.
/// </summary>
public sealed class ViewerRule
{
    private ViewerRule(Viewer viewer)
    {
        Viewer = viewer;
        _canSee = Visibility.StatusFilterFor(viewer);
    }

    private readonly Func<Status, bool> _canSee;

    public Viewer Viewer { get; }

    public bool CanSee(Status s) => _canSee(s);

    /// <summary>The latest rule per account, reused while the account's access is the same (weakly held: no stream, no rule).</summary>
    public sealed class Cache
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, WeakReference<ViewerRule>> _rules = new();

        public ViewerRule For(Viewer viewer)
        {
            if (_rules.TryGetValue(viewer.AccountId, out var weak) && weak.TryGetTarget(out var rule) && SameAccess(rule.Viewer, viewer))
                return rule;
            rule = new ViewerRule(viewer);
            _rules[viewer.AccountId] = new WeakReference<ViewerRule>(rule);
            return rule;
        }

        /// <summary>
        /// Equal viewers: every member by the record's equality once the id arrays, compared by content, are set aside
        /// (a member added to <see cref="Viewer"/> later counts by the record's own equality, so it is never ignored).
        /// </summary>
        private static bool SameAccess(Viewer a, Viewer b) =>
            a with
            {
                TeamIds = b.TeamIds, FollowingIds = b.FollowingIds, FollowedTeamIds = b.FollowedTeamIds,
                GrantedTeamIds = b.GrantedTeamIds, GuestVisibleEmployeeIds = b.GuestVisibleEmployeeIds,
            } == b
            && a.TeamIds.AsSpan().SequenceEqual(b.TeamIds) && a.FollowingIds.AsSpan().SequenceEqual(b.FollowingIds)
            && a.FollowedTeamIds.AsSpan().SequenceEqual(b.FollowedTeamIds) && a.GrantedTeamIds.AsSpan().SequenceEqual(b.GrantedTeamIds)
            && a.GuestVisibleEmployeeIds.AsSpan().SequenceEqual(b.GuestVisibleEmployeeIds);
    }
}
