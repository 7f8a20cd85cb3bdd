using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// An API fuzzer over every API route the server maps (read from its endpoint data source, so a new route is fuzzed
/// without anyone listing it): random and hostile JSON, forms, multipart, query strings, headers, route values and
/// huge bodies, sent as an employee, as a partner's guest and anonymously. Every answer must be below 500, arrive
/// within 10 seconds, and a guest's or an anonymous answer must never contain the text of posts outside its audience.
/// The run is seeded (GAZOUILLE_FUZZ_SEED, default fixed) and bounded in time (GAZOUILLE_FUZZ_SECONDS, default 30);
/// a failure names the seed and the request, so it can be replayed.
/// </summary>
public sealed class ApiFuzzTests : IAsyncLifetime
{
    private const string CompanyMarker = "ZQXCOMPANYONLY";
    private const string TeamMarker = "ZQXTEAMONLY";
    private const string OtherPartnerMarker = "ZQXOTHERPARTNER";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private GazouilleFactory _f = null!;
    private TestData _data = null!;
    private ServerProcess? _server;
    private List<Route> _routes = [];
    private readonly Dictionary<string, HttpClient> _viewers = [];
    private readonly List<string> _ids = [];
    private readonly List<string> _names = ["alice", "bob", "gina", "quentin", "core", "acme", "globex", "crashtest"];

    public async ValueTask InitializeAsync()
    {
        _data = await TestData.CreateAsync();
        _f = await GazouilleFactory.StartAsync(new() { ["Gazouille:RateLimits:Enabled"] = "false" }, _data);
        _routes = ApiRoutes();
        var (aliceId, alice) = await _f.SignedInAsync("alice");
        var (bobId, bob) = await _f.SignedInAsync("bob");
        await _f.CreatePartnerAsync("acme");
        await _f.CreatePartnerAsync("globex");
        await _f.CreateTeamAsync("core", "bob");
        await _f.CreateTeamAsync("secret", "bob");
        await _f.GrantAsync("core", "acme");
        await _f.GrantAsync("core", "globex");
        var (ginaId, gina) = await _f.SignedInAsync("gina", partner: "acme");
        var (quentinId, quentin) = await _f.SignedInAsync("quentin", partner: "globex");

        _ids.AddRange(new[] { aliceId, bobId, ginaId, quentinId }.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        // What the guest may read, and what it may not: the company's posts, another team's, another partner's.
        _ids.Add((await bob.PostStatusAsync("Ouvert aux partenaires #core", "partners:core")).Id());
        _ids.Add((await bob.PostStatusAsync($"{CompanyMarker} pour la maison #core", "company")).Id());
        _ids.Add((await bob.PostStatusAsync($"{TeamMarker} pour l'équipe", "team:secret")).Id());
        _ids.Add((await bob.PostStatusAsync($"{CompanyMarker} à mes abonnés", "followers")).Id());
        _ids.Add((await quentin.PostStatusAsync($"{OtherPartnerMarker} chez nous", "partners:core")).Id());
        var thread = (await alice.PostStatusAsync("Un fil public de la maison", "company")).Id();
        _ids.Add(thread);
        _ids.Add((await bob.PostStatusAsync($"@alice {CompanyMarker} en réponse", "company", inReplyTo: thread)).Id());
        await bob.PostAsync($"/api/v1/statuses/{_ids[^2]}/favourite", null);

        // Over real HTTP, as clients see it: Kestrel parses what the in-memory test host would refuse to send.
        var aliceToken = await _f.TokenAsync(aliceId);
        var ginaToken = await _f.TokenAsync(ginaId);
        await _f.DisposeAsync();
        _server = await ServerProcess.StartAsync(_data);
        _viewers["employee"] = RawClient(aliceToken);
        _viewers["guest"] = RawClient(ginaToken);
        _viewers["anonymous"] = RawClient(null);
    }

    /// <summary>A client that sends header values as UTF-8 bytes instead of refusing them, as a hostile client would.</summary>
    private HttpClient RawClient(string? token)
    {
        var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8, AllowAutoRedirect = false };
        var client = new HttpClient(handler) { BaseAddress = _server!.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _viewers.Values) client.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        await _data.DisposeAsync();
    }

    private sealed record Route(string Method, RoutePattern Pattern);

