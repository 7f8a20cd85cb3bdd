using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Notifications;
using Gazouille.Features.Operations;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Streaming;

/// <summary>
/// The node's open streams and the one loop that hands them events, in the order the bus delivered them. Each event
/// is loaded once, checked per connection with <see cref="Visibility"/> against the viewer's current access, and
/// rendered once per reading account with the same renderers as the REST API.
/// </summary>
public sealed class StreamHub(
    IEventBus bus, IServiceScopeFactory scopes, IOptions<JsonOptions> json, IOptions<GazouilleSettings> settings, GazouilleMetrics metrics,
    ILogger<StreamHub> log) : BackgroundService
{
    private readonly ConcurrentDictionary<long, StreamConnection> _connections = new();
    private readonly Channel<StreamEvent> _events = Channel.CreateBounded<StreamEvent>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest,
    });
    private long _nextId;
    private readonly ViewerRule.Cache _rules = new();

    public int Count => _connections.Count;

    /// <param name="tokenId">The OAuth token the stream was opened with (its revocation ends the stream), or null for a session.</param>
    public StreamConnection Open(Viewer viewer, StreamTransport transport, string? tokenId, params StreamSubscription[] subscriptions) =>
        Open(viewer, transport, tokenId, Stopwatch.GetTimestamp(), subscriptions);

    /// <summary>
    /// Registers a stream whose request was authenticated at <paramref name="authenticatedAt"/> (a
    /// <see cref="Stopwatch"/> timestamp). A revocation handled between that moment and this registration found no
    /// connection to close, so it is looked up here: either the revocation sees the connection, or the connection sees
    /// the revocation (it is recorded before connections are scanned, the connection registered before the record is read).
    /// </summary>
    public StreamConnection Open(Viewer viewer, StreamTransport transport, string? tokenId, long authenticatedAt, params StreamSubscription[] subscriptions)
    {
        var c = new StreamConnection(Interlocked.Increment(ref _nextId), _rules.For(viewer), transport, subscriptions) { TokenId = tokenId };
        _connections[c.Id] = c;
        metrics.StreamOpened(transport);
        foreach (var r in _recentRevocations)
            if (r.At >= authenticatedAt && Matches(r.TokenId, r.AccountId, c))
                c.Close("the token was revoked");
        return c;
    }

    private static bool Matches(string? tokenId, long? accountId, StreamConnection c) =>
        tokenId is not null ? c.TokenId == tokenId : accountId == c.AccountId;

    private long _handledRevocations;

    /// <summary>How many revocations this node has handled (tests wait on it).</summary>
    public long HandledRevocations => Interlocked.Read(ref _handledRevocations);

    /// <summary>Revocations of the last minute, for streams that were being opened while they were handled.</summary>
    private readonly ConcurrentQueue<(long At, string? TokenId, long? AccountId)> _recentRevocations = new();

    public void Remove(StreamConnection c)
    {
        c.Close();
        if (_connections.TryRemove(c.Id, out _)) metrics.StreamClosed(c.Transport);
    }

    /// <summary>Runs an event on this node only (tests, and the grant check below that every node runs for itself).</summary>
    public void Receive(StreamEvent e)
    {
        if (!_events.Writer.TryWrite(e)) log.LogWarning("Stream event dropped: the hub is closed");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bus.Subscribe(Receive);
        var maintenance = MaintainAsync(stoppingToken);
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(stoppingToken))
            {
                // Nothing to deliver without streams; a revocation is still recorded, for streams being opened.
                if (e.Kind == StreamEventKind.DataChanged || (_connections.IsEmpty && e.Kind != StreamEventKind.TokenRevoked)) continue;
                try
                {
                    await DispatchAsync(e, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogError(ex, "Stream event {Kind} {Id} could not be delivered", e.Kind, e.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        foreach (var c in _connections.Values) c.Close("the server is stopping");
        await maintenance;
    }

    private Task DispatchAsync(StreamEvent e, CancellationToken ct) => e.Kind switch
    {
        StreamEventKind.Update => StatusAsync(e.Id, "update", ct),
        StreamEventKind.StatusUpdate => StatusAsync(e.Id, "status.update", ct),
        StreamEventKind.Delete => DeleteAsync(e),
        StreamEventKind.Notification => NotificationAsync(e, ct),
        StreamEventKind.Access => AccessAsync(e, ct),
        StreamEventKind.TokenRevoked => RevokedAsync(e),
        _ => Task.CompletedTask,
    };

    private Task RevokedAsync(StreamEvent e)
    {
        var now = Stopwatch.GetTimestamp();
        _recentRevocations.Enqueue((now, e.TokenId, e.AccountId));
        Interlocked.Increment(ref _handledRevocations);
        while (_recentRevocations.TryPeek(out var old) && Stopwatch.GetElapsedTime(old.At, now) > TimeSpan.FromMinutes(1))
            _recentRevocations.TryDequeue(out _);
        foreach (var c in _connections.Values)
        {
            if (Matches(e.TokenId, e.AccountId, c))
                c.Close("the token was revoked");
        }
        return Task.CompletedTask;
    }

    private async Task StatusAsync(long id, string eventName, CancellationToken ct)
    {
        Status? status;
        await using (var scope = scopes.CreateAsyncScope())
            status = (await scope.ServiceProvider.GetRequiredService<StatusRenderer>().LoadAsync([id], ct)).FirstOrDefault();
        if (status is not { State: StatusState.Published }) return;

        // Every connection passes the visibility rule of its own viewer, then its streams' rules; readers are grouped by account.
        var readers = new Dictionary<long, List<StreamConnection>>();
        foreach (var c in _connections.Values)
        {
            if (c.Closed || !c.CanSee(status) || !CarriesAny(c, status)) continue;
            (CollectionsMarshal.GetValueRefOrAddDefault(readers, c.AccountId, out _) ??= []).Add(c);
        }
        if (readers.Count == 0) return;

        // One rendering per account (its flags and counts are its own), shared by that account's connections, and one
        // frame per transport and stream, shared as the same bytes. A post nobody has reacted to yet (a new one, mostly)
        // renders alike for every employee but its author: those accounts share one rendering (StatusRenderer.RendersAlike).
        var groups = new List<List<StreamConnection>>(readers.Count);
        List<StreamConnection>? alike = null;
        if (readers.Count > 1 && await NobodyReactedAsync(status, ct))
        {
            foreach (var group in readers.Values)
            {
                if (StatusRenderer.RendersAlike(group[0].Viewer, status)) (alike ??= []).AddRange(group);
                else groups.Add(group);
            }
            if (alike is not null) groups.Add(alike);
            metrics.StreamRenderingsShared(readers.Count - groups.Count);
        }
        else groups.AddRange(readers.Values);

        async ValueTask SendAsync(List<StreamConnection> group, CancellationToken token)
        {
            await using var scope = scopes.CreateAsyncScope();
            var renderer = scope.ServiceProvider.GetRequiredService<StatusRenderer>();
            // The shared group gets exactly what was checked (no reaction), never what its first reader could count since.
            var entity = ReferenceEquals(group, alike)
                ? await renderer.RenderUntouchedAsync(group[0].Viewer, status, token)
                : await renderer.RenderAsync(group[0].Viewer, status, token);
            var frames = new Frames(eventName, JsonSerializer.Serialize(entity, json.Value.SerializerOptions));
            foreach (var c in group) Deliver(c, status, frames);
        }
        if (groups.Count == 1) await SendAsync(groups[0], ct);
        else await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, SendAsync);
    }

    private async Task<bool> NobodyReactedAsync(Status status, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StatusRenderer>().NobodyReactedAsync(status, ct);
    }

    private static bool CarriesAny(StreamConnection c, Status status)
    {
        var viewer = c.Viewer;
        foreach (var s in c.Subscriptions)
            if (s.Carries(viewer, status)) return true;
        return false;
    }

    /// <summary>
    /// Queues the event once per stream of the connection that carries it: a WebSocket subscribed to two streams that
    /// both carry a post gets it once per stream, as Mastodon does; an event stream has one stream.
    /// </summary>
    private static void Deliver(StreamConnection c, Status status, Frames frames)
    {
        var viewer = c.Viewer;
        List<string[]>? sent = null;
        foreach (var s in c.Subscriptions)
        {
            if (!s.Carries(viewer, status)) continue;
            var stream = s.Stream;
            if (c.Transport == StreamTransport.ServerSentEvents)
            {
                c.Enqueue(frames.For(c.Transport, stream));
                return;
            }
            sent ??= [];
            if (sent.Exists(x => x.AsSpan().SequenceEqual(stream))) continue;
            sent.Add(stream);
            c.Enqueue(frames.For(c.Transport, stream));
        }
    }

    /// <summary>One event's frames, built on first use per transport and stream and then shared by every connection.</summary>
    private sealed class Frames(string name, string payload)
    {
        private byte[]? _sse;
        private Dictionary<string, byte[]>? _webSocket;

        public byte[] For(StreamTransport transport, string[] stream)
        {
            if (transport == StreamTransport.ServerSentEvents) return _sse ??= StreamConnection.Frame(transport, name, payload, stream);
            _webSocket ??= [];
            var key = string.Join('\u001f', stream);
            if (!_webSocket.TryGetValue(key, out var frame)) _webSocket[key] = frame = StreamConnection.Frame(transport, name, payload, stream);
            return frame;
        }
    }

    private Task DeleteAsync(StreamEvent e)
    {
        if (e.Deleted is null) return Task.CompletedTask;
        var status = e.Deleted.ToStatus(e.Id);
        var frames = new Frames("delete", e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var c in _connections.Values)
        {
            if (c.Closed || !c.CanSee(status)) continue;
            Deliver(c, status, frames);
        }
        return Task.CompletedTask;
    }

    private async Task NotificationAsync(StreamEvent e, CancellationToken ct)
    {
        var readers = _connections.Values.Where(c => !c.Closed && c.AccountId == e.AccountId && c.Subscriptions.Any(s => s.CarriesNotifications)).ToList();
        if (readers.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var notifications = scope.ServiceProvider.GetRequiredService<NotificationReader>();
        var viewer = readers[0].Viewer;
        // The same query as GET /api/v1/notifications: the status and its author must still be visible to the recipient.
        var rows = await notifications.Visible(viewer).Where(n => n.Id == e.Id).ToListAsync(ct);
        if (rows.Count == 0) return;
        var frames = new Frames("notification", JsonSerializer.Serialize((await notifications.RenderAsync(viewer, rows, ct))[0], json.Value.SerializerOptions));
        foreach (var c in readers)
            foreach (var s in c.Subscriptions)
                if (s.CarriesNotifications) c.Enqueue(frames.For(c.Transport, s.Stream));
    }

    /// <summary>Reloads the viewers whose access may have changed; a suspended or deleted account's streams are closed.</summary>
    private async Task AccessAsync(StreamEvent e, CancellationToken ct)
    {
        var affected = _connections.Values.Where(c => !c.Closed
            && ((e.AccountId is { } a && c.AccountId == a) || (e.PartnerOrgId is { } o && c.Viewer.IsGuest && c.Viewer.PartnerOrgId == o))).ToList();
        if (affected.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<ViewerLoader>();
        foreach (var account in affected.GroupBy(c => c.AccountId))
        {
            var viewer = await loader.LoadAsync(account.Key, ct);
            foreach (var c in account)
            {
                if (viewer is null) c.Close("the account is suspended");
                else c.SetViewer(_rules.For(viewer));
            }
        }
    }

    /// <summary>
    /// Heartbeats for event streams (one timer for all connections) and, every few seconds, a look at the grants of
    /// connected guests: a grant revoked by another process (the CLI) or one that expired takes effect here too.
    /// </summary>
    private static readonly ReadOnlyMemory<byte> Thump = ":thump\n\n"u8.ToArray();

    private async Task MaintainAsync(CancellationToken ct)
    {
        var s = settings.Value.Streaming;
        var beat = TimeSpan.FromSeconds(Math.Max(1, s.HeartbeatSeconds));
        var check = TimeSpan.FromSeconds(Math.Max(1, s.GrantCheckSeconds));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lastBeat = DateTimeOffset.UtcNow;
        var lastCheck = DateTimeOffset.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = DateTimeOffset.UtcNow;
                if (now - lastBeat >= beat)
                {
                    lastBeat = now;
                    foreach (var c in _connections.Values)
                        if (c.Transport == StreamTransport.ServerSentEvents && !c.Closed) c.Enqueue(Thump);
                }
                if (now - lastCheck >= check)
                {
                    lastCheck = now;
                    try { await CheckGrantsAsync(ct); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "Could not check the grants of connected guests"); }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task CheckGrantsAsync(CancellationToken ct)
    {
        var guests = _connections.Values.Where(c => !c.Closed && c.Viewer.IsGuest).GroupBy(c => c.Viewer.PartnerOrgId).ToList();
        if (guests.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<ViewerLoader>();
        foreach (var org in guests)
        {
            var granted = (await loader.ActiveGrantedTeamsAsync(org.Key, ct)).Order().ToArray();
            if (org.Any(c => !c.Viewer.GrantedTeamIds.Order().SequenceEqual(granted))) Receive(StreamEvent.AccessOfOrg(org.Key));
        }
    }
}
