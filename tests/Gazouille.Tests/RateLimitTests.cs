using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Http;

namespace Gazouille.Tests;

/// <summary>Mastodon's rate limits: headers on every API answer, 429 when spent, per account, per address, stricter buckets.</summary>
public sealed class RateLimitTests
{
    private static Task<GazouilleFactory> StartAsync(params (string Key, string Value)[] limits) =>
        GazouilleFactory.StartAsync(limits.ToDictionary(l => $"Gazouille:RateLimits:{l.Key}", l => (string?)l.Value));

    private static int Header(HttpResponseMessage r, string name) =>
        int.Parse(r.Headers.GetValues(name).Single(), CultureInfo.InvariantCulture);

    private static async Task<HttpResponseMessage> FromAsync(GazouilleFactory f, string ip, string path, Action<HttpContext>? more = null)
    {
        var context = await f.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = path;
            c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            more?.Invoke(c);
        });
        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode);
        foreach (var (name, value) in context.Response.Headers) response.Headers.TryAddWithoutValidation(name, value.ToArray());
        response.Content = new StreamContent(context.Response.Body);
        return response;
    }

    [Fact]
    public async Task With_Redis_an_account_gets_its_limit_once_across_nodes_and_keeps_a_limit_when_Redis_stops()
    {
        var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["Gazouille:Redis"] = redis.Address, ["Gazouille:RateLimits:PerAccount:Limit"] = "4" };
        await using var a = await GazouilleFactory.StartAsync(settings);
        await using var b = await GazouilleFactory.StartAsync(settings, data: a.Data);
        try
        {
            var token = await a.TokenAsync(await a.CreateUserAsync("alice"));
            var before = DateTimeOffset.UtcNow;
            // Four requests spread over two nodes spend one window of four.
            foreach (var (node, left) in new[] { (a, 3), (b, 2), (a, 1), (b, 0) })
            {
                var ok = await node.Client(token).GetAsync("/api/v1/accounts/verify_credentials");
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                Assert.Equal(4, Header(ok, "X-RateLimit-Limit"));
                Assert.Equal(left, Header(ok, "X-RateLimit-Remaining"));
                var reset = DateTimeOffset.Parse(ok.Headers.GetValues("X-RateLimit-Reset").Single(), CultureInfo.InvariantCulture);
                Assert.InRange(reset, before.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(2));
            }
            foreach (var node in new[] { a, b })
            {
                var refused = await node.Client(token).GetAsync("/api/v1/timelines/home");
                Assert.Equal("Too many requests", await refused.ErrorAsync(HttpStatusCode.TooManyRequests));
                Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 200, 301);
            }

            // Redis gone: each node counts in its own memory again; nothing fails, and the limit still holds.
            await redis.DisposeAsync();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++) statuses.Add((await a.Client(token).GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 4), HttpStatusCode.TooManyRequests], statuses);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_account_gets_the_mastodon_headers_then_429_with_retry_after_when_its_window_is_spent()
    {
        await using var f = await StartAsync(("PerAccount:Limit", "3"));
        var (_, alice) = await f.SignedInAsync("alice");
        var before = DateTimeOffset.UtcNow;
        for (var left = 2; left >= 0; left--)
        {
            var ok = await alice.GetAsync("/api/v1/accounts/verify_credentials");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(3, Header(ok, "X-RateLimit-Limit"));
            Assert.Equal(left, Header(ok, "X-RateLimit-Remaining"));
            var reset = DateTimeOffset.Parse(ok.Headers.GetValues("X-RateLimit-Reset").Single(), CultureInfo.InvariantCulture);
            Assert.InRange(reset, before.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(1));
        }
        var refused = await alice.GetAsync("/api/v1/timelines/home");
        Assert.Equal("Too many requests", await refused.ErrorAsync(HttpStatusCode.TooManyRequests));
        Assert.Equal(0, Header(refused, "X-RateLimit-Remaining"));
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 200, 300);

        // Another account has its own window; nothing alice did counts against bob.
        var (_, bob) = await f.SignedInAsync("bob");
        var fine = await bob.GetAsync("/api/v1/accounts/verify_credentials");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Equal(2, Header(fine, "X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task A_spent_window_opens_again_when_it_ends()
    {
        await using var f = await StartAsync(("PerAccount:Limit", "1"), ("PerAccount:WindowSeconds", "1"));
        var (_, alice) = await f.SignedInAsync("alice");
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await alice.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
        await Task.Delay(1200, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_callers_count_per_address_and_a_forged_forwarded_header_does_not_open_a_new_window()
    {
        await using var f = await StartAsync(("PerIp:Limit", "2"));
        Assert.Equal(HttpStatusCode.OK, (await FromAsync(f, "203.0.113.7", "/api/v1/instance")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await FromAsync(f, "203.0.113.7", "/api/v1/instance",
            c => c.Request.Headers["X-Forwarded-For"] = "198.51.100.1")).StatusCode);
        var refused = await FromAsync(f, "203.0.113.7", "/api/v1/instance", c => c.Request.Headers["X-Forwarded-For"] = "198.51.100.2");
        Assert.Equal("Too many requests", await refused.ErrorAsync(HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, (await FromAsync(f, "203.0.113.8", "/api/v1/instance")).StatusCode);
        // A bearer token that is not valid is anonymous: guessing tokens is limited per address too.
        var guess = await FromAsync(f, "203.0.113.7", "/api/v1/accounts/verify_credentials", c => c.Request.Headers.Authorization = "Bearer gzl_guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, guess.StatusCode);
    }

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_address_with_a_page_in_the_readers_language()
    {
        await using var f = await StartAsync(("SignIn:Limit", "2"));
        await f.CreateUserAsync("alice");
        var browser = WebBrowser.Anonymous(f, "fr");
        for (var i = 0; i < 2; i++)
        {
            var wrong = await browser.SubmitAsync("/auth/sign_in", "/auth/sign_in", ("login", "alice"), ("password", "wrong password " + i));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        // The right password does not get through either: the address is out of attempts, whoever it tries.
        var refused = await browser.SubmitAsync("/auth/sign_in", "/auth/sign_in", ("login", "alice"), ("password", "correct horse battery"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Trop d'essais depuis cet endroit", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        // Reading the page is not an attempt.
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/auth/sign_in")).StatusCode);
    }

    [Fact]
    public async Task Sign_up_through_the_api_and_leak_guard_checks_have_their_own_stricter_limits()
    {
        await using var f = await StartAsync(("SignUp:Limit", "2"), ("Check:Limit", "2"));
        var anonymous = f.Client();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await anonymous.PostAsJsonAsync("/api/v1/accounts", new { username = "<script>", email = "x", password = "" })).StatusCode);
        var signUp = await anonymous.PostAsJsonAsync("/api/v1/accounts", new { username = "eve", email = "eve@example.test", password = "correct horse battery", agreement = true });
        Assert.Equal("Too many requests", await signUp.ErrorAsync(HttpStatusCode.TooManyRequests));
        Assert.Equal(2, Header(signUp, "X-RateLimit-Limit"));

        var (_, alice) = await f.SignedInAsync("alice");
        for (var i = 0; i < 2; i++)
        {
            var ok = await alice.PostAsJsonAsync("/api/v1/gazouille/leak_guard/check", new { text = "hello", audience = "company" });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(2, Header(ok, "X-RateLimit-Limit")); // the tightest bucket is the one shown
            Assert.Equal(1 - i, Header(ok, "X-RateLimit-Remaining"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await alice.PostAsJsonAsync("/api/v1/gazouille/leak_guard/check", new { text = "hello" })).StatusCode);
        // Only the check is spent: the rest of the API still answers alice.
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);
    }

    [Fact]
    public async Task Turned_off_there_are_no_limits_and_impossible_settings_stop_the_server_with_a_reason()
    {
        await using (var off = await StartAsync(("Enabled", "false"), ("PerIp:Limit", "1")))
        {
            for (var i = 0; i < 3; i++)
            {
                var r = await off.Client().GetAsync("/api/v1/instance");
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.False(r.Headers.Contains("X-RateLimit-Limit"));
            }
        }
        var e = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(("PerAccount:Limit", "0")));
        Assert.Contains("Gazouille:RateLimits:PerAccount", e.ToString(), StringComparison.Ordinal);
    }
}
