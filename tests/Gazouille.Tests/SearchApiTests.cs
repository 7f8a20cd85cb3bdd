using System.Net;
using System.Net.Http.Json;
using System.Globalization;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// Team atlas (alice, dave) shares its partner channel with acme (guest gina) and globex (guest quinn); bob and carol
/// are employees outside atlas, bob follows alice. alice writes to the company, the team and acme only.
/// </summary>
public sealed class SearchWorld : IAsyncLifetime
{
    public GazouilleFactory Factory { get; private set; } = null!;
    public Dictionary<string, HttpClient> Clients { get; } = [];
    public Dictionary<string, long> AccountIds { get; } = [];
    public Dictionary<string, string> Posts { get; } = [];

    public HttpClient this[string name] => Clients[name];

    public async ValueTask InitializeAsync()
    {
        Factory = await GazouilleFactory.StartAsync();
        await Factory.CreatePartnerAsync("acme");
        await Factory.CreatePartnerAsync("globex");
        foreach (var name in new[] { "alice", "bob", "carol", "dave" })
            (AccountIds[name], Clients[name]) = await Factory.SignedInAsync(name);
        foreach (var (name, org) in new[] { ("gina", "acme"), ("quinn", "globex") })
            (AccountIds[name], Clients[name]) = await Factory.SignedInAsync(name, AccountRole.Employee, org);
        Clients["anonymous"] = Factory.Client();
        await Factory.CreateTeamAsync("atlas", "alice", "dave");
        await Factory.GrantAsync("atlas", "acme");
        await Factory.GrantAsync("atlas", "globex");
        await this["bob"].PostOkAsync($"/api/v1/accounts/{AccountIds["alice"]}/follow");
        var renamed = await this["carol"].PatchAsync("/api/v1/accounts/update_credentials", JsonContent.Create(new { display_name = "Carole Martin" }));
        await renamed.OkJsonAsync();
        await (await this["dave"].PatchAsync("/api/v1/accounts/update_credentials", JsonContent.Create(new { display_name = "Élodie Dupont" }))).OkJsonAsync();

        Posts["company"] = (await this["alice"].PostStatusAsync("La réunion d'équipe commence à midi #planning", "company")).Id();
        Posts["english"] = (await this["alice"].PostStatusAsync("The quarterly meetings were running late", "company")).Id();
        Posts["team"] = (await this["alice"].PostStatusAsync("Budget de l'équipe atlas : zorglub #atlasinterne", "team:atlas")).Id();
        Posts["acme"] = (await this["alice"].PostStatusAsync("Livraison zorglub prévue pour vous #zorglivraison", "partners:atlas:acme")).Id();
    }

    public async Task<JsonElement> SearchAsync(string viewer, string query) =>
        await this[viewer].GetOkAsync("/api/v2/search?" + query);

