using System.Net;
using System.Net.Http.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>The compliance dashboard: figures from the audit log and held posts, as a page (SVG and tables), JSON and CSV.</summary>
public sealed class ComplianceTests : IAsyncLifetime
{
    private const string Confidential = "Document confidentiel, ne pas diffuser.";
    private GazouilleFactory _f = null!;
    private long _alice;
    private long _mod;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        _alice = await _f.CreateUserAsync("alice");
        _mod = await _f.CreateUserAsync("mod", AccountRole.Moderator);
        await _f.CreateTeamAsync("ops", "alice");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Warnings_overrides_holds_and_reviews_are_counted_per_day_type_audience_and_team()
    {
        var alice = _f.Client(await _f.TokenAsync(_alice));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsJsonAsync("/api/v1/statuses", new { status = Confidential, audience = "company" })).StatusCode);
        await alice.PostAsJsonAsync("/api/v1/statuses", new { status = Confidential, audience = "company", leak_guard_override = "Déjà public" });
        var held = await (await alice.PostAsJsonAsync("/api/v1/statuses", new { status = "Mon IBAN " + LeakGuardWorld.Iban, audience = "company" })).JsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").GetProperty("state").GetString());
        var mod = _f.Client(await _f.TokenAsync(_mod));
        Assert.Equal(HttpStatusCode.OK, (await mod.PostAsync($"/api/v1/gazouille/moderation/held/{held.GetProperty("id").GetString()}/approve", null)).StatusCode);

        var report = await (await mod.GetAsync("/api/v1/gazouille/compliance")).JsonAsync();
        int Count(string section, string key) => report.GetProperty(section).EnumerateArray().Where(c => c.GetProperty("key").GetString() == key).Select(c => c.GetProperty("count").GetInt32()).SingleOrDefault();
        Assert.Equal(1, Count("decisions", "warn"));
        Assert.Equal(1, Count("decisions", "override"));
        Assert.Equal(1, Count("decisions", "hold"));
        Assert.Equal(4, Count("by_type", "confidential_marker")); // two markers in each of two attempts
        Assert.Equal(1, Count("by_type", "iban"));
        Assert.Equal(3, Count("by_audience", "company"));
        Assert.Equal(3, Count("by_team", "ops"));
        Assert.Equal(30, report.GetProperty("per_day").GetArrayLength());
        Assert.Equal(3, report.GetProperty("per_day")[29].GetProperty("total").GetInt32());
        var review = report.GetProperty("review");
        Assert.Equal(1, review.GetProperty("reviewed").GetInt32());
        Assert.Equal(1, review.GetProperty("approved").GetInt32());
        Assert.Equal(JsonValueKindNumber, review.GetProperty("median_hours").ValueKind);

        var csv = await (await mod.GetAsync("/api/v1/gazouille/compliance?format=csv")).Content.ReadAsStringAsync();
        Assert.StartsWith("section,key,warn,override,hold,block,count\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("decision,override,,,,,1\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("team,ops,,,,,3\r\n", csv, StringComparison.Ordinal);

        // Hostile or forbidden requests: a clear 4xx in Mastodon's error shape.
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/v1/gazouille/compliance")).StatusCode);
        foreach (var q in new[] { "from=yesterday", "from=2026-02-30", "from=2026-11-02&to=2026-11-01", "from=2020-01-01&to=2026-01-01", "format=xml" })
        {
            var bad = await mod.GetAsync("/api/v1/gazouille/compliance?" + q);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
            Assert.True((await bad.JsonAsync()).TryGetProperty("error", out _));
        }

        var page = HtmlForms.Parse(await (await WebBrowser.SignInAsync(_f, "mod", "fr")).PageAsync("/compliance"));
        var chart = page.QuerySelector("svg.chart[role=img]")!;
        Assert.Equal("Tentatives de fuite par jour", chart.QuerySelector("title")!.TextContent);
        Assert.NotNull(chart.QuerySelector("desc"));
        Assert.NotNull(chart.QuerySelector("rect[data-kind=override]"));
        Assert.Single(page.QuerySelectorAll("#per-day-table tbody tr"));
        Assert.Contains("ops", page.QuerySelector("#teams-table")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("a[href$='format=csv']"));
        await (await WebBrowser.SignInAsync(_f, "alice")).PageAsync("/compliance", HttpStatusCode.NotFound);
        await (await WebBrowser.SignInAsync(_f, "mod")).PageAsync("/compliance?from=nope", HttpStatusCode.UnprocessableEntity);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNumber = System.Text.Json.JsonValueKind.Number;
}
