using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AngleSharp.Dom;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// A fuzzer over the web app: every Razor page and page handler, and every other non-API endpoint, read from the
/// server's endpoint data source and page loader (so a new page or handler is fuzzed without anyone listing it).
/// GETs carry hostile query strings; POSTs carry forms with and without the antiforgery token, multipart, JSON, raw bytes
/// under a lying type and huge bodies, with hostile values (empty, huge, invalid UTF-8, lone surrogates, zero-width and
/// RTL marks, HTML and script, SQL metacharacters). Sent as an employee, a partner's guest, an admin and anonymously to a
/// real <c>gazouille serve</c>. Every answer must be below 500 and arrive within 10 s; an HTML answer must hold no element
/// or attribute that came from the fuzzer (user text rendered unescaped) and no <c>javascript:</c> link; no answer may
/// hold text outside the reader's audience; a redirect never leaves the site. Seeded (GAZOUILLE_FUZZ_SEED) and
/// bounded in time (GAZOUILLE_FUZZ_SECONDS, default 30).
/// </summary>
public sealed class WebFuzzTests : IAsyncLifetime
{
    private const string CompanyMarker = "ZQWCOMPANYONLY";
    private const string TeamMarker = "ZQWTEAMONLY";
    private const string DirectMarker = "ZQWDIRECTONLY";
    private const string OtherPartnerMarker = "ZQWOTHERPARTNER";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private GazouilleFactory _f = null!;
    private TestData _data = null!;
    private ServerProcess? _server;
    private List<WebRoute> _routes = [];
    private readonly Dictionary<string, (HttpClient Client, string Token)> _viewers = [];
    private readonly List<string> _ids = [];
    private readonly List<string> _names = ["bob", "carol", "quentin", "core", "secret", "acme", "globex", "clients", "projects", "nobody"];

    private sealed record WebRoute(string Method, RoutePattern Pattern, string? Handler, string[] Fields);

