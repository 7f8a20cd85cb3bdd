using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;

namespace Gazouille.Tests;

/// <summary>One event received from a stream: its name and its payload (the entity as JSON, or a status id).</summary>
public sealed record StreamedEvent(string Event, string Payload, string[] Stream)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement.Clone();
}

/// <summary>A server-sent events client over the test server: reads the response line by line as it arrives.</summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[8192];
    private Task<int>? _read;
    public List<string> Comments { get; } = [];

    private SseStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _body = body;
    }

    public static async Task<SseStream> OpenAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        // The body of a stream never ends: it is read only to explain a refusal.
        if (!response.IsSuccessStatusCode) Assert.Fail($"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString());
        var stream = new SseStream(response, await response.Content.ReadAsStreamAsync());
        // The server's opening comment: once it is here, the stream is registered and will get events.
        Assert.Equal(":)", await stream.ReadLineAsync(TimeSpan.FromSeconds(10)));
        return stream;
    }

    /// <summary>
    /// The next line, or null at the end of the stream. A read still waiting when the time is up is kept for the next
    /// call (the test server's response stream does not honour cancellation), so no byte is lost.
    /// </summary>
    private async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        var deadline = Task.Delay(timeout, _stop.Token);
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_pending.GetRange(0, newline).ToArray());
                _pending.RemoveRange(0, newline + 1);
                return line;
            }
            _read ??= _body.ReadAsync(_buffer, 0, _buffer.Length);
                if (await Task.WhenAny(_read, deadline) != _read) throw new OperationCanceledException();
            var n = await _read;
                _read = null;
            if (n == 0) return null;
            _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>The next event (comments skipped and kept), or null when the server closed the stream; fails after the timeout.</summary>
    public async Task<StreamedEvent?> NextAsync(TimeSpan? timeout = null, bool skipHeartbeats = true)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        string? name = null;
        var data = new StringBuilder();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("No event arrived in time");
            string? line;
            try { line = await ReadLineAsync(left); }
            catch (OperationCanceledException) { throw new TimeoutException("No event arrived in time"); }
            if (line is null) return null;
            if (line.StartsWith(':'))
            {
                Comments.Add(line);
                if (!skipHeartbeats) return new StreamedEvent("comment", line, []);
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[6..]);
            else if (line.Length == 0 && name is not null) return new StreamedEvent(name, data.ToString(), []);
        }
    }

    /// <summary>The next <c>update</c> event (or, with <paramref name="until"/>, the one carrying that id); fails when the stream ends or the time is up.</summary>
    public async Task<StreamedEvent> NextUpdateAsync(TimeSpan timeout, string? until = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var e = await NextAsync(deadline - DateTime.UtcNow) ?? throw new InvalidOperationException("the stream ended");
            if (e.Event == "update" && (until is null || e.Json.Id() == until)) return e;
        }
    }

    /// <summary>Reads until the stream ends or the time is up; returns the events seen.</summary>
    public async Task<List<StreamedEvent>> DrainAsync(TimeSpan time)
    {
        var seen = new List<StreamedEvent>();
        var until = DateTime.UtcNow + time;
        try
        {
            while (DateTime.UtcNow < until && await NextAsync(until - DateTime.UtcNow) is { } e) seen.Add(e);
        }
        catch (TimeoutException) { }
        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A WebSocket client of /api/v1/streaming over the test server.</summary>
public sealed class WsStream(WebSocket socket) : IAsyncDisposable
{
    public WebSocket Socket { get; } = socket;

    public static async Task<WsStream> ConnectAsync(GazouilleFactory f, string? protocolToken = null, string query = "")
    {
        var client = f.Server.CreateWebSocketClient();
        if (protocolToken is not null) client.SubProtocols.Add(protocolToken);
        var socket = await client.ConnectAsync(new Uri("ws://localhost/api/v1/streaming" + query), CancellationToken.None);
        return new WsStream(socket);
    }

    public Task SendAsync(string text) => Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SubscribeAsync(string stream, string? tag = null, string? team = null) =>
        SendAsync(JsonSerializer.Serialize(new Dictionary<string, string?> { ["type"] = "subscribe", ["stream"] = stream, ["tag"] = tag, ["team"] = team }
            .Where(kv => kv.Value is not null).ToDictionary()));

    /// <summary>
    /// Subscribes, then waits until the server has handled it: messages are handled in order, so the error answering a
    /// message of no known type (sent right after) means the subscription is in place.
    /// </summary>
    public async Task SubscribeAndWaitAsync(string stream, string? tag = null, string? team = null)
    {
        await SubscribeAsync(stream, tag, team);
        await SendAsync("""{"type":"sync"}""");
        while (await NextAsync() is { } m)
        {
            Assert.False(m.TryGetProperty("error", out var e) && !e.GetString()!.StartsWith("Unknown message type", StringComparison.Ordinal), $"subscribe {stream}: {m}");
            if (m.TryGetProperty("error", out _)) return;
        }
        Assert.Fail("The server closed the socket");
    }

    /// <summary>The next message as JSON, or null when the server closed the socket.</summary>
    public async Task<JsonElement?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[1 << 16];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        try
        {
            do
            {
                result = await Socket.ReceiveAsync(buffer, cts.Token);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            } while (!result.EndOfMessage);
        }
        catch (OperationCanceledException) { throw new TimeoutException("No message arrived in time"); }
        return JsonDocument.Parse(text.ToString()).RootElement.Clone();
    }

    public async Task<StreamedEvent> NextEventAsync(TimeSpan? timeout = null)
    {
        var m = await NextAsync(timeout) ?? throw new InvalidOperationException("The server closed the socket");
        Assert.True(m.TryGetProperty("event", out var name), $"Expected an event, got {m}");
        return new StreamedEvent(name.GetString()!, m.GetProperty("payload").GetString()!,
            m.GetProperty("stream").EnumerateArray().Select(x => x.GetString()!).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
        Socket.Dispose();
    }
}