    private List<Route> ApiRoutes() =>
        _f.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && IsApi("/" + raw.TrimStart('/')))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"]).Select(m => new Route(m, e.RoutePattern)))
            .DistinctBy(r => (r.Method, r.Pattern.RawText))
            .OrderBy(r => r.Pattern.RawText, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

    private static bool IsApi(string path) =>
        path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/oauth/", StringComparison.Ordinal)
        || path.StartsWith("/.well-known/", StringComparison.Ordinal) || path.StartsWith("/nodeinfo", StringComparison.Ordinal);

    private static bool IsStream(string path) => path.StartsWith("/api/v1/streaming", StringComparison.Ordinal);

    [Fact]
    public async Task Hostile_requests_on_every_api_route_never_fail_hang_or_leak()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_FUZZ_SEED"), out var s) ? s : 20261126;
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_FUZZ_SECONDS"), out var d) ? d : 30;
        var routes = _routes;
        Assert.True(routes.Count > 50, $"only {routes.Count} API routes found");
        var random = new Random(seed);
        var findings = new List<string>();
        var sent = 0;
        var until = DateTime.UtcNow.AddSeconds(seconds);
        // Every route once in order first, then at random until the time is up.
        // The first pass covers every route whatever the machine's load; the time bound applies to the random part.
        for (var i = 0; (i < routes.Count * 3 || DateTime.UtcNow < until) && findings.Count < 20; i++)
        {
            var route = i < routes.Count * 3 ? routes[i / 3] : routes[random.Next(routes.Count)];
            var viewer = i < routes.Count * 3 ? _viewers.Keys.ElementAt(i % 3) : _viewers.Keys.ElementAt(random.Next(3));
            using var request = Request(random, route);
            var summary = $"#{i} {viewer} {request.Method} {Shorten(request.RequestUri!.OriginalString)} {await DescribeAsync(request.Content)}";
            sent++;
            if (await SendAsync(_viewers[viewer], request, viewer != "employee") is { } problem) findings.Add($"{summary}\n    → {problem}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: {sent} requests over {routes.Count} routes in {seconds} s, {findings.Count} findings");
        var log = _server!.Output;
        Assert.True(findings.Count == 0, $"seed {seed}, {sent} requests over {routes.Count} routes; {findings.Count} findings:\n" + string.Join('\n', findings)
            + "\nThe server's log ends with:\n" + log[Math.Max(0, log.Length - 6000)..]);
    }

    private static async Task<string?> SendAsync(HttpClient client, HttpRequestMessage request, bool outsider)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            var stream = IsStream(request.RequestUri!.AbsolutePath) || response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            string body;
            if (stream)
            {
                // A stream never ends by design: read what comes within a moment, which is where a leak would show.
                using var glance = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                var buffer = new byte[64 * 1024];
                var read = 0;
                try
                {
                    await using var content = await response.Content.ReadAsStreamAsync(timeout.Token);
                    read = await content.ReadAsync(buffer, glance.Token);
                }
                catch (OperationCanceledException) when (glance.IsCancellationRequested) { }
                body = Encoding.UTF8.GetString(buffer, 0, read);
            }
            else
            {
                body = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            if (code >= 500) return $"{code}: {Shorten(body)}";
            if (outsider && (body.Contains(CompanyMarker, StringComparison.Ordinal) || body.Contains(TeamMarker, StringComparison.Ordinal)))
                return $"{code}: LEAK of a post outside the audience: {Shorten(body)}";
            if (outsider && body.Contains(OtherPartnerMarker, StringComparison.Ordinal))
                return $"{code}: LEAK of another partner's post: {Shorten(body)}";
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"no answer within {RequestTimeout.TotalSeconds} s";
        }
        catch (HttpRequestException) when (request.Content?.Headers.ContentLength > 1024 * 1024)
        {
            // Kestrel may answer 413 and close the connection while a huge body is still being sent: a refusal, not a failure.
            return null;
        }
        catch (HttpRequestException e)
        {
            return $"the connection failed: {e.Message} {e.InnerException?.Message}";
        }
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + $"… ({s.Length} chars)";

    private static async Task<string> DescribeAsync(HttpContent? content)
    {
        if (content is null) return "(no body)";
        var type = content.Headers.ContentType?.ToString() ?? "(no type)";
        var bytes = await content.ReadAsByteArrayAsync();
        return $"[{type}] {Shorten(Encoding.UTF8.GetString(bytes))}";
    }

    // ---- what a hostile client sends ----

    private static readonly string[] ParamNames =
    [
        "status", "audience", "visibility", "in_reply_to_id", "spoiler_text", "sensitive", "language", "leak_guard_override", "media_ids[]",
        "limit", "max_id", "since_id", "min_id", "offset", "q", "type", "types[]", "exclude_types[]", "resolve", "following", "account_id",
        "id[]", "local", "only_media", "pinned", "exclude_replies", "tagged", "display_name", "note", "locked", "bot", "discoverable",
        "source[privacy]", "source[language]", "fields_attributes[0][name]", "client_name", "redirect_uris", "scopes", "website",
        "grant_type", "code", "client_id", "client_secret", "redirect_uri", "token", "username", "email", "password", "agreement", "locale",
        "reason", "text", "handle", "name", "member", "lead", "partner", "domain", "comment", "category", "forward", "reblog", "notify",
        "stream", "tag", "list", "access_token", "comment", "justification", "dictionaries", "emails[]", "role",
    ];

    private string[] Values() =>
    [
        "", " ", "0", "-1", "1", "true", "false", "null", "[]", "{}", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "99999999999999999999999", "1e308", "NaN", "0x10", "1.5", _ids[0], _ids[^1], _ids[5], "company", "public", "direct", "followers",
        "team:core", "team:secret", "partners:core", "partners:core:acme,globex", "partners:core:globex", "partners:", "team:", "unlisted", "private",
        "mention", "follow", "<script>alert(1)</script>", "'; DROP TABLE statuses; --", "%00", "\u0000", "\uFFFF", "\u202E", "🙂", "é",
        "../../etc/passwd", "http://127.0.0.1/", "javascript:alert(1)", "urn:ietf:wg:oauth:2.0:oob", "read write follow push", "admin",
        new string('a', 5000), new string('#', 600), string.Concat(Enumerable.Repeat("@alice ", 300)), "alice", "gina", "core", "acme", "globex",
        "fr", "en", "xx-invalid", "2026-11-26T04:00:00Z",
    ];

    private string Value(Random r)
    {
        var values = Values();
        return r.Next(8) == 0 ? RandomText(r, r.Next(1, 64)) : values[r.Next(values.Length)];
    }

    private const string Specials = "%&=?#[]{}\"\\/";

    private static string RandomText(Random r, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(r.Next(6) switch
            {
                0 => (char)r.Next(0x20, 0x7F),
                1 => (char)r.Next(0, 0x20),
                2 => (char)r.Next(0xD800, 0xE000), // lone surrogates
                3 => (char)r.Next(0x300, 0x370), // combining marks
                4 => Specials[r.Next(Specials.Length)],
                _ => (char)r.Next(0xA0, 0x2FFF),
            });
        }
        return sb.ToString();
    }

    private string RouteValue(Random r, RoutePatternParameterPart parameter)
    {
        if (r.Next(3) > 0)
            return parameter.Name is "id" or "statusId" or "accountId" ? _ids[r.Next(_ids.Count)] : _names[r.Next(_names.Count)];
        return Uri.EscapeDataString(Trim(Value(r), 300)) is { Length: > 0 } v ? v : "x";
    }

    private HttpRequestMessage Request(Random r, Route route)
    {
        var path = new StringBuilder();
        foreach (var segment in route.Pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => RouteValue(r, parameter),
                    _ => "",
                });
            }
        }
        if (r.Next(2) == 0) path.Append('?').Append(string.Join('&', Enumerable.Range(0, r.Next(1, 6)).Select(_ =>
            Uri.EscapeDataString(ParamNames[r.Next(ParamNames.Length)]) + "=" + Uri.EscapeDataString(Trim(Value(r), 2000)))));
        var request = new HttpRequestMessage(new HttpMethod(route.Method), path.ToString());
        if (route.Method is not ("GET" or "HEAD" or "DELETE") || r.Next(5) == 0) request.Content = Body(r);
        Headers(r, request);
        return request;
    }

    private static string Trim(string s, int max) => s.Length <= max ? s : s[..max];

    private HttpContent? Body(Random r)
    {
        switch (r.Next(10))
        {
            case 0: return null;
            case 1:
            case 2:
            case 3: return new StringContent(Json(r, 0), Encoding.UTF8, "application/json");
            case 4:
                return new FormUrlEncodedContent(Enumerable.Range(0, r.Next(1, 8))
                    .Select(_ => KeyValuePair.Create(ParamNames[r.Next(ParamNames.Length)], Trim(Value(r), 4000))));
            case 5:
                var multipart = new MultipartFormDataContent();
                for (var i = r.Next(1, 5); i > 0; i--) multipart.Add(new StringContent(Trim(Value(r), 4000)), ParamNames[r.Next(ParamNames.Length)]);
                if (r.Next(2) == 0) multipart.Add(new ByteArrayContent(RandomBytes(r, r.Next(1, 4096))), "file", "../evil name.png");
                return multipart;
            case 6:
                // Huge: past every limit the server sets (1 MiB for parameters), as JSON or as a form.
                var huge = new string('A', (1 + r.Next(3)) * 1024 * 1024);
                return r.Next(2) == 0
                    ? new StringContent("{\"status\":\"" + huge + "\"}", Encoding.UTF8, "application/json")
                    : new StringContent("status=" + huge, Encoding.ASCII, "application/x-www-form-urlencoded");
            case 7:
                var raw = new ByteArrayContent(RandomBytes(r, r.Next(0, 2048)));
                raw.Headers.TryAddWithoutValidation("Content-Type", new[] { "application/json", "application/x-www-form-urlencoded", "multipart/form-data",
                    "multipart/form-data; boundary=", "application/json; charset=utf-32", "text/plain", "application/xml", ";;;" }[r.Next(8)]);
                return raw;
            case 8:
                // Deep nesting, long arrays and wrong types for the right names.
                var depth = r.Next(2) == 0 ? 200 : 10;
                return new StringContent(new string('[', depth) + new string(']', depth) is var nest && r.Next(2) == 0
                    ? "{\"status\":" + nest + ",\"media_ids\":" + nest + "}"
                    : "{\"status\":{\"a\":[1,{\"b\":null}]},\"sensitive\":\"maybe\",\"in_reply_to_id\":[1,2],\"limit\":{\"x\":1},\"fields_attributes\":[[[]]]}",
                    Encoding.UTF8, "application/json");
            default:
                return new StringContent(Json(r, 0).Replace("\"", r.Next(2) == 0 ? "'" : "\"\"", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }
    }

    private static byte[] RandomBytes(Random r, int length)
    {
        var bytes = new byte[length];
        r.NextBytes(bytes);
        return bytes;
    }

    private string Json(Random r, int depth)
    {
        if (depth > 4 || r.Next(4) == 0) return JsonScalar(r);
        if (r.Next(4) == 0) return "[" + string.Join(',', Enumerable.Range(0, r.Next(0, 5)).Select(_ => Json(r, depth + 1))) + "]";
        return "{" + string.Join(',', Enumerable.Range(0, r.Next(0, 7)).Select(_ =>
            System.Text.Json.JsonSerializer.Serialize(r.Next(6) == 0 ? RandomText(r, 8) : ParamNames[r.Next(ParamNames.Length)].Replace("[]", "", StringComparison.Ordinal))
            + ":" + Json(r, depth + 1))) + "}";
    }

    private string JsonScalar(Random r) => r.Next(7) switch
    {
        0 => "null",
        1 => r.Next(2) == 0 ? "true" : "false",
        2 => new[] { "0", "-1", "1e999", "-0", "9223372036854775808", "1.0000000001", "12345678901234567890123" }[r.Next(7)],
        3 => "\"\\uD800\"",
        _ => System.Text.Json.JsonSerializer.Serialize(Trim(Value(r), 6000)),
    };

    private static void Headers(Random r, HttpRequestMessage request)
    {
        if (r.Next(3) == 0) request.Headers.TryAddWithoutValidation("Idempotency-Key", new[] { "k", new string('k', 300), "🙂", " ", "same-key" }[r.Next(5)]);
        if (r.Next(4) == 0) request.Headers.TryAddWithoutValidation("Accept-Language", new[] { "fr", "zz", "*;q=2", "en-US,fr;q=abc", new string('a', 500) }[r.Next(5)]);
        if (r.Next(6) == 0) request.Headers.TryAddWithoutValidation("Accept", new[] { "application/xml", "*/*", "text/html", ";;", "application/activity+json" }[r.Next(5)]);
        if (r.Next(8) == 0) request.Headers.TryAddWithoutValidation("X-Forwarded-For", new[] { "not-an-ip", "127.0.0.1, ::1", "999.999.999.999" }[r.Next(3)]);
        if (r.Next(12) == 0)
        {
            // A broken credential replaces the viewer's: it must answer 401, never someone else's data.
            request.Headers.Authorization = r.Next(3) switch
            {
                0 => new AuthenticationHeaderValue("Bearer", "not-a-token"),
                1 => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:correct horse battery"))),
                _ => new AuthenticationHeaderValue("Bearer", new string('x', 8000)),
            };
        }
        if (r.Next(10) == 0) request.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", "not-a-token");
    }
}
