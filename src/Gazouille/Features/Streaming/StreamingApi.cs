using System.Diagnostics;
using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace Gazouille.Features.Streaming;

/// <summary>
/// Mastodon's streaming API: server-sent events at <c>/api/v1/streaming/&lt;stream&gt;</c> and a WebSocket at
/// <c>/api/v1/streaming</c> (subscribe/unsubscribe messages), plus our <c>company</c> and <c>team</c> streams. Every
/// stream needs a signed-in reader: a token (header, <c>access_token</c>, or the WebSocket protocol) or the web session.
/// </summary>
public static class StreamingApi
{
    private const string Prefix = "/api/v1/streaming";

    /// <summary>SSE paths and the stream each one opens.</summary>
    private static readonly (string Path, string Stream, string Scope)[] Routes =
    [
        ("/user", "user", "read:statuses"), ("/user/notification", "user:notification", "read:notifications"),
        ("/public", "public", "read:statuses"), ("/public/local", "public:local", "read:statuses"),
        ("/public/remote", "public:remote", "read:statuses"), ("/hashtag", "hashtag", "read:statuses"),
        ("/hashtag/local", "hashtag:local", "read:statuses"), ("/list", "list", "read:lists"),
        ("/company", "company", "read:statuses"), ("/team", "team", "read:statuses"),
    ];

