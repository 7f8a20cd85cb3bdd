using System.Text.Json;

namespace Gazouille.Tests.Worlds;

/// <summary>
/// The streaming API while a world is written: every employee and guest holds a WebSocket subscribed to its user,
/// public, company, hashtag and team streams (a guest's ungranted teams are refused), and no event may carry a post
/// or name an account the oracle hides from it — before a revocation, and after it on the very same connections.
/// </summary>
public sealed class WorldStreams(GazouilleFactory factory, World world) : IAsyncDisposable
{
    private sealed class Listener(Person person, WsStream socket)
    {
        public Person Person { get; } = person;
        public WsStream Socket { get; } = socket;
        public List<JsonElement> Messages { get; } = [];
        public Task? Loop { get; set; }
    }

    private readonly List<Listener> _listeners = [];
    private readonly Dictionary<Listener, int> _checked = [];

    public async Task OpenAsync()
    {
        foreach (var person in world.Everyone)
        {
            var socket = await WsStream.ConnectAsync(factory, person.Token);
            var listener = new Listener(person, socket);
            _listeners.Add(listener);
            await socket.SubscribeAsync("user");
            await socket.SubscribeAsync("public");
            await socket.SubscribeAsync("company");
            await socket.SubscribeAsync("hashtag", tag: world.Tag);
            foreach (var team in world.Teams) await socket.SubscribeAsync("team", team: team);
            // Messages are handled in order: the answer to an unknown one means every subscription is in place.
            await socket.SendAsync("""{"type":"sync"}""");
            while (await socket.NextAsync() is { } m && !(m.TryGetProperty("error", out var e) && e.GetString()!.StartsWith("Unknown message type", StringComparison.Ordinal)))
            {
            }
            listener.Loop = Task.Run(async () =>
            {
                try
                {
                    while (await socket.NextAsync(TimeSpan.FromMinutes(10)) is { } message)
                        lock (listener.Messages) listener.Messages.Add(message);
                }
                catch (Exception e) when (e is TimeoutException or System.Net.WebSockets.WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
                {
                }
            });
        }
    }

    /// <summary>Waits until every stream has the (public) sentinel post, then checks what came before it against the oracle now.</summary>
    public async Task<List<string>> CheckUpToAsync(string sentinelId)
    {
        var violations = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        foreach (var listener in _listeners)
        {
            int upTo;
            while ((upTo = IndexOf(listener, sentinelId)) < 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    violations.Add($"{listener.Person.Name}'s stream never received the public post {sentinelId}");
                    break;
                }
                await Task.Delay(10);
            }
            if (upTo < 0) continue;
            var from = _checked.GetValueOrDefault(listener);
            _checked[listener] = upTo + 1;
            List<JsonElement> messages;
            lock (listener.Messages) messages = listener.Messages.GetRange(from, upTo + 1 - from);
            var name = listener.Person.Name;
            var listed = world.Listed(name);
            foreach (var m in messages.Where(m => m.TryGetProperty("event", out _)))
            {
                var kind = m.GetProperty("event").GetString();
                var stream = string.Join(":", m.GetProperty("stream").EnumerateArray().Select(s => s.GetString()));
                if (kind is "update" or "status.update")
                {
                    var status = JsonDocument.Parse(m.GetProperty("payload").GetString()!).RootElement;
                    foreach (var id in StatusIds(status).Where(id => !listed.Contains(id)))
                        violations.Add($"{name}'s {stream} stream received {kind} of post {id} ({Describe(id)}), which it may not read");
                }
                else if (kind == "notification")
                {
                    var n = JsonDocument.Parse(m.GetProperty("payload").GetString()!).RootElement;
                    var from2 = world.FindById(n.GetProperty("account").GetProperty("id").GetString()!);
                    if (from2 is null || !world.SeesAccount(name, from2.Name))
                        violations.Add($"{name}'s {stream} stream received a notification from {from2?.Name ?? "someone of another world"}, whom it may not see");
                    if (n.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
                        foreach (var id in StatusIds(status).Where(id => !listed.Contains(id)))
                            violations.Add($"{name}'s {stream} stream received a notification about post {id} ({Describe(id)}), which it may not read");
                }
            }
        }
        return violations;
    }

    private static IEnumerable<string> StatusIds(JsonElement status)
    {
        yield return status.GetProperty("id").GetString()!;
        if (status.TryGetProperty("reblog", out var reblog) && reblog.ValueKind == JsonValueKind.Object) yield return reblog.GetProperty("id").GetString()!;
    }

    private static int IndexOf(Listener listener, string statusId)
    {
        lock (listener.Messages)
            return listener.Messages.FindIndex(m => m.TryGetProperty("event", out var e) && e.GetString() == "update"
                && JsonDocument.Parse(m.GetProperty("payload").GetString()!).RootElement.GetProperty("id").GetString() == statusId);
    }

    private string Describe(string id) => world.PostById(id) is { } p ? $"{p.Author} → {p.Audience}{(p.Held ? ", held" : "")}" : "of another world";

    public async ValueTask DisposeAsync()
    {
        // Aborted, not closed: a closing handshake per socket would cost more than the world.
        foreach (var listener in _listeners) listener.Socket.Socket.Abort();
        foreach (var listener in _listeners)
        {
            if (listener.Loop is { } loop) await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(2)));
            listener.Socket.Socket.Dispose();
        }
    }
}
