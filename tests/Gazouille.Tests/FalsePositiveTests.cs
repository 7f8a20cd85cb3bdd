using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>
/// False-positive reports: an author says a warning was wrong (from the history or the compose box's tips), moderators
/// accept or reject it and may turn it into a policy change; the compliance dashboard shows the false-positive rate.
/// </summary>
public sealed class FalsePositiveTests : IAsyncLifetime
{
    // "Orange" is a client in the policy below; the café "Orange Bleue" is not.
    private const string Cafe = "Déjeuner au café Orange Bleue demain midi.";
    private const string Policy = """{"dictionaries": {"client": ["Orange", "Zorglub"]}}""";
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync()
    {
        _w = await LeakGuardWorld.CreateAsync();
        (await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy", new StringContent(Policy, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private async Task<string> WarnAsync(HttpClient author, string text)
    {
        var refused = await LeakGuardWorld.PostAsync(author, text, "partners:ops");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var history = await author.GetOkAsync("/api/v1/gazouille/leak_guard/history");
        return history[0].Id();
    }

    private async Task<string> CheckAsync(string text) =>
        (await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text, audience = "partners:ops" })).Str("decision");

    [Fact]
    public async Task An_author_reports_a_warning_a_moderator_accepts_it_with_an_exception_and_the_same_text_passes()
    {
        Assert.Equal("warn", await CheckAsync(Cafe));
        var entry = await WarnAsync(_w.Alice, Cafe);

        var report = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = entry, comment = "<b>C'est un café</b>" });
        Assert.Equal("open", report.Str("status"));
        Assert.Equal(entry, report.Str("history_id"));
        Assert.Equal("warn", report.Str("action"));
        Assert.Equal("partners", report.Str("audience"));
        var finding = Assert.Single(report.GetProperty("findings").EnumerateArray());
        Assert.Equal(("client", "Orange"), (finding.Str("type"), finding.Str("text")));
        Assert.Equal(JsonValueKind.Null, report.GetProperty("account").ValueKind);
        // Reporting the same entry again gives the same report, not a second one.
        Assert.Equal(report.Id(), (await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = entry })).Id());

        // Someone else's warning answers exactly like one that does not exist.
        var missing = await (await _w.Bob.PostAsJsonAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = "999999" })).ErrorAsync(HttpStatusCode.NotFound);
        Assert.Equal(missing, await (await _w.Bob.PostAsJsonAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = entry })).ErrorAsync(HttpStatusCode.NotFound));
        Assert.Equal(missing, await (await _w.Mod.PostAsJsonAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = entry })).ErrorAsync(HttpStatusCode.NotFound));
        Assert.Equal(1, (await _w.Alice.GetOkAsync("/api/v1/gazouille/leak_guard/false_positives")).Count());
        Assert.Equal(0, (await _w.Bob.GetOkAsync("/api/v1/gazouille/leak_guard/false_positives")).Count());
        await (await _w.Anonymous.GetAsync("/api/v1/gazouille/leak_guard/false_positives")).ErrorAsync(HttpStatusCode.Unauthorized);

        // Only moderators and admins see the queue and resolve.
        const string Queue = "/api/v1/gazouille/admin/leak_guard/false_positives";
        await (await _w.Alice.GetAsync(Queue)).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _w.Bob.PostAsJsonAsync($"{Queue}/{report.Id()}/accept", new { note = "ok" })).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _w.Gina.PostAsJsonAsync($"{Queue}/{report.Id()}/reject", new { note = "no" })).ErrorAsync(HttpStatusCode.Forbidden);
        var queued = Assert.Single((await _w.Mod.GetOkAsync(Queue)).EnumerateArray());
        Assert.Equal(("alice", "<b>C'est un café</b>"), (queued.Str("account"), queued.Str("comment")));
        Assert.Equal(1, (await _w.Root.GetOkAsync(Queue)).Count());

        var accepted = await _w.Mod.PostOkAsync($"{Queue}/{report.Id()}/accept",
            new { note = "Un café, pas le client", policy_change = "exception", term = "café Orange Bleue" });
        Assert.Equal(("accepted", "mod"), (accepted.Str("status"), accepted.Str("resolved_by")));
        Assert.Equal("exception:café Orange Bleue", accepted.Str("policy_change"));
        await (await _w.Root.PostAsJsonAsync($"{Queue}/{report.Id()}/reject", new { note = "late" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, (await _w.Mod.GetOkAsync(Queue)).Count());
        Assert.Equal(1, (await _w.Mod.GetOkAsync($"{Queue}?status=accepted")).Count());

        // The policy changed through the admins' path: a new version, in force at once; the client alone still warns.
        var policy = await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy");
        Assert.Contains("café Orange Bleue", policy.Str("document"), StringComparison.Ordinal);
        Assert.Equal("allow", await CheckAsync(Cafe));
        Assert.Equal("warn", await CheckAsync("Réunion avec Orange demain."));
        Assert.Equal(HttpStatusCode.OK, (await LeakGuardWorld.PostAsync(_w.Alice, Cafe, "partners:ops")).StatusCode);

        // The author sees the outcome, without who resolved it or the policy's details.
        var mine = Assert.Single((await _w.Alice.GetOkAsync("/api/v1/gazouille/leak_guard/false_positives")).EnumerateArray());
        Assert.Equal(("accepted", "Un café, pas le client", "exception"), (mine.Str("status"), mine.Str("resolution_note"), mine.Str("policy_change")));
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("resolved_by").ValueKind);
        var page = await (await WebBrowser.SignInAsync(_w.Factory, "alice", "fr")).PageAsync("/settings/leak-guard");
        Assert.Contains("Accepté : ce n'est pas une fuite", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Contains("Note du modérateur : Un café, pas le client", WebUtility.HtmlDecode(page), StringComparison.Ordinal);

        var audit = await _w.AuditAsync();
        Assert.Contains(audit, e => e.Action == "false_positive.report" && e.Actor == "@alice");
        Assert.Contains(audit, e => e.Action == "false_positive.accept" && e.Actor == "@mod" && e.Details.GetProperty("policy_change").GetString() == "exception:café Orange Bleue");
        Assert.Contains(audit, e => e.Action == "policy.change" && e.Actor == "@mod" && e.Details.GetProperty("change").GetProperty("kind").GetString() == "exception.add");

        // Admins see the exception on the policy page and can take it back there.
        var root = await WebBrowser.SignInAsync(_w.Factory, "root");
        var policyPage = HtmlForms.Parse(await root.PageAsync("/admin/policy"));
        Assert.Equal(["café Orange Bleue"], policyPage.QuerySelectorAll(".exception-terms li span").Select(e => e.TextContent));
        var version = policy.Int("version").ToString(CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin/policy", "/admin/policy?handler=removeException", ("version", version), ("term", "café Orange Bleue"))).StatusCode);
        Assert.Equal("warn", await CheckAsync(Cafe));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await root.SubmitAsync("/admin/policy", "/admin/policy?handler=addException", ("term", " "))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin/policy", "/admin/policy?handler=addException", ("term", "<b>Orange</b> Mécanique"))).StatusCode);
        Assert.Contains("&lt;b&gt;Orange&lt;/b&gt; Mécanique", await root.PageAsync("/admin/policy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tip_is_reported_from_the_compose_box_and_fixed_from_the_moderators_page_with_user_text_escaped()
    {
        var alice = await WebBrowser.SignInAsync(_w.Factory, "alice");
        const string Hostile = "<script>alert(1)</script> c'est <img src=x onerror=alert(2)> un fruit";
        var sent = await alice.SendFormAsync("/web/compose", "/web/compose", "/settings/leak-guard?handler=reporttext", htmx: true,
            ("status", "Une Orange par jour, disait ma grand-mère."), ("audience", "partners:ops"), ("fp_comment", Hostile));
        var fragment = await sent.Content.ReadAsStringAsync();
        Assert.True(sent.StatusCode == HttpStatusCode.OK, fragment);
        Assert.Contains("a moderator will look at your report", fragment, StringComparison.Ordinal);
        // Without JavaScript the same button posts the form and comes back to the history.
        var plain = await alice.SendFormAsync("/web/compose", "/web/compose", "/settings/leak-guard?handler=reporttext", htmx: false,
            ("status", "Zorglub m'a appelé."), ("audience", "partners:ops"));
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        var history = await alice.PageAsync("/settings/leak-guard");
        Assert.Equal(2, HtmlForms.Parse(history).QuerySelectorAll(".fp-reports li[data-status=open]").Length);
        // A text the guard does not warn about cannot be reported.
        var nothing = await alice.SendFormAsync("/web/compose", "/web/compose", "/settings/leak-guard?handler=reporttext", htmx: true,
            ("status", "Bonne journée à tous"), ("audience", "partners:ops"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nothing.StatusCode);

        // The compose box's tip offers the button, beside the findings.
        var tips = await alice.SendFormAsync("/web/compose", "/web/compose", "/web/compose?handler=check", htmx: true, ("status", "Une Orange"), ("audience", "partners:ops"));
        var tipsHtml = await tips.Content.ReadAsStringAsync();
        Assert.Contains("This is not a leak", tipsHtml, StringComparison.Ordinal);
        Assert.Contains("formaction=\"/settings/leak-guard?handler=reporttext\"", tipsHtml, StringComparison.Ordinal);

        var mod = await WebBrowser.SignInAsync(_w.Factory, "mod");
        var queue = await mod.PageAsync("/moderation/false-positives");
        Assert.DoesNotContain("<script>alert(1)", queue, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", queue, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", queue, StringComparison.Ordinal);
        var doc = HtmlForms.Parse(queue);
        var items = doc.QuerySelectorAll(".fp-item");
        Assert.Equal(2, items.Length);
        var fruit = items.Single(i => i.TextContent.Contains("grand-mère", StringComparison.Ordinal));
        Assert.Equal("Orange", fruit.QuerySelector("input[name=term]")!.GetAttribute("value"));
        Assert.NotNull(fruit.QuerySelector("select[name=category] option[value=client][selected]"));
        var id = fruit.GetAttribute("data-id")!;

        // A fix that cannot apply changes nothing and leaves the report open.
        var wrong = await mod.SubmitAsync("/moderation/false-positives", "/moderation/false-positives?handler=resolve",
            ("id", id), ("decision", "accept"), ("policy_change", "remove_term"), ("term", "Pomme"), ("category", "client"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        Assert.Equal(2, (await _w.Mod.GetOkAsync("/api/v1/gazouille/admin/leak_guard/false_positives")).Count());

        var done = await mod.SubmitAsync("/moderation/false-positives", "/moderation/false-positives?handler=resolve",
            ("id", id), ("decision", "accept"), ("policy_change", "remove_term"), ("term", "Orange"), ("category", "client"), ("note", "Orange n'est plus client"));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.DoesNotContain("\"Orange\"", (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Str("document"), StringComparison.Ordinal);
        Assert.Equal("allow", await CheckAsync("Une Orange par jour, disait ma grand-mère."));

        var other = doc.QuerySelectorAll(".fp-item").Single(i => i != fruit).GetAttribute("data-id")!;
        Assert.Equal(HttpStatusCode.Redirect, (await mod.SubmitAsync("/moderation/false-positives", "/moderation/false-positives?handler=resolve",
            ("id", other), ("decision", "accept"), ("policy_change", "mark_ambiguous"), ("term", "zorglub"), ("category", "client"))).StatusCode);
        Assert.Contains("~Zorglub", (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Str("document"), StringComparison.Ordinal);
        Assert.Contains("Zorglub", (await mod.PageAsync("/moderation/false-positives?status=accepted")), StringComparison.Ordinal);

        // Not for authors: the page is not found, the API forbidden.
        await alice.PageAsync("/moderation/false-positives", HttpStatusCode.NotFound);
        await (await _w.Alice.GetAsync("/api/v1/gazouille/admin/leak_guard/false_positives")).ErrorAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Hostile_reports_and_resolutions_get_clear_errors_and_save_nothing()
    {
        const string Mine = "/api/v1/gazouille/leak_guard/false_positives";
        var entry = await WarnAsync(_w.Alice, Cafe);
        async Task<string> Refused(HttpResponseMessage r, HttpStatusCode code = HttpStatusCode.UnprocessableEntity) => await r.ErrorAsync(code);

        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { history_id = entry, text = Cafe }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { history_id = entry, comment = new string('x', 1001) }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { history_id = entry, comment = "bad \u0001 char" }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { text = "" }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { text = new string('a', 20_001), audience = "partners:ops" }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { text = Cafe, audience = new string('x', 301) }));
        await Refused(await _w.Alice.PostAsJsonAsync(Mine, new { text = Cafe, audience = "nowhere" }));
        await Refused(await _w.Alice.PostAsync(Mine, ApiAssert.RawJson("{\"history_id\": ")), HttpStatusCode.BadRequest);
        await Refused(await _w.Alice.PostAsync(Mine, ApiAssert.RawJson("[1,2,3]")), HttpStatusCode.BadRequest);
        await Refused(await _w.Alice.PostAsync(Mine, ApiAssert.RawJson("{\"history_id\": true}")), HttpStatusCode.NotFound);
        await Refused(await _w.Alice.PostAsync(Mine, ApiAssert.RawJson("{\"history_id\": 1.5e300}")), HttpStatusCode.NotFound);
        await Refused(await _w.Alice.PostAsync(Mine, ApiAssert.RawJson("{\"history_id\": \"-1\"}")), HttpStatusCode.NotFound);
        await Refused(await _w.Alice.GetAsync($"{Mine}?max_id=abc"));
        await Refused(await _w.Alice.GetAsync($"{Mine}?limit=-3"));
        Assert.Equal(0, await _w.CountAsync<FalsePositiveReport>());

        // A report by the API, then resolutions that must all fail without touching it.
        var report = await _w.Alice.PostOkAsync(Mine, new { text = Cafe, audience = "partners:ops", comment = "  \n  " });
        Assert.Equal(("check", ""), (report.Str("action"), report.Str("comment")));
        Assert.Contains("Orange", report.Str("excerpt"), StringComparison.Ordinal);
        const string Queue = "/api/v1/gazouille/admin/leak_guard/false_positives";
        var accept = $"{Queue}/{report.Id()}/accept";
        await Refused(await _w.Mod.PostAsJsonAsync(accept, new { policy_change = "bogus" }));
        await Refused(await _w.Mod.PostAsJsonAsync(accept, new { policy_change = "exception" }));
        await Refused(await _w.Mod.PostAsJsonAsync(accept, new { policy_change = "exception", term = new string('t', 201) }));
        await Refused(await _w.Mod.PostAsJsonAsync(accept, new { policy_change = "remove_term", term = "Orange" }));
        await Refused(await _w.Mod.PostAsJsonAsync(accept, new { policy_change = "remove_term", term = "Orange", category = "nosuch" }));
        await Refused(await _w.Mod.PostAsJsonAsync(accept, new { note = new string('n', 1001) }));
        await Refused(await _w.Mod.PostAsJsonAsync($"{Queue}/{report.Id()}/reject", new { policy_change = "exception", term = "x" }));
        await Refused(await _w.Mod.PostAsync(accept, ApiAssert.RawJson("{\"note\": ")), HttpStatusCode.BadRequest);
        await Refused(await _w.Mod.PostAsJsonAsync($"{Queue}/%3Cscript%3E/accept", new { }), HttpStatusCode.NotFound);
        await Refused(await _w.Mod.PostAsJsonAsync($"{Queue}/123456789/accept", new { }), HttpStatusCode.NotFound);
        await Refused(await _w.Mod.GetAsync($"{Queue}?status=closed"));
        var still = await _w.Mod.GetOkAsync($"{Queue}/{report.Id()}");
        Assert.Equal("open", still.Str("status"));
        var versions = (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Int("version");

        // A moderator never resolves their own report.
        var own = await _w.Mod.PostOkAsync(Mine, new { text = Cafe, audience = "partners:ops" });
        await Refused(await _w.Mod.PostAsJsonAsync($"{Queue}/{own.Id()}/reject", new { }), HttpStatusCode.Forbidden);

        var rejected = await _w.Root.PostOkAsync($"{Queue}/{report.Id()}/reject", new { note = "<i>Orange</i> est bien un client" });
        Assert.Equal("rejected", rejected.Str("status"));
        Assert.Equal(versions, (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Int("version"));
        Assert.Equal("warn", await CheckAsync(Cafe));
        var page = await (await WebBrowser.SignInAsync(_w.Factory, "root")).PageAsync("/moderation/false-positives?status=rejected");
        Assert.Contains("&lt;i&gt;Orange&lt;/i&gt; est bien un client", page, StringComparison.Ordinal);

        // A held post's excerpt keeps its bank number masked, as the audit log does.
        var held = await (await LeakGuardWorld.PostAsync(_w.Bob, "Mon IBAN " + LeakGuardWorld.Iban, "company")).JsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").GetProperty("state").GetString());
        var holdEntry = (await _w.Bob.GetOkAsync("/api/v1/gazouille/leak_guard/history"))[0];
        Assert.Equal("hold", holdEntry.Str("action"));
        var ibanReport = await _w.Bob.PostOkAsync(Mine, new { history_id = holdEntry.Id() });
        Assert.StartsWith("Mon IBAN ••••", ibanReport.Str("excerpt"), StringComparison.Ordinal);
        Assert.DoesNotContain("3000 6000", ibanReport.Str("excerpt"), StringComparison.Ordinal);
        Assert.DoesNotContain("3000 6000", await (await _w.Mod.GetAsync(Queue)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_false_positive_rate_is_the_same_on_the_page_in_JSON_and_in_CSV()
    {
        var first = await WarnAsync(_w.Alice, Cafe);
        var second = await WarnAsync(_w.Alice, "Zorglub passe demain.");
        Assert.Equal(HttpStatusCode.OK, (await LeakGuardWorld.PostAsync(_w.Alice, "Zorglub passe demain.", "partners:ops", "Déjà annoncé")).StatusCode);
        var accepted = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = first });
        var rejected = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/false_positives", new { history_id = second });
        await _w.Mod.PostOkAsync($"/api/v1/gazouille/admin/leak_guard/false_positives/{accepted.Id()}/accept", new { note = "ok" });
        await _w.Mod.PostOkAsync($"/api/v1/gazouille/admin/leak_guard/false_positives/{rejected.Id()}/reject", new { note = "non" });
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var json = await _w.Mod.GetOkAsync("/api/v1/gazouille/compliance");
        var fp = json.GetProperty("false_positives");
        Assert.Equal((2, 1, 1, 0, 3), (fp.Int("reported"), fp.Int("accepted"), fp.Int("rejected"), fp.Int("open"), fp.Int("warnings")));
        var rate = fp.GetProperty("rate").GetDouble();
        Assert.Equal(0.3333, rate);
        var day = json.GetProperty("per_day").EnumerateArray().Single(d => d.Str("date") == today);
        Assert.Equal((1, 0.3333), (day.Int("false_positives"), day.GetProperty("false_positive_rate").GetDouble()));
        Assert.True(json.GetProperty("per_day").EnumerateArray().Where(d => d.Str("date") != today).All(d => d.GetProperty("false_positive_rate").ValueKind == JsonValueKind.Null));

        var csv = await (await _w.Mod.GetAsync("/api/v1/gazouille/compliance?format=csv")).Content.ReadAsStringAsync();
        Assert.StartsWith("section,key,warn,override,hold,block,count\r\n", csv, StringComparison.Ordinal);
        string Cell(string section, string key) => csv.Split("\r\n").Single(l => l.StartsWith($"{section},{key},", StringComparison.Ordinal)).Split(',')[^1];
        Assert.Equal(rate, double.Parse(Cell("false_positive", "rate"), CultureInfo.InvariantCulture));
        Assert.Equal("1", Cell("false_positive", "accepted"));
        Assert.Equal("3", Cell("false_positive", "warnings"));
        Assert.Equal("1", Cell("false_positive_day", today));
        Assert.Equal(day.GetProperty("false_positive_rate").GetDouble(), double.Parse(Cell("false_positive_rate_day", today), CultureInfo.InvariantCulture));

        var page = HtmlForms.Parse(await (await WebBrowser.SignInAsync(_w.Factory, "mod")).PageAsync("/compliance"));
        Assert.Equal(rate, double.Parse(page.QuerySelector("#false-positives dd[data-rate]")!.GetAttribute("data-rate")!, CultureInfo.InvariantCulture));
        Assert.Equal(rate, double.Parse(page.QuerySelector($"#per-day-table tr[data-day='{today}'] td[data-rate]")!.GetAttribute("data-rate")!, CultureInfo.InvariantCulture));
        Assert.Contains("33.33 %", page.QuerySelector("#false-positives")!.TextContent, StringComparison.Ordinal);
    }
}