    public static IEndpointRouteBuilder MapStreamingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("Streaming");
        group.MapGet("/health", () => TypedResults.Text("OK")).AllowAnonymous();
        foreach (var (path, stream, scope) in Routes)
            group.MapGet(path, (HttpContext http, StreamHub hub) => ServerSentEventsAsync(http, hub, stream)).RequireScope(scope);
        // The WebSocket, or (Mastodon accepts it too) an event stream chosen with ?stream=.
        group.MapGet("/", (HttpContext http, StreamHub hub, IOptions<GazouilleSettings> settings) => http.WebSockets.IsWebSocketRequest
            ? WebSocketAsync(http, hub, settings.Value.Streaming)
            : ServerSentEventsAsync(http, hub, http.Request.Query["stream"].ToString())).RequireScope("read:statuses");
        return app;
    }

    /// <summary>
    /// Mastodon clients send the token in the WebSocket protocol header or the query string; both become an Authorization
    /// header before authentication runs, so personal access tokens and OAuth tokens work alike.
    /// </summary>
    public static IApplicationBuilder UseStreamingTokens(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var request = http.Request;
        // Before authentication: a revocation handled after this moment may have missed the stream being opened.
        if (request.Path.StartsWithSegments(Prefix)) http.Items[AuthenticatedAtKey] = Stopwatch.GetTimestamp();
        if (request.Path.StartsWithSegments(Prefix) && string.IsNullOrEmpty(request.Headers.Authorization))
        {
            var token = request.Headers.SecWebSocketProtocol.ToString();
            if (string.IsNullOrWhiteSpace(token)) token = request.Query["access_token"].ToString();
            if (!string.IsNullOrWhiteSpace(token) && token.Length <= 4096 && !token.Any(c => char.IsControl(c) || c == ','))
                request.Headers.Authorization = "Bearer " + token.Trim();
        }
        return next(http);
    });

    private const string AuthenticatedAtKey = "gazouille.stream.authenticated_at";

    /// <summary>
    /// Streaming requests go through the whole pipeline (authentication, viewer, rate limits, authorization, the
    /// endpoint's checks) and come back out of it; the stream is then served from here. Served from the endpoint, an
    /// open stream kept every middleware's pending state for hours, and with it what they held: the request's database
    /// context and authentication handlers, the disposed scope's services table, OpenIddict's transactions (~10 KB a
    /// stream). Goes before everything but the security headers and the error handler.
    /// </summary>
    public static IApplicationBuilder UseStreamingHandoff(this IApplicationBuilder app) => app.Use((http, next) =>
        http.Request.Path.StartsWithSegments(Prefix) ? HandOffAsync(http, next) : next(http));

    private static async Task HandOffAsync(HttpContext http, RequestDelegate next)
    {
        await next(http);
        if (http.Features.Get<PendingStream>() is not { } pending) return;
        http.Features.Set<PendingStream>(null);
        // What authentication left in the request's features (OpenIddict's transactions, with their options and URIs)
        // is not needed any more; the request's services are released as well.
        http.Features.Set<OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreFeature>(null);
        http.Features.Set<OpenIddict.Validation.AspNetCore.OpenIddictValidationAspNetCoreFeature>(null);
        http.User = Nobody;
        await ReleaseRequestServicesAsync(http);
        await pending.Run(http);
    }

    /// <summary>Who the request is, once the stream knows its viewer and credential: the claims are not kept (~1 KB).</summary>
    private static readonly System.Security.Claims.ClaimsPrincipal Nobody = new(new System.Security.Claims.ClaimsIdentity());

    /// <summary>A stream request the endpoint accepted, served once the pipeline has returned (<see cref="UseStreamingHandoff"/>).</summary>
    private sealed record PendingStream(Func<HttpContext, Task> Run);

    /// <summary>What ends the stream when revoked: its OAuth token, or the browser session it came with.</summary>
    private static string? Credential(HttpContext http) =>
        http.User.GetTokenId() ?? (Accounts.BrowserSessionStore.CurrentId(http) is { } session ? Accounts.BrowserSessionStore.EventId(session) : null);

    /// <summary>When the streaming request arrived (before authentication), or long ago if it was not stamped.</summary>
    private static long AuthenticatedAt(HttpContext http) => http.Items[AuthenticatedAtKey] is long at ? at : 0;

    private static readonly ReadOnlyMemory<byte> Hello = ":)\n\n"u8.ToArray();

    private static async Task ServerSentEventsAsync(HttpContext http, StreamHub hub, string stream)
    {
        var ct = http.RequestAborted;
        var q = http.Request.Query;
        var viewer = http.Viewer();
        var (subscription, status, error) = await StreamSubscription.ResolveAsync(
            http.RequestServices.GetRequiredService<GazouilleDb>(), viewer, stream, q["tag"], q["list"], q["team"], ct);
        if (subscription is null)
        {
            http.Response.StatusCode = status;
            await http.Response.WriteAsJsonAsync(new ApiError(error!), ct);
            return;
        }
        var credential = Credential(http);
        var authenticatedAt = AuthenticatedAt(http);
        http.Features.Set(new PendingStream(h => StreamEventsAsync(h, hub, viewer, credential, authenticatedAt, subscription)));
    }

    private static async Task StreamEventsAsync(HttpContext http, StreamHub hub, Viewer viewer, string? credential, long authenticatedAt, StreamSubscription subscription)
    {
        var ct = http.RequestAborted;
        // Registered before the client hears anything: whatever happens once it has the headers (a post, a revocation)
        // reaches this stream; a revocation handled since the request was authenticated closes it at once.
        var connection = hub.Open(viewer, StreamTransport.ServerSentEvents, credential, authenticatedAt, subscription);
        try
        {
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            // Straight into Kestrel's output pipe (a write there is also a flush): the frames are UTF-8 bytes shared by
            // every connection.
            var body = http.Response.BodyWriter;
            await body.WriteAsync(Hello, ct);
            await foreach (var frame in connection.Frames.ReadAllAsync(ct))
                if ((await body.WriteAsync(frame, ct)).IsCompleted) break;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (IOException) { }
        finally
        {
            hub.Remove(connection);
        }
    }

    /// <summary>
    /// A stream needs nothing from its request's services once it is accepted, but the request's scope would keep them
    /// for hours: the database context and its connection, the authentication handlers and everything else the pipeline
    /// resolved. They are disposed now; an empty scope stands in for whatever runs at the end of the response.
    /// </summary>
    private static async ValueTask ReleaseRequestServicesAsync(HttpContext http)
    {
        if (http.Features.Get<IServiceProvidersFeature>() is not IAsyncDisposable requestScope) return;
        var replacement = http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        await requestScope.DisposeAsync();
        http.RequestServices = replacement.ServiceProvider;
        http.Response.RegisterForDisposeAsync(replacement);
    }

    private static async Task WebSocketAsync(HttpContext http, StreamHub hub, StreamingSettings settings)
    {
        var viewer = http.Viewer();
        var q = http.Request.Query;
        StreamSubscription? initial = null;
        string? initialError = null;
        if (q.ContainsKey("stream"))
        {
            var (s, _, e) = await StreamSubscription.ResolveAsync(
                http.RequestServices.GetRequiredService<GazouilleDb>(), viewer, q["stream"], q["tag"], q["list"], q["team"], http.RequestAborted);
            (initial, initialError) = (s, e);
        }
        var credential = Credential(http);
        var authenticatedAt = AuthenticatedAt(http);
        var scopes = http.RequestServices.GetRequiredService<IServiceScopeFactory>();
        http.Features.Set(new PendingStream(h => WebSocketStreamAsync(h, hub, scopes, viewer, credential, authenticatedAt, initial, initialError, settings)));
    }

    private static async Task WebSocketStreamAsync(HttpContext http, StreamHub hub, IServiceScopeFactory scopes, Viewer viewer, string? credential,
        long authenticatedAt, StreamSubscription? initial, string? initialError, StreamingSettings settings)
    {
        var ct = http.RequestAborted;
        // Mastodon echoes the protocol the client offered (its token); browsers refuse a handshake that drops it.
        var offered = http.Request.Headers.SecWebSocketProtocol.ToString();
        using var socket = await http.WebSockets.AcceptWebSocketAsync(string.IsNullOrWhiteSpace(offered) ? null : offered.Trim());
        var connection = hub.Open(viewer, StreamTransport.WebSocket, credential, authenticatedAt, initial is null ? [] : [initial]);
        if (initialError is not null) connection.Enqueue(ErrorMessage(initialError, 400));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = SendAsync(socket, connection, stop.Token);
        try
        {
            await ReceiveAsync(socket, connection, scopes, settings.MaxMessageBytes, stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException) { }
        finally
        {
            // Ending the queue lets the sender finish what is queued (an error, the close frame) before the socket goes.
            hub.Remove(connection);
            try { await sending.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None); }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException or WebSocketException or IOException) { }
            await stop.CancelAsync();
        }
    }

    private static async Task SendAsync(WebSocket socket, StreamConnection connection, CancellationToken ct)
    {
        await foreach (var frame in connection.Frames.ReadAllAsync(ct))
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
        // The server ended it (slow reader, suspension, shutdown): say why, then close.
        if (socket.State == WebSocketState.Open)
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, connection.CloseReason ?? "closed", ct);
    }

    /// <summary>Reads client messages; anything malformed gets an error message and the connection stays open.</summary>
    private static async Task ReceiveAsync(WebSocket socket, StreamConnection connection, IServiceScopeFactory scopes, int maxBytes, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            while (socket.State == WebSocketState.Open && !connection.Closed)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), ct);
                    length += result.Count;
                } while (!result.EndOfMessage && length < buffer.Length);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                    return;
                }
                if (!result.EndOfMessage || length > maxBytes)
                {
                    // Reading on would mean buffering whatever the client sends: it is told why, then the connection closes.
                    connection.Enqueue(ErrorMessage($"Messages are limited to {maxBytes} bytes", 413));
                    connection.Close("message too big");
                    return;
                }
                if (result.MessageType != WebSocketMessageType.Text) { connection.Enqueue(ErrorMessage("Send JSON text messages", 400)); continue; }
                await HandleAsync(connection, scopes, buffer.AsMemory(0, length), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task HandleAsync(StreamConnection connection, IServiceScopeFactory scopes, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        string? type, stream, tag, list, team;
        try
        {
            using var doc = JsonDocument.Parse(message);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { connection.Enqueue(ErrorMessage("Send a JSON object", 400)); return; }
            type = Text(doc.RootElement, "type");
            stream = Text(doc.RootElement, "stream");
            tag = Text(doc.RootElement, "tag");
            list = Text(doc.RootElement, "list");
            team = Text(doc.RootElement, "team");
        }
        catch (JsonException)
        {
            connection.Enqueue(ErrorMessage("The message is not valid JSON", 400));
            return;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\uDFFF") is valid JSON but no string .NET can hold; it used to end the socket abruptly.
            connection.Enqueue(ErrorMessage("The message contains text that is not valid Unicode", 400));
            return;
        }
        if (type is not ("subscribe" or "unsubscribe"))
        {
            connection.Enqueue(ErrorMessage("Unknown message type: use subscribe or unsubscribe", 400));
            return;
        }
        // The request's services are gone by now (see UseStreamingHandoff): a subscription gets its own.
        await using var scope = scopes.CreateAsyncScope();
        var (subscription, status, error) = await StreamSubscription.ResolveAsync(
            scope.ServiceProvider.GetRequiredService<GazouilleDb>(), connection.Viewer, stream, tag, list, team, ct);
        if (subscription is null) { connection.Enqueue(ErrorMessage(error!, status)); return; }
        if (type == "subscribe") connection.Subscribe(subscription);
        else connection.Unsubscribe(subscription);
    }

    /// <summary>A string field, or a number given for one (list ids); anything else counts as missing.</summary>
    private static string? Text(JsonElement o, string name) => o.TryGetProperty(name, out var v)
        ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Number => v.GetRawText(), _ => null }
        : null;

    private static string ErrorMessage(string error, int status) => JsonSerializer.Serialize(new { error, status });
}
