using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// The streaming API (Mastodon's protocol, SSE and WebSocket): events arrive rendered for their reader, and a reader
/// never gets an event about a post it could not read through the REST API, even as its access changes.
/// World: alice and bob in team ops; carol follows alice (not in ops); gina is a guest of acme, which ops grants.
/// </summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync(new()
    {
        ["Gazouille:Audiences:PublicEnabled"] = "true", ["Gazouille:Streaming:HeartbeatSeconds"] = "1",
    });

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private static string Token(HttpClient c) => c.DefaultRequestHeaders.Authorization!.Parameter!;

    private HttpClient Bare() => _w.Factory.Client();

    [Fact]
    public async Task Sse_user_stream_gets_a_followed_post_its_edit_and_its_deletion_as_Mastodon_sends_them()
    {
        await using var carol = await SseStream.OpenAsync(_w.Carol, "/api/v1/streaming/user");
        var post = await _w.Alice.PostStatusAsync("Le déploiement est fini #release", "company");

        var update = (await carol.NextAsync())!;
        Assert.Equal("update", update.Event);
        Assert.Equal(post.Id(), update.Json.Id());
        Assert.Contains("Le déploiement est fini", update.Json.Str("content"));
        Assert.Equal("company", update.Json.Str("audience"));
        // Rendered for carol: her own flags, no Leak Guard verdict (that is for the author only).
        Assert.False(update.Json.GetProperty("favourited").GetBoolean());
        Assert.False(update.Json.TryGetProperty("leak_guard", out var lg) && lg.ValueKind != JsonValueKind.Null);

        (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "Le déploiement est fini, merci à tous" })).EnsureSuccessStatusCode();
        var edit = (await carol.NextAsync())!;
        Assert.Equal("status.update", edit.Event);
        Assert.Contains("merci à tous", edit.Json.Str("content"));

        (await _w.Alice.DeleteAsync($"/api/v1/statuses/{post.Id()}")).EnsureSuccessStatusCode();
        var delete = (await carol.NextAsync())!;
        Assert.Equal("delete", delete.Event);
        Assert.Equal(post.Id(), delete.Payload);
    }

    [Fact]
    public async Task A_new_post_is_rendered_once_for_its_employee_readers_as_each_reads_it_and_a_post_with_a_hidden_reply_once_per_reader()
    {
        (string Name, HttpClient Client)[] readers = [("alice", _w.Alice), ("bob", _w.Bob), ("carol", _w.Carol), ("mod", _w.Mod)];
        var streams = new List<SseStream>();
        foreach (var (_, client) in readers) streams.Add(await SseStream.OpenAsync(client, "/api/v1/streaming/company"));
        try
        {
            var post = await _w.Alice.PostStatusAsync("La démo de jeudi est prête", "company");
            await AssertEachGetsWhatTheApiShowsAsync("update");
            // Bob, carol and mod share one rendering: two saved. Alice, the author, gets her own (the guard's verdict).
            Assert.Equal(2, await SharedRenderingsAsync(atLeast: 2));

            // A reply that only team ops (alice, bob) can see: the post's counts now depend on who reads it (I3).
            await _w.Bob.PostStatusAsync("On la répète mercredi", "team:ops", inReplyTo: post.Id());
            (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "La démo de jeudi est prête, salle Everest" })).EnsureSuccessStatusCode();
            var edits = await AssertEachGetsWhatTheApiShowsAsync("status.update");
            Assert.Equal(1, edits["bob"].GetProperty("replies_count").GetInt32());
            Assert.Equal(0, edits["carol"].GetProperty("replies_count").GetInt32());
            Assert.Equal(2, await SharedRenderingsAsync(atLeast: 2));

            async Task<Dictionary<string, JsonElement>> AssertEachGetsWhatTheApiShowsAsync(string name)
            {
                var seen = new Dictionary<string, JsonElement>();
                for (var i = 0; i < readers.Length; i++)
                {
                    var e = (await streams[i].NextAsync())!;
                    Assert.Equal(name, e.Event);
                    Assert.Equal(post.Id(), e.Json.Id());
                    var read = await readers[i].Client.GetFromJsonAsync<JsonElement>($"/api/v1/statuses/{post.Id()}");
                    Assert.True(JsonElement.DeepEquals(read, e.Json), $"{readers[i].Name}'s stream sent {e.Json}\nwhile the API shows {read}");
                    seen[readers[i].Name] = e.Json;
                }
                return seen;
            }
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
        }
    }

    /// <summary>The node's count of stream renderings saved by sharing, once it is at least <paramref name="atLeast"/> (or after 5 s).</summary>
    private async Task<long> SharedRenderingsAsync(long atLeast)
    {
        long value = 0;
        for (var i = 0; i < 25; i++)
        {
            var text = await Bare().GetStringAsync("/metrics");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("gazouille_streams_renderings_shared", StringComparison.Ordinal));
            value = line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (value >= atLeast) break;
            await Task.Delay(200);
        }
        return value;
    }

    [Fact]
    public async Task Sse_notification_stream_gets_a_mention_rendered_like_the_notifications_API()
    {
        await using var alice = await SseStream.OpenAsync(_w.Alice, "/api/v1/streaming/user/notification");
        var post = await _w.Bob.PostStatusAsync("@alice tu peux relire ?", "team:ops");
        var e = (await alice.NextAsync())!;
        Assert.Equal("notification", e.Event);
        Assert.Equal("mention", e.Json.Str("type"));
        Assert.Equal(post.Id(), e.Json.GetProperty("status").Id());
        var listed = (await _w.Alice.GetOkAsync("/api/v1/notifications")).EnumerateArray().First();
        Assert.Equal(listed.Id(), e.Json.Id());
    }

    [Fact]
    public async Task Sse_sends_a_heartbeat_comment_and_the_health_route_answers_OK()
    {
        await using var carol = await SseStream.OpenAsync(_w.Carol, "/api/v1/streaming/public");
        var beat = await carol.NextAsync(TimeSpan.FromSeconds(5), skipHeartbeats: false);
        Assert.Equal(":thump", beat!.Payload);
        var health = await Bare().GetAsync("/api/v1/streaming/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("OK", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_company_post_never_reaches_a_guest_stream_while_the_partner_channel_does()
    {
        await using var gina = await WsStream.ConnectAsync(_w.Factory, Token(_w.Gina));
        await gina.SubscribeAndWaitAsync("user");
        await gina.SubscribeAndWaitAsync("company");
        await gina.SubscribeAndWaitAsync("team", team: "ops");
        await _w.Bob.PostStatusAsync("Pour l'équipe interne seulement", "company");
        await _w.Bob.PostStatusAsync("Pour ops seulement", "team:ops");
        var shared = await _w.Bob.PostStatusAsync("Bonjour acme !", "partners:ops");
        // Events leave in publication order: the first one gina gets is the first post she may read.
        var first = await gina.NextEventAsync();
        Assert.Equal("update", first.Event);
        Assert.Equal(shared.Id(), first.Json.Id());
    }

    [Fact]
    public async Task A_team_post_reaches_the_team_stream_of_members_only()
    {
        await using var carol = await WsStream.ConnectAsync(_w.Factory, Token(_w.Carol));
        await carol.SubscribeAndWaitAsync("team", team: "ops");
        await carol.SubscribeAndWaitAsync("company");
        await using var alice = await SseStream.OpenAsync(_w.Alice, "/api/v1/streaming/team?team=ops");
        var teamPost = await _w.Bob.PostStatusAsync("Réunion ops à 14h", "team:ops");
        var companyPost = await _w.Bob.PostStatusAsync("Réunion générale à 16h", "company");

        Assert.Equal(teamPost.Id(), (await alice.NextAsync())!.Json.Id());
        var first = await carol.NextEventAsync();
        Assert.Equal(companyPost.Id(), first.Json.Id());
        Assert.Equal(["company"], first.Stream);
    }

    [Fact]
    public async Task A_held_post_is_streamed_only_once_a_moderator_approves_it()
    {
        await using var gina = await SseStream.OpenAsync(_w.Gina, "/api/v1/streaming/team?team=ops");
        var held = await (await LeakGuardWorld.PostAsync(_w.Alice, "Document confidentiel, ne pas diffuser : le planning", "partners:ops")).OkJsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").Str("state"));
        var marker = await _w.Bob.PostStatusAsync("Bienvenue aux partenaires", "partners:ops");
        Assert.Equal(marker.Id(), (await gina.NextAsync())!.Json.Id());

        await _w.Mod.PostOkAsync($"/api/v1/gazouille/moderation/held/{held.Id()}/approve");
        var approved = (await gina.NextAsync())!;
        Assert.Equal("update", approved.Event);
        Assert.Equal(held.Id(), approved.Json.Id());
    }

    [Fact]
    public async Task A_revoked_partner_gets_nothing_more_from_the_channel_at_once()
    {
        await using var gina = await WsStream.ConnectAsync(_w.Factory, Token(_w.Gina));
        await gina.SubscribeAndWaitAsync("team", team: "ops");
        await gina.SubscribeAndWaitAsync("public");
        var before = await _w.Bob.PostStatusAsync("Point hebdo partenaires", "partners:ops");
        Assert.Equal(before.Id(), (await gina.NextEventAsync()).Json.Id());

        var grant = (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/grants")).EnumerateArray().Single();
        (await _w.Root.DeleteAsync($"/api/v1/gazouille/admin/grants/{grant.Id()}")).EnsureSuccessStatusCode();
        await _w.Bob.PostStatusAsync("Après la révocation", "partners:ops");
        var open = await _w.Bob.PostStatusAsync("Annonce publique", "public");
        // Either the stream was closed, or the next thing gina hears is the public post: never the partner post.
        var next = await gina.NextAsync();
        if (next is { } m) Assert.Equal(open.Id(), JsonDocument.Parse(m.GetProperty("payload").GetString()!).RootElement.Id());
    }

    [Fact]
    public async Task A_suspended_guest_stream_is_closed_at_once()
    {
        await using var gina = await SseStream.OpenAsync(_w.Gina, "/api/v1/streaming/user");
        await using var ws = await WsStream.ConnectAsync(_w.Factory, Token(_w.Gina));
        await ws.SubscribeAndWaitAsync("user");
        (await _w.Root.PostAsync($"/api/v1/gazouille/admin/accounts/{_w.GinaId}/suspend", null)).EnsureSuccessStatusCode();
        await _w.Bob.PostStatusAsync("Après la suspension", "partners:ops");
        Assert.Null(await gina.NextAsync());
        Assert.Null(await ws.NextAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _w.Gina.GetAsync("/api/v1/streaming/user", HttpCompletionOption.ResponseHeadersRead)).StatusCode);
    }

    [Fact]
    public async Task Missing_or_invalid_tokens_get_401_with_a_Mastodon_error()
    {
        foreach (var url in new[] { "/api/v1/streaming/user", "/api/v1/streaming/public", "/api/v1/streaming/user?access_token=nope", "/api/v1/streaming" })
        {
            var response = await Bare().GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(string.IsNullOrEmpty((await response.JsonAsync()).Str("error")), url);
        }
        var bad = Bare();
        bad.DefaultRequestHeaders.Authorization = new("Bearer", "forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/v1/streaming/user", HttpCompletionOption.ResponseHeadersRead)).StatusCode);
        // The token in the query string works, as Mastodon clients send it.
        await using var ok = await SseStream.OpenAsync(Bare(), $"/api/v1/streaming/user?access_token={Uri.EscapeDataString(Token(_w.Carol))}");
    }

    [Theory]
    [InlineData("/api/v1/streaming/hashtag", 400)]
    [InlineData("/api/v1/streaming/list?list=1", 404)]
    [InlineData("/api/v1/streaming/list", 400)]
    [InlineData("/api/v1/streaming/team?team=nope", 404)]
    [InlineData("/api/v1/streaming/team?team=o%00ps", 404)] // a NUL, which PostgreSQL refuses in a query's parameter
    [InlineData("/api/v1/streaming/team", 400)]
    [InlineData("/api/v1/streaming?stream=nope", 400)]
    [InlineData("/api/v1/streaming/nope", 404)]
    public async Task Streams_that_cannot_be_opened_answer_a_Mastodon_error(string url, int status)
    {
        var response = await _w.Carol.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.JsonAsync()).Str("error")));
    }

    [Fact]
    public async Task A_guest_asking_for_a_team_that_does_not_grant_it_gets_the_answer_of_a_missing_team()
    {
        await _w.Factory.CreateTeamAsync("secret", "bob");
        var hidden = await _w.Gina.GetAsync("/api/v1/streaming/team?team=secret", HttpCompletionOption.ResponseHeadersRead);
        var missing = await _w.Gina.GetAsync("/api/v1/streaming/team?team=nothing", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(await missing.Content.ReadAsStringAsync(), await hidden.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSocket_takes_the_token_from_its_protocol_and_sends_Mastodon_frames()
    {
        await using var ws = await WsStream.ConnectAsync(_w.Factory, Token(_w.Carol));
        Assert.Equal(Token(_w.Carol), ws.Socket.SubProtocol);
        await ws.SubscribeAndWaitAsync("hashtag", tag: "Release");
        var post = await _w.Alice.PostStatusAsync("Nouvelle version #release", "company");
        var e = await ws.NextEventAsync();
        Assert.Equal("update", e.Event);
        Assert.Equal(["hashtag", "release"], e.Stream);
        Assert.Equal(post.Id(), e.Json.Id());

        await ws.SendAsync("""{"type":"unsubscribe","stream":"hashtag","tag":"release"}""");
        await ws.SubscribeAndWaitAsync("user:notification");
        await _w.Alice.PostStatusAsync("Encore #release", "company");
        await _w.Bob.PostStatusAsync("@carol bonjour", "company");
        var n = await ws.NextEventAsync();
        Assert.Equal("notification", n.Event);
        Assert.Equal(["user:notification"], n.Stream);
    }

    [Fact]
    public async Task WebSocket_with_the_token_in_the_query_string_and_an_initial_stream()
    {
        await using var ws = await WsStream.ConnectAsync(_w.Factory, query: $"?access_token={Uri.EscapeDataString(Token(_w.Carol))}&stream=user");
        await ws.SendAsync("""{"type":"sync"}""");
        Assert.True((await ws.NextAsync())!.Value.TryGetProperty("error", out _));
        var post = await _w.Alice.PostStatusAsync("Bonjour le flux", "company");
        Assert.Equal(post.Id(), (await ws.NextEventAsync()).Json.Id());
    }

    [Fact]
    public async Task WebSocket_without_a_token_is_refused_with_401()
    {
        var client = _w.Factory.Server.CreateWebSocketClient();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri("ws://localhost/api/v1/streaming"), CancellationToken.None));
        Assert.Contains("401", e.Message);
    }

    [Fact]
    public async Task Hostile_WebSocket_messages_get_errors_and_the_connection_survives_or_closes_cleanly()
    {
        await using var ws = await WsStream.ConnectAsync(_w.Factory, Token(_w.Carol));
        foreach (var (message, status) in new[]
                 {
                     ("{not json", 400), ("[1,2,3]", 400), ("\"subscribe\"", 400), ("""{"type":"subscribe","stream":"nope"}""", 400),
                     ("""{"type":"subscribe","stream":"hashtag"}""", 400), ("""{"type":"subscribe","stream":"list","list":7}""", 404),
                     ("""{"type":"subscribe","stream":"team","team":"nope"}""", 404), ("""{"type":"subscribe","stream":"team","team":"o\u0000ps"}""", 404),
                     ("""{"type":"subscribe","stream":{"a":1}}""", 400),
                     ("""{"type":"explode"}""", 400),
                 })
        {
            await ws.SendAsync(message);
            var reply = (await ws.NextAsync())!.Value;
            Assert.Equal(status, reply.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(reply.Str("error")), message);
        }
        // Still open and working.
        await ws.SubscribeAndWaitAsync("public");

        await ws.SendAsync("""{"type":"subscribe","stream":"hashtag","tag":" """ + new string('x', 100_000) + "\"}");
        var error = (await ws.NextAsync())!.Value;
        Assert.Equal(413, error.GetProperty("status").GetInt32());
        Assert.Null(await ws.NextAsync());
        Assert.Equal(WebSocketCloseStatusOrNull(ws), System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation);
    }

    private static System.Net.WebSockets.WebSocketCloseStatus? WebSocketCloseStatusOrNull(WsStream ws) => ws.Socket.CloseStatus;

    [Fact]
    public async Task The_instance_advertises_its_streaming_url_with_a_ws_scheme()
    {
        var v2 = await Bare().GetOkAsync("/api/v2/instance");
        Assert.Equal("ws://gazouille.test", v2.GetProperty("configuration").GetProperty("urls").Str("streaming"));
        Assert.Equal("wss://http.example", Features.Instance.InstanceApi.StreamingBase("https://http.example"));
    }

    [Fact]
    public async Task A_stream_still_being_opened_when_its_sessions_are_ended_is_closed_as_it_registers()
    {
        var hub = _w.Factory.Services.GetRequiredService<Features.Streaming.StreamHub>();
        var viewer = await _w.Factory.WithScopeAsync(sp => sp.GetRequiredService<Hosting.ViewerLoader>().LoadAsync(_w.AliceId));
        // The request was authenticated, then the revocation was handled (finding no stream to close), then the stream
        // registered: it must end at once, not live on with a dead token.
        var authenticatedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var marker = Features.Streaming.StreamEvent.SessionsEnded(_w.AliceId);
        hub.Receive(marker);
        await WaitUntilAsync(() => hub.HandledRevocations > 0);
        var late = hub.Open(viewer!, Features.Streaming.StreamTransport.ServerSentEvents, null, authenticatedAt, new Features.Streaming.StreamSubscription("public"));
        // A stream authenticated after the revocation (a new sign-in) is not touched.
        var fresh = hub.Open(viewer!, Features.Streaming.StreamTransport.ServerSentEvents, null, System.Diagnostics.Stopwatch.GetTimestamp(), new Features.Streaming.StreamSubscription("public"));
        try
        {
            Assert.True(late.Closed);
            Assert.False(fresh.Closed);
        }
        finally
        {
            hub.Remove(late);
            hub.Remove(fresh);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), "the hub did not handle the event within 10 s");
    }

    [Fact]
    public async Task A_reader_too_slow_for_its_queue_is_dropped_instead_of_buffered()
    {
        var hub = _w.Factory.Services.GetRequiredService<Features.Streaming.StreamHub>();
        var viewer = await _w.Factory.WithScopeAsync(sp => sp.GetRequiredService<Hosting.ViewerLoader>().LoadAsync(_w.AliceId));
        var connection = hub.Open(viewer!, Features.Streaming.StreamTransport.ServerSentEvents, null, new Features.Streaming.StreamSubscription("public"));
        try
        {
            for (var i = 0; i <= Features.Streaming.StreamConnection.QueueCapacity; i++) connection.Enqueue(":thump\n\n");
            Assert.True(connection.Closed);
        }
        finally
        {
            hub.Remove(connection);
        }
    }
}
