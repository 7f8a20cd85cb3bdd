using System.Net;
using System.Net.Http.Json;
using Gazouille.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>Whatever arrives, the answer is a clear 4xx with a JSON error, never a 500 or a trace, and nothing is half-saved.</summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!;
    private long _bobId;
    private string _statusId = "";

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_, _alice) = await _f.SignedInAsync("alice");
        (_bobId, _) = await _f.SignedInAsync("bob");
        _statusId = (await _alice.PostStatusAsync("target", "company")).Id();
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private Task<(int Statuses, int Notifications, int Favourites, int Follows)> RowsAsync() => _f.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<GazouilleDb>();
        return (await db.Statuses.CountAsync(), await db.Notifications.CountAsync(), await db.Favourites.CountAsync(), await db.Follows.CountAsync());
    });

    /// <summary>The write endpoints that read parameters from the body (the others take none and never read it).</summary>
    private (HttpMethod Method, string Path)[] WriteEndpoints() =>
    [
        (HttpMethod.Post, "/api/v1/statuses"),
        (HttpMethod.Put, $"/api/v1/statuses/{_statusId}"),
        (HttpMethod.Patch, "/api/v1/accounts/update_credentials"),
        (HttpMethod.Post, "/api/v1/apps"),
    ];

    [Fact]
    public async Task Body_less_write_endpoints_ignore_whatever_body_comes_and_never_fail()
    {
        foreach (var path in new[] { $"/api/v1/statuses/{_statusId}/favourite", $"/api/v1/statuses/{_statusId}/bookmark", $"/api/v1/accounts/{_bobId}/follow", "/api/v1/notifications/clear" })
        foreach (var body in new[] { "{", "[1]", "{\"status\": \"\\uD800\"}" })
        {
            var response = await SendAsync(HttpMethod.Post, path, ApiAssert.RawJson(body));
            Assert.True((int)response.StatusCode < 500, $"{path} with {body}: {(int)response.StatusCode}");
            ApiAssert.NoLeakOfInternals(await response.Content.ReadAsStringAsync());
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        return await _alice.SendAsync(request);
    }

    public static TheoryData<string> MalformedBodies() => new()
    {
        "{", "{\"status\": }", "[1,2,3]", "\"just a string\"", "{\"status\": \"unterminated}", "nul", "{\"a\":1}{\"b\":2}", "\uFEFF{}",
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_json_answers_400_with_a_json_error_on_every_write_endpoint(string body)
    {
        var before = await RowsAsync();
        foreach (var (method, path) in WriteEndpoints())
        {
            var response = await SendAsync(method, path, ApiAssert.RawJson(body));
            var code = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.OK && body == "\uFEFF{}") continue;
            Assert.True(code is 400 or 422, $"{method} {path} with {body}: {code}");
            await response.ErrorAsync(response.StatusCode);
        }
        Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task A_body_over_one_megabyte_answers_413_with_a_json_error()
    {
        var before = await RowsAsync();
        var huge = "{\"status\":\"" + new string('a', 1_100_000) + "\"}";
        foreach (var (method, path) in WriteEndpoints())
            await (await SendAsync(method, path, ApiAssert.RawJson(huge))).ErrorAsync(HttpStatusCode.RequestEntityTooLarge);
        var form = new FormUrlEncodedContent([KeyValuePair.Create("status", new string('b', 1_100_000))]);
        await (await SendAsync(HttpMethod.Post, "/api/v1/statuses", form)).ErrorAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task A_100k_character_status_answers_422()
    {
        var before = await RowsAsync();
        await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = new string('x', 100_000) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PutAsJsonAsync($"/api/v1/statuses/{_statusId}", new { status = new string('x', 100_000) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "ok", spoiler_text = new string('x', 100_000) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(before, await RowsAsync());
    }

    public static TheoryData<string> WrongTypes() => new()
    {
        """{"status": 12345}""", """{"status": ["a","b"]}""", """{"status": {"nested": "x"}}""", """{"status": null}""", """{"status": true}""",
        """{"status": "ok", "in_reply_to_id": {"$gt": 0}}""", """{"status": "ok", "audience": ["company", "public"]}""", """{"status": "ok", "sensitive": [1]}""",
        """{"status": "ok", "visibility": 3}""", """{"status": "ok", "language": {"a": 1}}""", """{"display_name": ["x"], "note": 42}""",
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task Wrong_json_types_never_cause_a_server_error(string body)
    {
        var before = await RowsAsync();
        foreach (var (method, path) in WriteEndpoints())
        {
            var response = await SendAsync(method, path, ApiAssert.RawJson(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{method} {path} with {body}: {(int)response.StatusCode} {text}");
            ApiAssert.NoLeakOfInternals(text);
        }
        var after = await RowsAsync();
        Assert.InRange(after.Statuses - before.Statuses, 0, 3); // numbers and booleans may be read as text, as Mastodon does
    }

    [Theory]
    [InlineData("""{"status": "lone \uD800 surrogate"}""")]
    [InlineData("""{"status": "\uDC00 reversed \uDBFF"}""")]
    [InlineData("""{"status": "nul \u0000 char"}""")]
    public async Task Invalid_unicode_escapes_answer_a_clear_4xx(string body)
    {
        var before = await RowsAsync();
        foreach (var (method, path) in WriteEndpoints().Take(4))
        {
            var response = await SendAsync(method, path, ApiAssert.RawJson(body));
            var code = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(code is 200 or 400 or 422, $"{method} {path}: {code} {text}");
            ApiAssert.NoLeakOfInternals(text);
            if (code == 200) Assert.DoesNotContain("\uD800", text, StringComparison.Ordinal);
        }
        Assert.InRange((await RowsAsync()).Statuses - before.Statuses, 0, 1);
    }

    [Theory]
    [InlineData("/api/v1/notifications?exclude_types[]=%00")]
    [InlineData("/api/v1/notifications?types[]=mention%00")]
    [InlineData("/api/v2/search?q=a%00b")]
    [InlineData("/api/v1/accounts/lookup?acct=al%00ice")]
    public async Task A_nul_character_in_a_query_never_fails_on_either_database(string path)
    {
        // PostgreSQL refuses U+0000 in text parameters (SQLite takes it): the answer is an empty result or a clear 400.
        var response = await _alice.GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.NotFound,
            $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (response.StatusCode == HttpStatusCode.BadRequest) await response.ErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_nul_character_in_a_post_is_refused_or_stored_whole_never_a_500()
    {
        var before = await RowsAsync();
        var response = await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = "avant\u0000après", audience = "company" });
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity,
            $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (!response.IsSuccessStatusCode) Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task Invalid_utf8_bytes_answer_400()
    {
        var bytes = new ByteArrayContent([(byte)'{', (byte)'"', (byte)'s', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}']);
        bytes.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await (await SendAsync(HttpMethod.Post, "/api/v1/statuses", bytes)).ErrorAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("<script>alert('x')</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("\"><svg/onload=alert(1)>")]
    [InlineData("<a href=\"javascript:alert(1)\">click</a>")]
    public async Task Html_and_scripts_come_back_escaped_never_raw(string payload)
    {
        var status = await _alice.PostStatusAsync(payload + " #tag", "company");
        var content = status.Str("content");
        Assert.DoesNotContain("<script", content, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", content, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", content, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript", content, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;", content, StringComparison.Ordinal);
        var source = await _alice.GetOkAsync($"/api/v1/statuses/{status.Id()}/source");
        Assert.Equal(payload + " #tag", source.Str("text"));
        var me = await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("note", payload)))).OkJsonAsync();
        Assert.DoesNotContain("<script", me.Str("note"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", me.Str("note"), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("'; DROP TABLE Statuses; --")]
    [InlineData("\" OR 1=1 --")]
    [InlineData("%_\\' UNION SELECT * FROM AspNetUsers --")]
    public async Task Sql_metacharacters_are_plain_text(string payload)
    {
        var status = await _alice.PostStatusAsync(payload, "company");
        Assert.Equal(payload, (await _alice.GetOkAsync($"/api/v1/statuses/{status.Id()}/source")).Str("text"));
        Assert.Empty((await _alice.GetOkAsync($"/api/v1/accounts/search?q={Uri.EscapeDataString(payload)}")).EnumerateArray());
        await (await _alice.GetAsync($"/api/v1/accounts/lookup?acct={Uri.EscapeDataString(payload)}")).NotFoundAsync();
        await _alice.GetOkAsync($"/api/v1/timelines/tag/{Uri.EscapeDataString(payload)}");
        await (await _alice.GetAsync($"/api/v1/statuses/{Uri.EscapeDataString(payload)}")).NotFoundAsync();
        Assert.True((await _alice.GetOkAsync("/api/v1/timelines/company")).Count() >= 2);
    }

    [Theory]
    [InlineData("zero\u200Bwidth\u200Cjoiner\u200D and \uFEFF bom")]
    [InlineData("right-to-left \u202Egnp.exe\u202C override")]
    [InlineData("emoji 👩‍👩‍👧 and combining e\u0301")]
    public async Task Invisible_and_bidirectional_characters_never_break_anything(string text)
    {
        var status = await _alice.PostStatusAsync(text, "company");
        Assert.Equal(text, (await _alice.GetOkAsync($"/api/v1/statuses/{status.Id()}/source")).Str("text"));
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", "\u202Eecila")))).Content.ReadAsStringAsync();
        await _alice.GetOkAsync("/api/v1/accounts/verify_credentials");
    }

    [Fact]
    public async Task Whitespace_and_invisible_only_statuses_are_refused()
    {
        var before = await RowsAsync();
        foreach (var text in new[] { "", " ", "\n\n\t", "\u200B\u200B" })
        {
            var response = await _alice.PostAsJsonAsync("/api/v1/statuses", new { status = text });
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"'{text}' answered {(int)response.StatusCode}");
        }
        Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task Hostile_query_strings_on_read_endpoints_never_cause_a_server_error()
    {
        var paths = new[]
        {
            "/api/v1/timelines/home?limit=-5", "/api/v1/timelines/home?limit=99999999999", "/api/v1/timelines/home?max_id=abc",
            "/api/v1/timelines/home?since_id=-1&min_id=%00", "/api/v1/notifications?types[]=%3Cscript%3E&exclude_types[]=", "/api/v1/notifications?account_id=x",
            "/api/v1/accounts/search?q=" + new string('a', 5000), "/api/v1/accounts/relationships?id[]=1&id[]=-1&id[]=zz",
            "/api/v1/timelines/tag/" + new string('t', 3000), "/api/v1/accounts/1/statuses?exclude_replies=perhaps",
        };
        foreach (var path in paths)
        {
            var response = await _alice.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode} {text}");
            ApiAssert.NoLeakOfInternals(text);
        }
    }

    [Fact]
    public async Task A_wrong_content_type_is_answered_as_an_empty_request()
    {
        var plain = new StringContent("status=hello", System.Text.Encoding.UTF8, "text/plain");
        await (await SendAsync(HttpMethod.Post, "/api/v1/statuses", plain)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var xml = new StringContent("<status>hello</status>", System.Text.Encoding.UTF8, "application/xml");
        await (await SendAsync(HttpMethod.Post, "/api/v1/statuses", xml)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }
}
