using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>The Leak Guard policy in the admin area: dictionaries, categories, decisions, trying a text, imports and rescans.</summary>
public sealed class PolicyAdminTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private WebBrowser _admin = null!;
    private long _alice;
    private long _root;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync(new() { ["Gazouille:Audiences:PublicEnabled"] = "true" });
        _root = await _f.CreateUserAsync("root", AccountRole.Admin);
        await _f.CreateUserAsync("mod", AccountRole.Moderator);
        _alice = await _f.CreateUserAsync("alice");
        _admin = await WebBrowser.SignInAsync(_f, "root");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private async Task<int> PolicyVersionAsync() =>
        await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().LeakPolicyDocuments.MaxAsync(d => (int?)d.Version)) ?? 0;

    private Task<List<AuditEntry>> AuditAsync(string action) =>
        _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().AuditEntries.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.Seq).ToListAsync());

    private Task<HttpResponseMessage> TryAsync(string text) =>
        _admin.SendFormAsync("/admin/policy", "/admin/policy?handler=try", "/admin/policy?handler=try", htmx: true, ("text", text));

    private static string DecisionFor(string fragment, string audience) =>
        HtmlForms.Parse(fragment).QuerySelector($"td[data-audience='{audience}']")!.ClassName!;

    /// <summary>Uploads a file through the dictionary page's import form, as a browser sends it.</summary>
    private async Task<HttpResponseMessage> ImportAsync(string category, byte[] file, string fileName, string mode = "merge")
    {
        var page = $"/admin/policy/dictionaries/{category}";
        var fields = HtmlForms.HiddenFields(await _admin.PageAsync(page), $"{page}?handler=import");
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        form.Add(new StringContent(mode), "mode");
        form.Add(new ByteArrayContent(file), "file", fileName);
        return await _admin.Http.PostAsync($"{page}?handler=import", form);
    }

    /// <summary>Follows a job the way the page does (htmx asks for the fragment every second) until it ends.</summary>
    private async Task<AngleSharp.Html.Dom.IHtmlDocument> JobAsync(HttpResponseMessage started)
    {
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var url = started.Headers.Location!.OriginalString;
        Assert.StartsWith("/admin/policy/jobs/", url, StringComparison.Ordinal);
        Assert.Contains("<progress", await _admin.PageAsync(url), StringComparison.Ordinal);
        for (var i = 0; i < 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("HX-Request", "true");
            var doc = HtmlForms.Parse(await (await _admin.Http.SendAsync(request)).Content.ReadAsStringAsync());
            var job = doc.QuerySelector("#policy-job")!;
            if (job.GetAttribute("data-state") != "running")
            {
                Assert.Null(job.GetAttribute("hx-trigger")); // the page stops polling
                return doc;
            }
            Assert.Equal("every 1s", job.GetAttribute("hx-trigger"));
            await Task.Delay(100);
        }
        throw new TimeoutException("The job did not finish in 30 s");
    }

    [Fact]
    public async Task Only_admins_reach_the_policy_pages()
    {
        foreach (var who in new[] { "mod", "alice" })
        {
            var browser = await WebBrowser.SignInAsync(_f, who);
            await browser.PageAsync("/admin/policy", HttpStatusCode.NotFound);
            await browser.PageAsync("/admin/policy/dictionaries/client", HttpStatusCode.NotFound);
            await browser.PageAsync("/admin/policy/jobs/0123456789abcdef", HttpStatusCode.NotFound);
        }
        var anonymous = await WebBrowser.Anonymous(_f).Http.GetAsync("/admin/policy");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        await _admin.PageAsync("/admin/policy/dictionaries/no_such_thing", HttpStatusCode.NotFound);
        Assert.Contains("href=\"/admin/policy\"", await _admin.PageAsync("/admin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terms_added_on_the_page_change_the_decisions_shown_per_audience_and_are_audited()
    {
        var before = await TryAsync("Point d'étape sur Zéphyrine avec l'équipe");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal("decision-allow", DecisionFor(await before.Content.ReadAsStringAsync(), "public"));

        var added = await _admin.SubmitAsync("/admin/policy/dictionaries/project", "/admin/policy/dictionaries/project?handler=add",
            ("terms", "Zéphyrine\n\n# a comment\n<b>Acme & Cie</b>\n~Atlas"));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal(1, await PolicyVersionAsync());
        var page = await _admin.PageAsync("/admin/policy/dictionaries/project");
        Assert.Contains("&lt;b&gt;Acme &amp; Cie&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Acme", page, StringComparison.Ordinal);
        Assert.Contains("~Atlas", page, StringComparison.Ordinal);

        var after = await (await TryAsync("Point d'étape sur Zéphyrine avec l'équipe")).Content.ReadAsStringAsync();
        Assert.Equal("decision-allow", DecisionFor(after, "company"));
        Assert.Equal("decision-warn", DecisionFor(after, "partners"));
        Assert.Equal("decision-hold", DecisionFor(after, "public"));
        Assert.Equal("Zéphyrine", HtmlForms.Parse(after).QuerySelector("mark")!.TextContent);
        var hostile = await (await TryAsync("<script>alert(1)</script> Zéphyrine")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", hostile, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await TryAsync(new string('x', 20_001))).StatusCode);

        var audit = Assert.Single(await AuditAsync("policy.change"));
        Assert.Equal("@root", audit.Actor);
        var change = JsonDocument.Parse(audit.Details).RootElement.GetProperty("change");
        Assert.Equal("terms.add", change.GetProperty("kind").GetString());
        Assert.Equal(3, change.GetProperty("terms").GetInt32());

        var removed = await _admin.SubmitAsync("/admin/policy/dictionaries/project", "/admin/policy/dictionaries/project?handler=remove", ("term", "Zéphyrine"));
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("decision-allow", DecisionFor(await (await TryAsync("Point d'étape sur Zéphyrine")).Content.ReadAsStringAsync(), "public"));
        Assert.Equal(2, (await AuditAsync("policy.change")).Count);

        // A term too short to match safely is refused with the validator's reason; nothing is saved.
        var tooShort = await _admin.SubmitAsync("/admin/policy/dictionaries/project", "/admin/policy/dictionaries/project?handler=add", ("terms", "x"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooShort.StatusCode);
        Assert.Contains("too short", await tooShort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await PolicyVersionAsync());
    }

    [Fact]
    public async Task The_decision_table_only_gets_stricter_and_an_old_form_cannot_undo_a_newer_change()
    {
        const string Money = "On a signé pour 2 millions d'euros cette semaine.";
        Assert.Equal("decision-allow", DecisionFor(await (await TryAsync(Money)).Content.ReadAsStringAsync(), "company"));
        var stale = await _admin.PageAsync("/admin/policy");

        var saved = await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=decisions", ("cell.money_or_headcount.company", "hold"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var tried = await (await TryAsync(Money)).Content.ReadAsStringAsync();
        Assert.Equal("decision-hold", DecisionFor(tried, "company"));
        Assert.Equal("decision-hold", DecisionFor(tried, "public")); // wider is never looser
        Assert.Equal("decision-allow", DecisionFor(tried, "followers"));
        var page = HtmlForms.Parse(await _admin.PageAsync("/admin/policy"));
        Assert.Equal("hold", page.QuerySelector("#cell-money_or_headcount-company option[selected]")!.GetAttribute("value"));
        Assert.Null(page.QuerySelector("#cell-secret-team option[value=allow]")); // looser than the default is not offered

        var looser = await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=decisions", ("cell.secret.team", "allow"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, looser.StatusCode);
        Assert.Equal(1, await PolicyVersionAsync());

        // The form read before the change carries version 0: saving it would silently undo the hold.
        var fields = HtmlForms.HiddenFields(stale, "/admin/policy?handler=decisions");
        var conflict = await _admin.Http.PostAsync("/admin/policy?handler=decisions", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(1, await PolicyVersionAsync());
    }

    [Fact]
    public async Task A_custom_category_gets_a_rule_its_terms_and_can_be_deleted()
    {
        var bad = await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=addCategory", ("name", "Bad Name<script>"), ("rule", "custom"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.DoesNotContain("<script>", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await PolicyVersionAsync());

        Assert.Equal(HttpStatusCode.Redirect, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=addCategory", ("name", "codename"), ("rule", "custom"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=addCategory", ("name", "client"), ("rule", "custom"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await _admin.SubmitAsync("/admin/policy/dictionaries/codename", "/admin/policy/dictionaries/codename?handler=add", ("terms", "Opération Mistral"))).StatusCode);
        Assert.Equal("decision-allow", DecisionFor(await (await TryAsync("Demain : Opération Mistral")).Content.ReadAsStringAsync(), "company"));

        Assert.Equal(HttpStatusCode.Redirect, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=categoryRule", ("name", "codename"), ("rule", "business_severe"))).StatusCode);
        var severe = await (await TryAsync("Demain : Opération Mistral")).Content.ReadAsStringAsync();
        Assert.Equal("decision-hold", DecisionFor(severe, "partners"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=categoryRule", ("name", "client"), ("rule", "secret"))).StatusCode);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=deleteCategory", ("name", "person"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=deleteCategory", ("name", "codename"))).StatusCode);
        Assert.Equal("decision-allow", DecisionFor(await (await TryAsync("Demain : Opération Mistral")).Content.ReadAsStringAsync(), "public"));
        await _admin.PageAsync("/admin/policy/dictionaries/codename", HttpStatusCode.NotFound);
        var kinds = (await AuditAsync("policy.change")).Select(e => JsonDocument.Parse(e.Details).RootElement.GetProperty("change").GetProperty("kind").GetString()).ToList();
        Assert.Equal(["category.add", "terms.add", "category.rule", "category.delete"], kinds);
    }

    [Fact]
    public async Task A_csv_import_runs_with_progress_and_exports_back_the_same_terms()
    {
        // Excel's "CSV UTF-8": a byte order mark, semicolons, a header; then an entry with an org and aliases.
        var csv = "\uFEFFterm;ambiguous;org;aliases\r\nGroupe Atlas;false;atlas;Atlas Group|GA Corp\r\n\"Hélios; SA\";true;;\r\n";
        var lines = string.Concat(Enumerable.Range(1, 20_000).Select(i => $"Client numéro {i};false;;\r\n"));
        var done = await JobAsync(await ImportAsync("client", Encoding.UTF8.GetBytes(csv + lines), "clients.csv"));
        Assert.Equal("done", done.QuerySelector("#policy-job")!.GetAttribute("data-state"));
        Assert.Contains("20002 terms read, 20002 new", done.QuerySelector(".notice")!.TextContent, StringComparison.Ordinal);

        var page = await _admin.PageAsync("/admin/policy/dictionaries/client?q=atlas");
        Assert.Contains("Groupe Atlas", page, StringComparison.Ordinal);
        Assert.Contains("Atlas Group, GA Corp", page, StringComparison.Ordinal);
        Assert.Equal("decision-warn", DecisionFor(await (await TryAsync("Rendez-vous chez GA Corp")).Content.ReadAsStringAsync(), "partners"));

        var export = await _admin.Http.GetAsync("/admin/policy/dictionaries/client?handler=export&format=csv");
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        var exported = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("term,ambiguous,org,aliases", exported, StringComparison.Ordinal);
        Assert.Contains("Hélios; SA,true,,", exported, StringComparison.Ordinal);
        var text = await (await _admin.Http.GetAsync("/admin/policy/dictionaries/client?handler=export&format=text")).Content.ReadAsStringAsync();
        Assert.Contains("~Hélios; SA\n", text, StringComparison.Ordinal);

        // Re-importing the export in replace mode gives the same dictionary (nothing new).
        var again = await JobAsync(await ImportAsync("client", Encoding.UTF8.GetBytes(exported), "export.csv", "replace"));
        Assert.Equal("done", again.QuerySelector("#policy-job")!.GetAttribute("data-state"));
        Assert.Equal(exported, await (await _admin.Http.GetAsync("/admin/policy/dictionaries/client?handler=export&format=csv")).Content.ReadAsStringAsync());
        var kinds = (await AuditAsync("policy.change")).Select(e => JsonDocument.Parse(e.Details).RootElement.GetProperty("change").GetProperty("kind").GetString());
        Assert.Equal(["dictionary.import", "dictionary.replace"], kinds);
    }

    [Fact]
    public async Task Hostile_dictionary_files_are_refused_with_a_reason_and_change_nothing()
    {
        // Latin-1 bytes (a spreadsheet's "CSV" on Windows): not guessed, refused.
        var latin1 = await JobAsync(await ImportAsync("client", Encoding.Latin1.GetBytes("Société Générale\n"), "clients.txt"));
        Assert.Equal("failed", latin1.QuerySelector("#policy-job")!.GetAttribute("data-state"));
        Assert.Contains("UTF-8", latin1.QuerySelector(".error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await PolicyVersionAsync());

        // UTF-16 with its byte order mark is read.
        var utf16 = await JobAsync(await ImportAsync("client", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Société Générale\n")], "clients.txt"));
        Assert.Equal("done", utf16.QuerySelector("#policy-job")!.GetAttribute("data-state"));
        Assert.Equal(1, await PolicyVersionAsync());

        // Control characters, a term over 200 characters, a NUL byte: every bad line is named, nothing saved.
        var bad = await JobAsync(await ImportAsync("client", Encoding.UTF8.GetBytes($"Bon terme\nmauvais\u0007terme\n{new string('a', 201)}\nnul\0\n"), "bad.txt"));
        Assert.Equal("failed", bad.QuerySelector("#policy-job")!.GetAttribute("data-state"));
        var errors = bad.QuerySelectorAll(".error li").Select(li => li.TextContent).ToList();
        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Line 2", errors[0], StringComparison.Ordinal);
        Assert.Equal(1, await PolicyVersionAsync());

        // An unterminated quote in a CSV never takes the server down.
        var broken = await ImportAsync("client", Encoding.UTF8.GetBytes("term\n\"Groupe Atlas\n"), "broken.csv");
        Assert.Contains((await JobAsync(broken)).QuerySelector("#policy-job")!.GetAttribute("data-state"), new[] { "done", "failed" });

        // Larger than the form accepts: a 4xx, never a 500, and nothing saved.
        var huge = await ImportAsync("client", new byte[17 * 1024 * 1024], "huge.txt");
        Assert.InRange((int)huge.StatusCode, 400, 499);
        var empty = await ImportAsync("client", [], "empty.txt");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.True(await PolicyVersionAsync() <= 2);
    }

    [Fact]
    public async Task A_rescan_lists_the_posts_the_new_policy_would_hold_and_unpublishes_nothing()
    {
        var alice = _f.Client(await _f.TokenAsync(_alice));
        var leaky = await alice.PostStatusAsync("Belle réunion avec Zéphyrine ce matin", "public");
        await alice.PostStatusAsync("Belle journée à tous", "public");
        await alice.PostStatusAsync("Zéphyrine en interne, rien à dire", "company");
        Assert.Equal("published", leaky.GetProperty("leak_guard").GetProperty("state").GetString());

        Assert.Equal(HttpStatusCode.Redirect, (await _admin.SubmitAsync("/admin/policy/dictionaries/client", "/admin/policy/dictionaries/client?handler=add", ("terms", "Zéphyrine"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=rescan", ("days", "0"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=rescan", ("days", "100000"))).StatusCode);
        var report = await JobAsync(await _admin.SubmitAsync("/admin/policy", "/admin/policy?handler=rescan", ("days", "7")));
        Assert.Equal("done", report.QuerySelector("#policy-job")!.GetAttribute("data-state"));
        var rows = report.QuerySelectorAll("table.rescan-report tbody tr").ToList();
        var row = Assert.Single(rows);
        Assert.Equal($"/@alice/{leaky.GetProperty("id").GetString()}", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Hold for review", row.TextContent, StringComparison.Ordinal);

        var states = await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Statuses.Select(s => s.State).ToListAsync());
        Assert.All(states, s => Assert.Equal(StatusState.Published, s));
        var audit = Assert.Single(await AuditAsync("policy.rescan"));
        var details = JsonDocument.Parse(audit.Details).RootElement;
        Assert.Equal(3, details.GetProperty("scanned").GetInt32());
        Assert.Equal(1, details.GetProperty("would_hold").GetInt32());
        Assert.Contains("Rescan of recent posts", await _admin.PageAsync("/admin/policy"), StringComparison.Ordinal);

        // The same through the API, for scripts.
        var api = _f.Client(await _f.TokenAsync(_root));
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync("/api/v1/gazouille/admin/leak_guard/rescans", new { days = 7 })).StatusCode);
        var badDays = await api.PostAsJsonAsync("/api/v1/gazouille/admin/leak_guard/rescans", new { days = "7 days" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDays.StatusCode);
        Assert.True((await badDays.JsonAsync()).TryGetProperty("error", out _));
        var started = await api.PostAsJsonAsync("/api/v1/gazouille/admin/leak_guard/rescans", new { days = 7 });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.OriginalString;
        JsonElement job;
        var polls = 0;
        do
        {
            await Task.Delay(100);
            job = await (await api.GetAsync(location)).JsonAsync();
        }
        while (job.GetProperty("state").GetString() == "running" && ++polls < 300);
        Assert.Equal("done", job.GetProperty("state").GetString());
        Assert.Equal(7, job.GetProperty("days").GetInt32());
        var post = Assert.Single(job.GetProperty("posts").EnumerateArray());
        Assert.Equal(leaky.GetProperty("id").GetString(), post.GetProperty("status_id").GetString());
        Assert.Equal("hold", post.GetProperty("decision").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/gazouille/admin/leak_guard/rescans/nope")).StatusCode);
    }
}