    public async ValueTask InitializeAsync()
    {
        _data = await TestData.CreateAsync();
        _f = await GazouilleFactory.StartAsync(new() { ["Gazouille:RateLimits:Enabled"] = "false" }, _data);
        _routes = await WebRoutesAsync();
        var (_, bob) = await _f.SignedInAsync("bob");
        var carolId = await _f.CreateUserAsync("carol");
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("root", AccountRole.Admin);
        await _f.CreatePartnerAsync("acme");
        await _f.CreatePartnerAsync("globex");
        await _f.CreateTeamAsync("core", "bob");
        await _f.CreateTeamAsync("secret", "bob");
        await _f.GrantAsync("core", "acme");
        await _f.GrantAsync("core", "globex");
        await _f.CreateUserAsync("gina", partner: "acme");
        var (quentinId, quentin) = await _f.SignedInAsync("quentin", partner: "globex");
        _ids.AddRange(new[] { carolId, quentinId }.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        _ids.Add((await bob.PostStatusAsync("Ouvert aux partenaires #core", "partners:core")).Id());
        _ids.Add((await bob.PostStatusAsync($"{CompanyMarker} pour la maison #core", "company")).Id());
        _ids.Add((await bob.PostStatusAsync($"{TeamMarker} pour l'équipe #core", "team:secret")).Id());
        _ids.Add((await bob.PostStatusAsync($"@carol {DirectMarker} rien que pour toi", "direct")).Id());
        _ids.Add((await quentin.PostStatusAsync($"{OtherPartnerMarker} chez nous #core", "partners:core")).Id());
        await _f.DisposeAsync();

        _server = await ServerProcess.StartAsync(_data);
        _viewers["employee"] = await SignInAsync("alice");
        _viewers["guest"] = await SignInAsync("gina");
        _viewers["admin"] = await SignInAsync("root");
        _viewers["anonymous"] = await SignInAsync(null);
    }

    /// <summary>A cookie-keeping client that sends header values as UTF-8 and does not follow redirects, signed in through the page.</summary>
    private async Task<(HttpClient, string)> SignInAsync(string? username)
    {
        var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8, AllowAutoRedirect = false, UseCookies = false };
        var client = new HttpClient(new CookieJar(handler)) { BaseAddress = _server!.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var signIn = await client.GetStringAsync("/auth/sign_in");
        var token = HtmlForms.HiddenFields(signIn, "/auth/sign_in", "/auth/sign_in").First(f => f.Key == "__RequestVerificationToken").Value;
        if (username is null) return (client, token);
        var form = HtmlForms.HiddenFields(signIn, "/auth/sign_in", "/auth/sign_in");
        form.Add(KeyValuePair.Create("login", username));
        form.Add(KeyValuePair.Create("password", "correct horse battery"));
        var answer = await client.PostAsync("/auth/sign_in", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        // The antiforgery token is bound to the signed-in user: take it again from a page seen signed in.
        var page = await client.GetStringAsync("/settings/preferences");
        token = HtmlForms.Parse(page).QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("no antiforgery token on /settings/preferences");
        return (client, token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (client, _) in _viewers.Values) client.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        await _data.DisposeAsync();
    }

    /// <summary>Every page handler (with its form and query field names) and every other endpoint outside the API.</summary>
    private async Task<List<WebRoute>> WebRoutesAsync()
    {
        var loader = _f.Services.GetRequiredService<PageLoader>();
        var routes = new List<WebRoute>();
        foreach (var e in _f.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (e.RoutePattern.RawText is not { } raw || !IsWeb("/" + raw.TrimStart('/'))) continue;
            if (e.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, e.Metadata);
                var bound = compiled.BoundProperties.Select(p => p.BindingInfo?.BinderModelName ?? p.Name);
                foreach (var h in compiled.HandlerMethods)
                {
                    var fields = h.Parameters.Where(p => p.ParameterType != typeof(CancellationToken))
                        .Select(p => p.BindingInfo?.BinderModelName ?? p.Name).Concat(bound).Distinct().ToArray();
                    routes.Add(new WebRoute(h.HttpMethod.ToUpperInvariant(), e.RoutePattern, h.Name, fields));
                }
                continue;
            }
            foreach (var m in e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"])
                routes.Add(new WebRoute(m, e.RoutePattern, null, []));
        }
        return routes.DistinctBy(r => (r.Method, r.Pattern.RawText, r.Handler))
            .OrderBy(r => r.Pattern.RawText, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Handler, StringComparer.Ordinal)
            .ToList();
    }

    // The API has its own fuzzer (ApiFuzzTests); static assets are files.
    private static bool IsWeb(string path) =>
        !(path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/oauth/", StringComparison.Ordinal) && path != "/oauth/authorize"
          || path.StartsWith("/.well-known/", StringComparison.Ordinal) || path.StartsWith("/nodeinfo", StringComparison.Ordinal)
          || path.StartsWith("/assets/", StringComparison.Ordinal) || path.StartsWith("/lib/", StringComparison.Ordinal)
          || Path.HasExtension(path.Split('/')[^1]) && !path.Contains('{', StringComparison.Ordinal));

    [Fact]
    public async Task Hostile_requests_on_every_page_and_form_never_fail_hang_leak_or_render_unescaped()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_FUZZ_SEED"), out var s) ? s : 20261126;
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_FUZZ_SECONDS"), out var d) ? d : 30;
        var routes = _routes;
        Assert.True(routes.Count(r => r.Handler is not null || r.Method == "POST") > 30, $"only {routes.Count} web routes found:\n"
            + string.Join('\n', routes.Select(r => $"{r.Method} {r.Pattern.RawText} {r.Handler}")));
        var viewers = _viewers.Keys.ToArray();
        var random = new Random(seed);
        var findings = new List<string>();
        var sent = 0;
        var codes = new SortedDictionary<int, int>();
        var until = DateTime.UtcNow.AddSeconds(seconds);
        var firstPass = routes.Count * viewers.Length;
        for (var i = 0; (i < firstPass || DateTime.UtcNow < until) && findings.Count < 20; i++)
        {
            var route = i < firstPass ? routes[i / viewers.Length] : routes[random.Next(routes.Count)];
            var viewer = i < firstPass ? viewers[i % viewers.Length] : viewers[random.Next(viewers.Length)];
            // Signing out would end the viewer's session for the rest of the run; only the anonymous client does it.
            if (route.Pattern.RawText == "/auth/sign_out" && viewer != "anonymous") continue;
            using var request = Request(random, route, _viewers[viewer].Token);
            var summary = $"#{i} {viewer} {request.Method} {Shorten(request.RequestUri!.OriginalString)} {await DescribeAsync(request.Content)}";
            sent++;
            var (code, problem) = await SendAsync(_viewers[viewer].Client, request, viewer);
            codes[code] = codes.GetValueOrDefault(code) + 1;
            if (problem is not null) findings.Add($"{summary}\n    → {problem}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: {sent} requests over {routes.Count} web routes in {seconds} s, {findings.Count} findings; answers: "
            + string.Join(", ", codes.Select(c => $"{c.Key}×{c.Value}")));
        var log = _server!.Output;
        Assert.True(findings.Count == 0, $"seed {seed}, {sent} requests over {routes.Count} web routes; {findings.Count} findings:\n" + string.Join('\n', findings)
            + "\nThe server's log ends with:\n" + log[Math.Max(0, log.Length - 6000)..]);
    }

    private static async Task<(int Code, string? Problem)> SendAsync(HttpClient client, HttpRequestMessage request, string viewer)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (code >= 500) return (code, $"{code}: {Shorten(body)}");
            if (Leak(viewer, body) is { } marker) return (code, $"{code}: LEAK of {marker} to the {viewer}: {Shorten(body)}");
            // Single sign-on and OAuth send the browser to the identity provider or the app: that is their job.
            var path = request.RequestUri!.OriginalString;
            if (response.Headers.Location is { IsAbsoluteUri: true } location && location.Host != client.BaseAddress!.Host
                && !path.StartsWith("/auth/sso/", StringComparison.Ordinal) && !path.StartsWith("/oauth/authorize", StringComparison.Ordinal))
                return (code, $"{code}: redirects off the site to {location}");
            if (response.Content.Headers.ContentType?.MediaType == "text/html" && Unescaped(body) is { } injected)
                return (code, $"{code}: user text rendered as HTML: {injected}");
            return (code, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (0, $"no answer within {RequestTimeout.TotalSeconds} s");
        }
        catch (HttpRequestException) when (request.Content?.Headers.ContentLength > 1024 * 1024)
        {
            return (413, null); // Kestrel may answer 413 and close while a huge body is still being sent: a refusal.
        }
        catch (HttpRequestException e)
        {
            return (0, $"the connection failed: {e.Message} {e.InnerException?.Message}");
        }
    }

    private static string? Leak(string viewer, string body)
    {
        string[] hidden = viewer switch
        {
            "admin" => [],
            "employee" => [TeamMarker, DirectMarker],
            _ => [CompanyMarker, TeamMarker, DirectMarker, OtherPartnerMarker],
        };
        return hidden.FirstOrDefault(m => body.Contains(m, StringComparison.Ordinal));
    }

    /// <summary>An element or attribute the fuzzer wrote, or a javascript: link: what escaping would have prevented.</summary>
    private static string? Unescaped(string html)
    {
        var doc = HtmlForms.Parse(html);
        foreach (var element in doc.All)
        {
            if (element.LocalName.StartsWith("zqx", StringComparison.Ordinal)) return Shorten(element.OuterHtml);
            foreach (var a in element.Attributes)
            {
                if (a.Name.StartsWith("zqx", StringComparison.Ordinal)) return Shorten(element.OuterHtml);
                if (a.Name is "href" or "src" or "action" or "formaction" or "hx-get" or "hx-post"
                    && a.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
                    return Shorten(element.OuterHtml);
            }
        }
        return null;
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + $"… ({s.Length} chars)";

    private static async Task<string> DescribeAsync(HttpContent? content)
    {
        if (content is null) return "(no body)";
        var type = content.Headers.ContentType?.ToString() ?? "(no type)";
        var bytes = await content.ReadAsByteArrayAsync();
        return $"[{type}] {Shorten(Encoding.UTF8.GetString(bytes))}";
    }

    // ---- what a hostile browser sends ----

    private static readonly string[] CommonFields =
    [
        "handler", "returnUrl", "ReturnUrl", "q", "type", "since_id", "max_id", "in_reply_to_id", "saved", "format", "status", "audience",
        "visibility", "spoiler_text", "culture", "id", "page", "kind", "reason", "step", "client_id", "redirect_uri", "response_type", "scope",
        "state", "code_challenge", "decision", "__RequestVerificationToken",
    ];

    private string[] Values() =>
    [
        "", " ", "0", "-1", "1", "true", "false", "on", "null", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1e308",
        "NaN", _ids[0], _ids[^1], _ids[3], _ids[4], "company", "public", "direct", "followers", "team:core", "team:secret", "partners:core",
        "partners:core:globex", "team:", "block", "hide", "suspend", "admin", "moderator", "json", "csv", "fr", "en", "xx-invalid",
        "<zqxss>", "\"><zqxss a=1>", "' zqxattr='1", "\" zqxattr=\"1", "</textarea><zqxss>", "</script><zqxss>", "<!--", "javascript:alert(1)",
        " JavaScript:alert(1)", "<img src=x onerror=alert(1)>", "'; DROP TABLE statuses; --", "1' OR '1'='1", "%", "_", "\\", "\u0000",
        "\uD800", "\uDFFF", "\u200B\u200C\u200D\uFEFF", "\u202E\u2066evil", "🙂", "e\u0301", "../../etc/passwd", "//evil.example/",
        "https://evil.example/", "/\\evil.example", "http://127.0.0.1:1/", new string('a', 5000), new string('#', 600),
        string.Concat(Enumerable.Repeat("@bob ", 200)), "#core", "@quentin", "bob", "core", "acme", "globex",
    ];

    /// <summary>Percent-encoded bytes that are not UTF-8 (a lone surrogate, overlong forms, a stray byte), sent as they are.</summary>
    private static readonly string[] RawEncoded = ["%ED%A0%80", "%FF%FE", "%C0%AF", "%C3", "%E2%80%AE", "%00", "%F4%90%80%80", "%%", "%G0"];

    private string Value(Random r) => r.Next(8) == 0 ? RandomText(r, r.Next(1, 64)) : Values()[r.Next(Values().Length)];

    private string Encoded(Random r) => r.Next(6) == 0 ? RawEncoded[r.Next(RawEncoded.Length)] : Uri.EscapeDataString(Value(r));

    private static string RandomText(Random r, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(r.Next(6) switch
            {
                0 => (char)r.Next(0x20, 0x7F),
                1 => (char)r.Next(0, 0x20),
                2 => (char)r.Next(0xD800, 0xE000),
                3 => (char)r.Next(0x200B, 0x2070), // zero-width, bidi and other format characters
                4 => "<>&\"'=/`"[r.Next(8)],
                _ => (char)r.Next(0xA0, 0x2FFF),
            });
        }
        return sb.ToString();
    }

    private string RouteValue(Random r, RoutePatternParameterPart parameter)
    {
        if (r.Next(3) > 0)
        {
            return parameter.Name switch
            {
                "id" => _ids[r.Next(_ids.Count)],
                "kind" => new[] { "company", "public", "bookmarks", "favourites" }[r.Next(4)],
                "handler" => new[] { "favourite", "unfavourite", "reblog", "unreblog", "bookmark", "unbookmark", "delete", "pin" }[r.Next(8)],
                "provider" => new[] { "oidc", "entra", "google" }[r.Next(3)],
                "step" => new[] { "callback", "remote_sign_out", "start" }[r.Next(3)],
                _ => _names[r.Next(_names.Count)],
            };
        }
        var v = r.Next(4) == 0 ? RawEncoded[r.Next(RawEncoded.Length)] : Uri.EscapeDataString(Value(r) is var x && x.Length > 300 ? x[..300] : x);
        return v.Length > 0 ? v : "x";
    }

    private HttpRequestMessage Request(Random r, WebRoute route, string token)
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
                    RoutePatternParameterPart { IsOptional: true } when r.Next(2) == 0 => "",
                    RoutePatternParameterPart parameter => RouteValue(r, parameter),
                    _ => "",
                });
            }
        }
        var query = new List<string>();
        if (route.Handler is not null) query.Add("handler=" + (r.Next(10) == 0 ? Encoded(r) : route.Handler));
        if (route.Method == "GET" || r.Next(4) == 0)
            for (var n = r.Next(0, 5); n > 0; n--) query.Add(Uri.EscapeDataString(Field(r, route)) + "=" + Encoded(r));
        if (query.Count > 0) path.Append('?').Append(string.Join('&', query));
        var request = new HttpRequestMessage(new HttpMethod(route.Method), path.ToString());
        if (route.Method is not ("GET" or "HEAD") || r.Next(8) == 0) request.Content = Body(r, route, token);
        if (r.Next(3) == 0) request.Headers.TryAddWithoutValidation("HX-Request", "true");
        if (r.Next(6) == 0) request.Headers.TryAddWithoutValidation("HX-Target", new[] { "timeline", "\"><zqxss>", "" }[r.Next(3)]);
        if (r.Next(4) == 0) request.Headers.TryAddWithoutValidation("Accept-Language", new[] { "fr", "zz", "*;q=2", "en-US,fr;q=abc", new string('a', 500) }[r.Next(5)]);
        if (r.Next(6) == 0) request.Headers.TryAddWithoutValidation("Accept", new[] { "application/json", "*/*", "text/html", ";;", "text/event-stream" }[r.Next(5)]);
        if (r.Next(8) == 0) request.Headers.TryAddWithoutValidation("Referer", new[] { "https://evil.example/", "\"><zqxss>", "javascript:alert(1)" }[r.Next(3)]);
        return request;
    }

    private static string Field(Random r, WebRoute route) =>
        route.Fields.Length > 0 && r.Next(3) > 0 ? route.Fields[r.Next(route.Fields.Length)] : CommonFields[r.Next(CommonFields.Length)];

    private HttpContent Body(Random r, WebRoute route, string token)
    {
        // With the token most of the time, so the handlers run; without it, the antiforgery check must refuse cleanly.
        var withToken = r.Next(4) > 0;
        var pairs = Enumerable.Range(0, r.Next(0, 8)).Select(_ => Uri.EscapeDataString(Field(r, route)) + "=" + Encoded(r)).ToList();
        if (withToken) pairs.Add("__RequestVerificationToken=" + Uri.EscapeDataString(token));
        switch (r.Next(10))
        {
            case 0:
                var multipart = new MultipartFormDataContent();
                if (withToken) multipart.Add(new StringContent(token), "__RequestVerificationToken");
                for (var i = r.Next(0, 5); i > 0; i--) multipart.Add(new StringContent(Value(r)), Field(r, route));
                if (r.Next(2) == 0)
                {
                    var bytes = new byte[r.Next(1, 4096)];
                    r.NextBytes(bytes);
                    multipart.Add(new ByteArrayContent(bytes), new[] { "avatar", "file", "header" }[r.Next(3)], "../<zqxss>.png");
                }
                return multipart;
            case 1:
                // Huge: past the form limits, with the token so it reaches the page.
                var huge = "status=" + new string('A', (1 + r.Next(3)) * 1024 * 1024) + "&__RequestVerificationToken=" + Uri.EscapeDataString(token);
                return new StringContent(huge, Encoding.ASCII, "application/x-www-form-urlencoded");
            case 2:
                return new StringContent("{\"status\":\"<zqxss>\",\"__RequestVerificationToken\":\"" + token + "\"}", Encoding.UTF8, "application/json");
            case 3:
                var raw = new byte[r.Next(0, 2048)];
                r.NextBytes(raw);
                var lying = new ByteArrayContent(raw);
                lying.Headers.TryAddWithoutValidation("Content-Type", new[] { "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=",
                    "text/plain", "application/x-www-form-urlencoded; charset=utf-32", ";;;" }[r.Next(6)]);
                return lying;
            default:
                var form = new ByteArrayContent(Encoding.ASCII.GetBytes(string.Join('&', pairs.OrderBy(_ => r.Next()))));
                form.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
                return form;
        }
    }
}
