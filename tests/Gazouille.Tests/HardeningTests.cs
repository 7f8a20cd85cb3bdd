using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using Gazouille.Data.Entities;
using Gazouille.Hosting;

namespace Gazouille.Tests;

/// <summary>
/// Security headers on every answer, a Content-Security-Policy the web app can live with (no inline script, style or
/// handler anywhere, even after hostile posts and profiles), HSTS over HTTPS only, and administrators ending sessions.
/// </summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    private static readonly string[] Payloads =
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "\"><svg onload=alert(3)>", "javascript:alert(4)",
        "<a href=\"javascript:alert(5)\">x</a>", "<style>body{display:none}</style>", "<div style=\"color:red\" hx-on:click=\"alert(6)\">",
        "'; DROP TABLE \"Statuses\"; --", "<iframe src=//evil.example>", "‮gnp.exe", "\u200Bzero\u200Dwidth", "{{7*7}} ${7*7}",
    ];

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private static void AssertHeaders(HttpResponseMessage r, string what)
    {
        Assert.True(r.Headers.TryGetValues("Content-Security-Policy", out var csp), $"{what}: no Content-Security-Policy");
        var policy = csp.Single();
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", r.Headers.GetValues("Referrer-Policy").Single());
    }

    /// <summary>What the policy forbids must not be on the page: the page would break in a browser (or be an injection).</summary>
    private static void AssertNothingInline(string html, string what)
    {
        var doc = HtmlForms.Parse(html);
        foreach (var script in doc.QuerySelectorAll("script"))
            Assert.True(script.HasAttribute("src") && script.TextContent.Length == 0, $"{what}: inline script {script.OuterHtml}");
        foreach (var style in doc.QuerySelectorAll("style"))
            Assert.True(style.TextContent == Web.HtmlPage.Style, $"{what}: a style block the policy does not allow: {style.OuterHtml}");
        foreach (var element in doc.All)
        {
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{what}: handler attribute in {element.OuterHtml}");
                Assert.False(attribute.Name == "style", $"{what}: style attribute in {element.OuterHtml}");
                Assert.False(attribute.Name.StartsWith("hx-on", StringComparison.Ordinal), $"{what}: htmx code in {element.OuterHtml}");
                // htmx runs trigger filters ([…]) and js: values as code, which the policy forbids.
                if (attribute.Name == "hx-trigger") Assert.DoesNotContain("[", attribute.Value, StringComparison.Ordinal);
                if (attribute.Name.StartsWith("hx-", StringComparison.Ordinal)) Assert.False(attribute.Value.StartsWith("js:", StringComparison.Ordinal), what);
                if (attribute.Name is "href" or "src" or "action")
                    Assert.False(attribute.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase), $"{what}: {element.OuterHtml}");
            }
            Assert.False(element.LocalName is "iframe" or "object" or "embed" or "frame", $"{what}: {element.OuterHtml}");
        }
    }

    [Fact]
    public async Task Every_page_after_hostile_posts_and_profiles_obeys_the_content_security_policy()
    {
        var (aliceId, alice) = await _f.SignedInAsync("alice", AccountRole.Admin);
        var modId = await _f.CreateUserAsync("mod", AccountRole.Moderator);
        await _f.CreateTeamAsync("ops", "alice");
        var ids = new List<string>();
        foreach (var payload in Payloads)
        {
            var posted = await alice.PostAsJsonAsync("/api/v1/statuses", new { status = "hello " + payload + " #tag", audience = "company", spoiler_text = payload });
            if (posted.IsSuccessStatusCode) ids.Add((await posted.JsonAsync()).Id());
        }
        Assert.NotEmpty(ids);
        var note = await alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("note", string.Join(" ", Payloads))));
        Assert.True(note.IsSuccessStatusCode, await note.Content.ReadAsStringAsync());

        // Hostile reports reach the moderators' page; the moderator's report form shows alice's hostile post.
        var modApi = _f.Client(await _f.TokenAsync(modId));
        foreach (var payload in Payloads)
            await modApi.PostAsJsonAsync("/api/v1/reports", new { account_id = aliceId.ToString(System.Globalization.CultureInfo.InvariantCulture), status_ids = new[] { ids[0] }, comment = payload });
        var modBrowser = await WebBrowser.SignInAsync(_f, "mod");
        foreach (var page in new[] { $"/report?status={ids[0]}", "/report?account=alice" })
        {
            var answer = await modBrowser.Http.GetAsync(page);
            var html = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode is HttpStatusCode.OK, $"{page}: {(int)answer.StatusCode}");
            AssertHeaders(answer, page);
            AssertNothingInline(html, page);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        }

        var browser = await WebBrowser.SignInAsync(_f, "alice");
        string[] pages = ["/", "/company", "/@alice", $"/@alice/{ids[0]}", $"/@alice/{ids[0]}/history", "/teams", "/teams/ops", "/notifications",
            "/settings/profile", "/settings/preferences", "/search?q=hello", "/admin", "/verify", "/help/leak-guard", "/web/compose", "/moderation", "/moderation/reports", "/moderation/false-positives",
            "/admin/policy", "/compliance", "/settings/leak-guard", "/admin/partners", "/admin/access", "/admin/invitations"];
        foreach (var page in pages)
        {
            var answer = await browser.Http.GetAsync(page);
            var html = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{page}: {(int)answer.StatusCode}");
            AssertHeaders(answer, page);
            AssertNothingInline(html, page);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        }
        var anonymous = WebBrowser.Anonymous(_f);
        foreach (var page in new[] { "/auth/sign_in", "/auth/sign_up", "/verify", "/no/such/page" })
        {
            var answer = await anonymous.Http.GetAsync(page);
            AssertHeaders(answer, page);
            AssertNothingInline(await answer.Content.ReadAsStringAsync(), page);
        }
    }

    [Fact]
    public async Task Api_answers_errors_and_assets_carry_the_headers_and_hsts_comes_only_over_https()
    {
        var (_, alice) = await _f.SignedInAsync("alice");
        AssertHeaders(await alice.GetAsync("/api/v1/accounts/verify_credentials"), "API");
        AssertHeaders(await alice.GetAsync("/api/v1/statuses/999999999"), "API 404");
        AssertHeaders(await _f.Client().GetAsync("/api/v1/accounts/verify_credentials"), "API 401");
        AssertHeaders(await _f.Client().GetAsync("/assets/app.css"), "asset");
        var plain = await _f.Client().GetAsync("/api/v1/instance");
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));

        var https = _f.Client();
        https.BaseAddress = new Uri("https://gazouille.test/");
        var secure = await https.GetAsync("/api/v1/instance");
        Assert.Contains("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_inline_style_of_the_plain_frame_is_exactly_the_one_the_policy_allows_by_hash()
    {
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Web.HtmlPage.Style)));
        Assert.Contains($"'sha256-{hash}'", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
        var page = await _f.Client().GetAsync("/no/such/page");
        var style = HtmlForms.Parse(await page.Content.ReadAsStringAsync()).QuerySelector("style");
        Assert.Equal(Web.HtmlPage.Style, style?.TextContent);
    }

    [Fact]
    public async Task An_administrator_ends_every_session_and_token_of_an_account_without_suspending_it()
    {
        var (_, root) = await _f.SignedInAsync("root", AccountRole.Admin);
        var (bobId, bob) = await _f.SignedInAsync("bob");
        var bobPage = await WebBrowser.SignInAsync(_f, "bob");
        await bobPage.PageAsync("/");
        var (_, carol) = await _f.SignedInAsync("carol");

        // Not an administrator, an unknown or malformed id, or oneself: refused without ending anything.
        await (await carol.PostAsync($"/api/v1/gazouille/admin/accounts/{bobId}/revoke_sessions", null)).ErrorAsync(HttpStatusCode.Forbidden);
        await (await root.PostAsync("/api/v1/gazouille/admin/accounts/123456789/revoke_sessions", null)).NotFoundAsync();
        await (await root.PostAsync("/api/v1/gazouille/admin/accounts/%3Cscript%3E/revoke_sessions", null)).NotFoundAsync();
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        await using var stream = await SseStream.OpenAsync(bob, "/api/v1/streaming/user");
        var revoked = await root.PostOkAsync($"/api/v1/gazouille/admin/accounts/{bobId}/revoke_sessions");
        Assert.Equal(1, revoked.GetProperty("revoked_tokens").GetInt64());
        await (await bob.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
        Assert.Null(await stream.NextAsync(TimeSpan.FromSeconds(5))); // the open stream ended with the token
        var signedOut = await bobPage.Http.GetAsync("/notifications");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains("/auth/sign_in", signedOut.Headers.Location!.OriginalString, StringComparison.Ordinal);
        // Not suspended: bob signs in again and works.
        var again = await WebBrowser.SignInAsync(_f, "bob");
        await again.PageAsync("/notifications");
        var audit = await root.GetAsync("/api/v1/gazouille/admin/audit?format=jsonl");
        Assert.Contains("account.revoke_sessions", await audit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_page_ends_sessions_in_french_and_english_but_not_the_admins_own()
    {
        var (rootId, _) = await _f.SignedInAsync("root", AccountRole.Admin);
        var (dan, danApi) = await _f.SignedInAsync("dan");
        var admin = await WebBrowser.SignInAsync(_f, "root", "fr");
        var done = await admin.SubmitAsync("/admin", "/admin?handler=revokesessions", ("id", dan.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Contains("Sessions et jetons fermés", WebUtility.HtmlDecode(await admin.PageAsync("/admin")), StringComparison.Ordinal);
        await (await danApi.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);

        var own = await admin.SubmitAsync("/admin", "/admin?handler=revokesessions", ("id", rootId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal((HttpStatusCode)422, own.StatusCode);
        await admin.PageAsync("/admin"); // still signed in
    }

    [Theory]
    [InlineData("<p>ok <script>alert(1)</script></p>", "<p>ok </p>")]
    [InlineData("<p><img src=x onerror=alert(1)>x</p>", "<p>x</p>")]
    [InlineData("<p><a href=\"javascript:alert(1)\" onclick=\"x()\">x</a></p>", "<p><a>x</a></p>")]
    [InlineData("<p><span style=\"position:fixed\" class=\"h-card\">@x</span></p>", "<p><span class=\"h-card\">@x</span></p>")]
    [InlineData("<p><a href=\"https://example.com/é\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">é</a><br>ligne</p>",
        "<p><a href=\"https://example.com/é\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">é</a><br>ligne</p>")]
    [InlineData("<iframe src=//evil></iframe><mark class=\"finding\" title=\"t\">m</mark>", "<mark class=\"finding\" title=\"t\">m</mark>")]
    public void User_html_keeps_what_rendering_makes_and_drops_anything_else(string html, string expected) =>
        Assert.Equal(expected, Features.Web.UserHtml.Sanitize(html));
}