    public async Task<List<string>> StatusIdsAsync(string viewer, string q, string more = "") =>
        (await SearchAsync(viewer, $"type=statuses&q={Uri.EscapeDataString(q)}{more}")).GetProperty("statuses").Ids();

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class SearchApiTests(SearchWorld world) : IClassFixture<SearchWorld>
{
    [Theory]
    [InlineData("équipe")]
    [InlineData("equipe")]
    [InlineData("EQUIPE")]
    [InlineData("reunion midi")]
    [InlineData("réun*")]
    [InlineData("équi* commence")]
    public async Task A_post_is_found_by_its_words_with_or_without_accents_and_by_prefix(string q)
    {
        Assert.Contains(world.Posts["company"], await world.StatusIdsAsync("carol", q));
    }

    [Theory]
    [InlineData("réunion soir")]
    [InlineData("réun")]
    [InlineData("zorglub")]
    public async Task Every_word_must_match_and_a_word_without_star_is_no_prefix(string q)
    {
        Assert.DoesNotContain(world.Posts["company"], await world.StatusIdsAsync("carol", q));
    }

    [Theory]
    [InlineData("meeting")]
    [InlineData("run")]
    [InlineData("quarterly meeting")]
    public async Task English_words_are_found_by_their_stem(string q)
    {
        Assert.Contains(world.Posts["english"], await world.StatusIdsAsync("bob", q));
    }

    [Theory]
    [InlineData("alice", "team,acme")]
    [InlineData("dave", "team,acme")]
    [InlineData("bob", "")]
    [InlineData("carol", "")]
    [InlineData("gina", "acme")]
    [InlineData("quinn", "")]
    [InlineData("anonymous", "")]
    public async Task Search_finds_only_what_the_viewer_may_read(string viewer, string expected)
    {
        var found = await world.StatusIdsAsync(viewer, "zorglub");
        var want = expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(k => world.Posts[k]).Order().ToList();
        Assert.Equal(want, found.Order().ToList());
    }

    [Fact]
    public async Task Guests_and_anonymous_readers_never_find_company_posts()
    {
        foreach (var viewer in new[] { "gina", "quinn", "anonymous" })
        {
            Assert.Empty(await world.StatusIdsAsync(viewer, "équipe"));
            Assert.Empty(await world.StatusIdsAsync(viewer, "meeting"));
        }
    }

    [Fact]
    public async Task A_held_post_is_found_by_nobody_but_a_published_one_is()
    {
        var response = await world["alice"].PostAsJsonAsync("/api/v1/statuses",
            new { status = "Document confidentiel, ne pas diffuser : le xylophone du client", audience = "partners:atlas" });
        var held = await response.OkJsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").Str("state"));
        foreach (var viewer in new[] { "dave", "gina", "quinn", "bob", "carol" })
            Assert.Empty(await world.StatusIdsAsync(viewer, "xylophone"));
        var published = await world["alice"].PostStatusAsync("Le xylophone est accordé", "company");
        Assert.Equal([published.Id()], await world.StatusIdsAsync("carol", "xylophone"));
    }

    [Fact]
    public async Task An_edited_post_is_found_by_its_new_words_only_and_a_deleted_post_not_at_all()
    {
        var post = await world["alice"].PostStatusAsync("Un ornithorynque au bureau", "company");
        Assert.Equal([post.Id()], await world.StatusIdsAsync("carol", "ornithorynque"));

        var edit = await world["alice"].PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "Un kangourou au bureau" });
        await edit.OkJsonAsync();
        Assert.Empty(await world.StatusIdsAsync("carol", "ornithorynque"));
        Assert.Equal([post.Id()], await world.StatusIdsAsync("carol", "kangourou"));

