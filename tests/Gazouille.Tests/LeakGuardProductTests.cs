using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>The Leak Guard at publish time, through the real HTTP API: every decision in every audience.</summary>
public sealed class LeakGuardProductTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private const string Clean = "Bonne journée à tous, la démo est prête.";
    private const string Money = "On a signé pour 2 millions d'euros cette semaine.";
    private const string Confidential = "Document confidentiel, ne pas diffuser.";

    // DESIGN.md's table for these texts: internal (team, followers, company, direct to employees), partners (and a
    // direct message to a guest), public.
    public static readonly (string Name, string Text, string Internal, string Partners, string Public)[] Texts =
    [
        ("clean", Clean, "allow", "allow", "allow"),
        ("money", Money, "allow", "warn", "hold"),
        ("confidential", Confidential, "warn", "hold", "block"),
        ("iban", "Mon IBAN " + LeakGuardWorld.Iban + " pour le remboursement.", "hold", "block", "block"),
        ("secret", "Le token de prod est " + LeakGuardWorld.Secret + " pour info.", "block", "block", "block"),
    ];

    [Fact]
    public async Task Every_decision_in_every_audience_answers_as_the_contract_says()
    {
        var audiences = new (string Audience, string Kind, string Prefix)[]
        {
            ("team:ops", "internal", ""), ("followers", "internal", ""), ("company", "internal", ""), ("direct", "internal", "@bob "),
            ("partners:ops", "partners", ""), ("partners:ops:acme", "partners", ""), ("direct", "partners", "@gina "), ("public", "public", ""),
        };
        var failures = new List<string>();
        foreach (var (audience, kind, prefix) in audiences)
            foreach (var (name, text, inside, partners, everyone) in Texts)
            {
                var expected = kind switch { "internal" => inside, "partners" => partners, _ => everyone };
                var body = prefix + text;
                var response = await LeakGuardWorld.PostAsync(_w.Alice, body, audience);
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                var what = $"{name} to {audience}{(prefix.Length > 0 ? " " + prefix.Trim() : "")}";
                switch (expected)
                {
                    case "allow":
                        if (response.StatusCode != HttpStatusCode.OK || json.GetProperty("leak_guard").Str("state") != "published")
                            failures.Add($"{what}: expected published, got {(int)response.StatusCode} {json}");
                        break;
                    case "hold":
                        if (response.StatusCode != HttpStatusCode.OK || json.GetProperty("leak_guard").Str("state") != "held"
                            || json.GetProperty("leak_guard").Str("decision") != "hold" || json.GetProperty("leak_guard").GetProperty("findings").GetArrayLength() == 0)
                            failures.Add($"{what}: expected held, got {(int)response.StatusCode} {json}");
                        break;
                    default:
                        if (response.StatusCode != HttpStatusCode.UnprocessableEntity || json.Str("error").Length < 20
                            || json.GetProperty("leak_guard").Str("decision") != expected
                            || json.GetProperty("leak_guard").GetProperty("findings").GetArrayLength() == 0)
                            failures.Add($"{what}: expected 422 {expected}, got {(int)response.StatusCode} {json}");
                        ApiAssert.NoLeakOfInternals(json.ToString());
                        if (expected == "warn")
                        {
                            var overridden = await LeakGuardWorld.PostAsync(_w.Alice, body, audience, "Already public in the press release of Monday.");
                            var o = JsonDocument.Parse(await overridden.Content.ReadAsStringAsync()).RootElement;
                            if (overridden.StatusCode != HttpStatusCode.OK || o.GetProperty("leak_guard").Str("state") != "published"
                                || o.GetProperty("leak_guard").Str("decision") != "warn")
                                failures.Add($"{what}: with a justification expected published, got {(int)overridden.StatusCode} {o}");
                        }
                        else
                        {
                            // A justification does not unlock a block.
                            var forced = await LeakGuardWorld.PostAsync(_w.Alice, body, audience, "I know what I am doing.");
                            if (forced.StatusCode != HttpStatusCode.UnprocessableEntity) failures.Add($"{what}: a justification unlocked a block");
                        }
                        break;
                }
            }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task A_blocked_post_is_explained_in_the_authors_language_and_nothing_is_saved()
    {
        var response = await LeakGuardWorld.PostAsync(_w.Alice, "Le token est " + LeakGuardWorld.Secret, "team:ops");
        var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("Not published:", error, StringComparison.Ordinal); // alice reads English
        Assert.Contains("secret", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(LeakGuardWorld.Secret, error, StringComparison.Ordinal);

        var french = await LeakGuardWorld.PostAsync(_w.Bob, "Le token est " + LeakGuardWorld.Secret, "team:ops");
        Assert.StartsWith("Non publié", await french.ErrorAsync(HttpStatusCode.UnprocessableEntity), StringComparison.Ordinal); // bob reads French (the default)

        Assert.Equal(0, await _w.CountAsync<Status>());
        var audit = await _w.AuditAsync();
        Assert.Equal(2, audit.Count(a => a.Action == "leak_guard.block"));
    }

    [Fact]
    public async Task A_justified_warning_is_published_and_the_justification_is_logged_and_shown_to_the_author_only()
    {
        var justification = "Le chiffre est déjà dans le communiqué de presse.";
        var response = await LeakGuardWorld.PostAsync(_w.Alice, Money, "partners:ops", justification);
        var post = await response.OkJsonAsync();
        Assert.Equal(justification, post.GetProperty("leak_guard").Str("override"));

        var entry = Assert.Single(await _w.AuditAsync(), a => a.Action == "leak_guard.override");
        Assert.Equal($"status:{post.Id()}", entry.Subject);
        Assert.Equal("@alice", entry.Actor);
        Assert.Equal(justification, entry.Details.Str("justification"));
        Assert.Equal("money", entry.Details.GetProperty("findings")[0].Str("type"));

        var seenByGina = await _w.Gina.GetOkAsync($"/api/v1/statuses/{post.Id()}");
        Assert.Equal(JsonValueKind.Null, seenByGina.GetProperty("leak_guard").ValueKind);
    }

    [Fact]
    public async Task Check_endpoint_explains_in_the_viewers_language_with_offsets_into_the_original_and_saves_nothing()
    {
        var text = "🐦🐦 Appelle-moi au 06 12 34 56 78 stp";
        var check = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text, audience = "partners:ops" });
        Assert.Equal("block", check.Str("decision"));
        Assert.Equal("partners", check.Str("audience"));
        var finding = check.GetProperty("findings")[0];
        Assert.Equal("phone", finding.Str("type"));
        Assert.Equal(text[finding.Int("start")..finding.Int("end")], finding.Str("text"));
        Assert.Contains("phone", finding.Str("reason"), StringComparison.OrdinalIgnoreCase); // English for alice
        Assert.False(string.IsNullOrWhiteSpace(finding.Str("way_out")));

        var french = await _w.Bob.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text, audience = "partners:ops" });
        Assert.Contains("numéro", french.GetProperty("findings")[0].Str("reason"), StringComparison.Ordinal);

        Assert.Equal(0, await _w.CountAsync<Status>());
        Assert.Equal(0, await _w.CountAsync<AuditEntry>());
    }

    [Fact]
    public async Task Check_endpoint_offers_the_narrower_audience_that_would_allow_the_text()
    {
        var partners = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text = Money, audience = "partners:ops" });
        Assert.Equal("warn", partners.Str("decision"));
        Assert.Equal("company", partners.Str("suggested_audience"));
        var everyone = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text = Money, audience = "public" });
        Assert.Equal("hold", everyone.Str("decision"));
        Assert.Equal("company", everyone.Str("suggested_audience"));
        var allowed = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text = Money, audience = "team:ops" });
        Assert.Equal("allow", allowed.Str("decision"));
        Assert.Equal(JsonValueKind.Null, allowed.GetProperty("suggested_audience").ValueKind);
        var nowhere = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text = "token " + LeakGuardWorld.Secret, audience = "company" });
        Assert.Equal(JsonValueKind.Null, nowhere.GetProperty("suggested_audience").ValueKind);
        // A direct message is judged by who it reaches.
        var toGuest = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text = "@gina " + Money, audience = "direct" });
        Assert.Equal("warn", toGuest.Str("decision"));
        var toColleague = await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text = "@bob " + Money, audience = "direct" });
        Assert.Equal("allow", toColleague.Str("decision"));
    }

    [Fact]
    public async Task Check_endpoint_needs_an_account_and_a_read_or_write_statuses_scope()
    {
        var anonymous = await _w.Anonymous.PostAsJsonAsync("/api/v1/gazouille/leak_guard/check", new { text = Money });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var writeOnly = _w.Factory.Client(await _w.Factory.TokenAsync(_w.AliceId, "write:statuses"));
        Assert.Equal(HttpStatusCode.OK, (await writeOnly.PostAsJsonAsync("/api/v1/gazouille/leak_guard/check", new { text = Money })).StatusCode);
        var followOnly = _w.Factory.Client(await _w.Factory.TokenAsync(_w.AliceId, "follow"));
        Assert.Equal(HttpStatusCode.Forbidden, (await followOnly.PostAsJsonAsync("/api/v1/gazouille/leak_guard/check", new { text = Money })).StatusCode);
    }

    [Fact]
    public async Task A_client_named_in_its_own_partner_channel_is_fine_elsewhere_it_warns()
    {
        var put = await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy",
            new StringContent("""{"dictionaries": {"client": ["Acme"]}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(1, (await put.OkJsonAsync()).Int("version"));
        var text = "Point d'étape avec Acme demain matin.";
        await (await LeakGuardWorld.PostAsync(_w.Alice, text, "partners:ops:acme")).OkJsonAsync();
        var elsewhere = await LeakGuardWorld.PostAsync(_w.Alice, text, "partners:ops");
        Assert.Equal("warn", (await elsewhere.JsonAsync()).GetProperty("leak_guard").Str("decision"));
        // The guest of acme writes in its own channel: naming its own company there is fine.
        await (await LeakGuardWorld.PostAsync(_w.Gina, text, "partners:ops")).OkJsonAsync();
    }

    [Fact]
    public async Task Edits_are_judged_like_new_posts()
    {
        var post = await (await LeakGuardWorld.PostAsync(_w.Alice, Clean, "partners:ops")).OkJsonAsync();
        var blocked = await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "token " + LeakGuardWorld.Secret });
        await blocked.ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("tous", (await _w.Gina.GetOkAsync($"/api/v1/statuses/{post.Id()}")).Str("content"), StringComparison.Ordinal); // unchanged

        var warned = await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = Money });
        Assert.Equal("warn", (await warned.JsonAsync()).GetProperty("leak_guard").Str("decision"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, warned.StatusCode);

        var held = await (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = Confidential })).OkJsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").Str("state"));
        await (await _w.Gina.GetAsync($"/api/v1/statuses/{post.Id()}")).NotFoundAsync();
        await (await _w.Bob.GetAsync($"/api/v1/statuses/{post.Id()}")).NotFoundAsync();

        var fixedPost = await (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "Le planning est prêt." })).OkJsonAsync();
        Assert.Equal("published", fixedPost.GetProperty("leak_guard").Str("state"));
        await _w.Gina.GetOkAsync($"/api/v1/statuses/{post.Id()}");
    }

    [Fact]
    public async Task A_boost_of_a_post_that_becomes_held_disappears_with_it()
    {
        var post = await (await LeakGuardWorld.PostAsync(_w.Alice, Clean, "company")).OkJsonAsync();
        var boost = await _w.Bob.PostOkAsync($"/api/v1/statuses/{post.Id()}/reblog");
        await (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "Mon IBAN " + LeakGuardWorld.Iban })).OkJsonAsync();
        foreach (var (name, client) in _w.Others)
        {
            await (await client.GetAsync($"/api/v1/statuses/{boost.Id()}")).NotFoundAsync();
            var home = await client.GetAsync("/api/v1/timelines/home");
            if (home.IsSuccessStatusCode)
                Assert.DoesNotContain((await home.JsonAsync()).EnumerateArray(), s => s.Id() == boost.Id() || s.Id() == post.Id());
            _ = name;
        }
    }

    [Fact]
    public async Task Profiles_are_judged_as_partners_read_them_and_a_refusal_saves_nothing()
    {
        var refused = await _w.Alice.PatchAsJsonAsync("/api/v1/accounts/update_credentials",
            new { display_name = "Alice the Great", note = "Appelez-moi au 06 12 34 56 78" });
        await refused.ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var me = await _w.Alice.GetOkAsync("/api/v1/accounts/verify_credentials");
        Assert.NotEqual("Alice the Great", me.Str("display_name"));

        var warned = await _w.Alice.PatchAsJsonAsync("/api/v1/accounts/update_credentials", new { note = "J'ai géré un budget de 2 millions d'euros." });
        Assert.Equal("warn", (await warned.JsonAsync()).GetProperty("leak_guard").Str("decision"));
        var justified = await _w.Alice.PatchAsJsonAsync("/api/v1/accounts/update_credentials",
            new { note = "J'ai géré un budget de 2 millions d'euros.", leak_guard_override = "C'est sur mon profil LinkedIn public." });
        Assert.Contains("2 millions", (await justified.OkJsonAsync()).Str("note"), StringComparison.Ordinal);
        Assert.Contains(await _w.AuditAsync(), a => a.Action == "leak_guard.override" && a.Subject == $"account:{_w.AliceId}");
    }
}