        await (await world["alice"].DeleteAsync($"/api/v1/statuses/{post.Id()}")).OkJsonAsync();
        Assert.Empty(await world.StatusIdsAsync("carol", "kangourou"));
    }

    [Fact]
    public async Task Posts_years_apart_page_newest_first_whichever_span_of_time_fills_the_page()
    {
        // On PostgreSQL the newest day, week, month and half-year are searched before all posts: a page must be the same
        // whichever of them fills it, with max_id and with offset.
        int[] daysAgo = [0, 0, 2, 3, 10, 12, 45, 50, 200, 400, 700];
        var bob = world.AccountIds["bob"];
        var ids = await world.Factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var made = new List<long>();
            foreach (var days in daysAgo)
            {
                var at = DateTimeOffset.UtcNow.AddDays(-days).AddMinutes(-made.Count);
                var id = Snowflake.MinIdAt(at) + 1; // NewId never goes back in time
                db.Statuses.Add(new Status
                {
                    Id = id, ThreadId = id, AccountId = bob, Text = $"Le hérisson {made.Count} traverse", Language = "fr",
                    AudienceKind = AudienceKind.Company, CreatedAt = at,
                });
                made.Add(id);
            }
            await db.SaveChangesAsync();
            return made;
        });
        var expected = ids.OrderDescending().Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(expected, await world.StatusIdsAsync("carol", "herisson", "&limit=40"));
        var walked = new List<string>();
        for (string? max = null; ;)
        {
            var page = await world.StatusIdsAsync("carol", "herisson", "&limit=2" + (max is null ? "" : $"&max_id={max}"));
            if (page.Count == 0) break;
            walked.AddRange(page);
            Assert.True(walked.Count <= expected.Count, $"max_id paging never ends: {string.Join(", ", walked)}");
            max = page[^1];
        }
        Assert.Equal(expected, walked);
        for (var offset = 0; offset < expected.Count; offset += 3)
            Assert.Equal(expected.Skip(offset).Take(3), await world.StatusIdsAsync("carol", "herisson", $"&limit=3&offset={offset}"));
    }

    [Fact]
    public async Task Results_page_newest_first_with_max_id_min_id_offset_and_limit()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await world["bob"].PostStatusAsync($"Le lapin numéro {i} saute", "company")).Id());
        ids.Reverse();

        Assert.Equal(ids, await world.StatusIdsAsync("carol", "lapin"));
        var first = await world.StatusIdsAsync("carol", "lapin", "&limit=2");
        Assert.Equal(ids[..2], first);
        Assert.Equal(ids[2..4], await world.StatusIdsAsync("carol", "lapin", $"&limit=2&max_id={first[^1]}"));
        Assert.Equal(ids[2..4], await world.StatusIdsAsync("carol", "lapin", "&limit=2&offset=2"));
        Assert.Equal(ids[2..4], await world.StatusIdsAsync("carol", "lapin", $"&limit=2&min_id={ids[4]}"));
        Assert.Equal([ids[0]], await world.StatusIdsAsync("carol", "lapin", $"&account_id={world.AccountIds["bob"]}&limit=1"));
        Assert.Empty(await world.StatusIdsAsync("carol", "lapin", $"&account_id={world.AccountIds["alice"]}"));
        Assert.Equal(5, (await world.StatusIdsAsync("carol", "lapin", "&limit=500")).Count);

        var response = await world["carol"].GetAsync("/api/v2/search?type=statuses&q=lapin&limit=2");
        Assert.Contains($"max_id={first[^1]}", response.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gina", "ali", "alice")]
    [InlineData("gina", "dav", "dave")]
    [InlineData("gina", "car", "")]
    [InlineData("gina", "bob", "")]
    [InlineData("gina", "qui", "")]
    [InlineData("gina", "gin", "gina")]
    [InlineData("quinn", "gin", "")]
    [InlineData("carol", "gin", "gina")]
    [InlineData("dave", "mart", "carol")]
    [InlineData("dave", "Carole", "carol")]
    [InlineData("dave", "@alice", "alice")]
    [InlineData("carol", "Élo", "dave")]
    [InlineData("carol", "dupont", "dave")]
    [InlineData("gina", "Dupont", "dave")]
    [InlineData("anonymous", "gin", "")]
    public async Task People_are_found_by_username_or_name_among_those_the_viewer_may_see(string viewer, string q, string expected)
    {
        var json = await world.SearchAsync(viewer, $"type=accounts&q={Uri.EscapeDataString(q)}");
        var found = json.GetProperty("accounts").EnumerateArray().Select(a => a.Str("username")).ToList();
        Assert.Equal(expected.Length == 0 ? [] : [expected], found);
        Assert.Equal(0, json.GetProperty("statuses").Count());
        if (viewer != "anonymous")
        {
            var v1 = await world[viewer].GetOkAsync($"/api/v1/accounts/search?q={Uri.EscapeDataString(q)}");
            Assert.Equal(found, v1.EnumerateArray().Select(a => a.Str("username")).ToList());
        }
    }

    [Fact]
    public async Task Following_narrows_people_to_those_the_viewer_follows()
    {
        Assert.Equal(["alice"], (await world.SearchAsync("bob", "type=accounts&q=a&following=true")).GetProperty("accounts").EnumerateArray().Select(a => a.Str("username")));
        Assert.Empty((await world.SearchAsync("carol", "type=accounts&q=a&following=true")).GetProperty("accounts").EnumerateArray());
    }

    [Theory]
    [InlineData("carol", "plan", "planning")]
    [InlineData("carol", "#PLANN", "planning")]
    [InlineData("gina", "plan", "")]
    [InlineData("dave", "atlas", "atlasinterne")]
    [InlineData("carol", "atlas", "")]
    [InlineData("gina", "zorg", "zorglivraison")]
    [InlineData("quinn", "zorg", "")]
    public async Task Hashtags_are_found_by_prefix_only_when_a_readable_post_uses_them(string viewer, string q, string expected)
    {
        var json = await world.SearchAsync(viewer, $"type=hashtags&q={Uri.EscapeDataString(q)}");
        var names = json.GetProperty("hashtags").EnumerateArray().Select(t => t.Str("name")).ToList();
        Assert.Equal(expected.Length == 0 ? [] : [expected], names);
        if (names.Count > 0) Assert.EndsWith($"/tags/{expected}", json.GetProperty("hashtags")[0].Str("url"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_type_all_three_kinds_are_answered()
    {
        var json = await world.SearchAsync("dave", "q=atlas");
        Assert.Equal(JsonValueKind.Array, json.GetProperty("accounts").ValueKind);
        Assert.Contains("atlasinterne", json.GetProperty("hashtags").EnumerateArray().Select(t => t.Str("name")));
        Assert.Contains(world.Posts["team"], json.GetProperty("statuses").Ids());
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("\"zorglub")]
    [InlineData("zorglub\" OR \"réunion")]
    [InlineData("*")]
    [InlineData("**")]
    [InlineData("a*")]
    [InlineData("NEAR(zorglub réunion)")]
    [InlineData("Text:zorglub")]
    [InlineData("^zorglub")]
    [InlineData("zorglub AND NOT équipe")]
    [InlineData("-zorglub +équipe")]
    [InlineData("' OR 1=1 --")]
    [InlineData("'; DROP TABLE \"Statuses\"; --")]
    [InlineData("\\")]
    [InlineData("zorglub:* & !équipe | ")]
    [InlineData("z\u200Borglub")]
    [InlineData("\u202Ezorglub\u202C")]
    [InlineData("\u200F\u200E\u2066")]
    [InlineData("🦆 zorglub")]
    [InlineData("e\u0301quipe")]
    [InlineData("%_%")]
    [InlineData("   ")]
    [InlineData("\0\u0001")]
    public async Task Hostile_queries_answer_200_or_a_clear_400_never_500(string q)
    {
        foreach (var viewer in new[] { "carol", "gina", "anonymous" })
        {
            var response = await world[viewer].GetAsync($"/api/v2/search?q={Uri.EscapeDataString(q)}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{viewer} '{q}': {(int)response.StatusCode} {text}");
            ApiAssert.NoLeakOfInternals(text);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var json = JsonDocument.Parse(text).RootElement;
                foreach (var kind in new[] { "accounts", "statuses", "hashtags" }) Assert.Equal(JsonValueKind.Array, json.GetProperty(kind).ValueKind);
                // Whatever the syntax, a guest never gets the team's post.
                if (viewer != "carol") Assert.DoesNotContain(world.Posts["team"], json.GetProperty("statuses").Ids());
            }
        }
    }

    [Fact]
    public async Task Query_syntax_is_taken_as_words()
    {
        Assert.Contains(world.Posts["company"], await world.StatusIdsAsync("carol", "e\u0301quipe"));
        Assert.Contains(world.Posts["company"], await world.StatusIdsAsync("carol", "\"réunion\" \u200Bmidi"));
        Assert.Contains(world.Posts["company"], await world.StatusIdsAsync("carol", "réunion (midi)"));
        Assert.Empty(await world.StatusIdsAsync("carol", "réunion OR zorglub"));
    }

    [Fact]
    public async Task Bad_bytes_too_long_queries_and_unknown_types_get_a_clear_error()
    {
        var invalidUtf8 = await world["carol"].GetAsync("/api/v2/search?q=%ED%A0%80%FF%FEzorglub");
        Assert.True(invalidUtf8.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)invalidUtf8.StatusCode}");
        ApiAssert.NoLeakOfInternals(await invalidUtf8.Content.ReadAsStringAsync());

        var json = await world["carol"].GetAsync("/api/v2/search?q=" + Uri.EscapeDataString(new string('é', 5000)));
        Assert.Contains("too long", await json.ErrorAsync(HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var v1 = await world["carol"].GetAsync("/api/v1/accounts/search?q=" + new string('a', 600));
        await v1.ErrorAsync(HttpStatusCode.BadRequest);

        await (await world["carol"].GetAsync("/api/v2/search?q=zorglub&type=everything")).ErrorAsync(HttpStatusCode.BadRequest);
        await (await world["carol"].GetAsync("/api/v2/search?q=zorglub&limit=lots")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var lonely = await world["carol"].SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v2/search")
        { Content = ApiAssert.RawJson("""{"q":"\uD800zorglub"}""") });
        await lonely.ErrorAsync(HttpStatusCode.BadRequest);

        var empty = await world.SearchAsync("carol", "q=");
        foreach (var kind in new[] { "accounts", "statuses", "hashtags" }) Assert.Equal(0, empty.GetProperty(kind).Count());
    }
}
