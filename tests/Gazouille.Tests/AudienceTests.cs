using System.Net.Http.Json;
using System.Text.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>
/// One small company: team atlas (alice, dave); bob follows alice; carol is another employee; partner orgs acme
/// (guests gina, gabe) and globex (guest quinn) are both granted atlas's partner channel; alice posts to every audience.
/// </summary>
public sealed class AudienceWorld : IAsyncLifetime
{
    public GazouilleFactory Factory { get; private set; } = null!;
    public Dictionary<string, HttpClient> Clients { get; } = [];
    public Dictionary<string, long> AccountIds { get; } = [];
    public Dictionary<string, string> Posts { get; } = [];
    public string GinaReply { get; private set; } = "";

    public HttpClient this[string name] => Clients[name];

    public async ValueTask InitializeAsync()
    {
        Factory = await GazouilleFactory.StartAsync();
        await Factory.CreatePartnerAsync("acme");
        await Factory.CreatePartnerAsync("globex");
        foreach (var name in new[] { "alice", "bob", "carol", "dave" })
            (AccountIds[name], Clients[name]) = await Factory.SignedInAsync(name);
        foreach (var (name, org) in new[] { ("gina", "acme"), ("gabe", "acme"), ("quinn", "globex") })
            (AccountIds[name], Clients[name]) = await Factory.SignedInAsync(name, AccountRole.Employee, org);
        Clients["anonymous"] = Factory.Client();
        await Factory.CreateTeamAsync("atlas", "alice", "dave");
        await Factory.GrantAsync("atlas", "acme");
        await Factory.GrantAsync("atlas", "globex");
        await this["bob"].PostOkAsync($"/api/v1/accounts/{AccountIds["alice"]}/follow");

        Posts["direct"] = (await this["alice"].PostStatusAsync("psst @bob #atlasworld", "direct")).Id();
        Posts["followers"] = (await this["alice"].PostStatusAsync("for my followers #atlasworld", "followers")).Id();
        Posts["team"] = (await this["alice"].PostStatusAsync("team only #atlasworld", "team:atlas")).Id();
        Posts["company"] = (await this["alice"].PostStatusAsync("everyone inside #atlasworld", "company")).Id();
        Posts["partners"] = (await this["alice"].PostStatusAsync("hello partners #atlasworld", "partners:atlas")).Id();
        Posts["acme"] = (await this["alice"].PostStatusAsync("acme only #atlasworld", "partners:atlas:acme")).Id();
        GinaReply = (await this["gina"].PostStatusAsync("acme guest answers #atlasworld", inReplyTo: Posts["partners"])).Id();
        await this["gina"].PostOkAsync($"/api/v1/statuses/{Posts["partners"]}/favourite");
        await this["gina"].PostOkAsync($"/api/v1/statuses/{Posts["partners"]}/reblog");
    }

    /// <summary>Who may read each of alice's posts.</summary>
    public static readonly Dictionary<string, string[]> Readers = new()
    {
        ["direct"] = ["alice", "bob"],
        ["followers"] = ["alice", "bob"],
        ["team"] = ["alice", "dave"],
        ["company"] = ["alice", "bob", "carol", "dave"],
        ["partners"] = ["alice", "dave", "gina", "gabe", "quinn"],
        ["acme"] = ["alice", "dave", "gina", "gabe"],
    };

    public static readonly string[] Viewers = ["alice", "bob", "carol", "dave", "gina", "gabe", "quinn", "anonymous"];

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class AudienceTests(AudienceWorld world) : IClassFixture<AudienceWorld>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var post in AudienceWorld.Readers.Keys)
            foreach (var viewer in AudienceWorld.Viewers)
                data.Add(post, viewer);
        return data;
    }

    private bool MaySee(string post, string viewer) => AudienceWorld.Readers[post].Contains(viewer);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Status_by_id_and_its_context_answer_only_to_its_audience(string post, string viewer)
    {
        var id = world.Posts[post];
        foreach (var path in new[] { $"/api/v1/statuses/{id}", $"/api/v1/statuses/{id}/context", $"/api/v1/statuses/{id}/favourited_by", $"/api/v1/statuses/{id}/reblogged_by", $"/api/v1/statuses/{id}/history" })
        {
            var response = await world[viewer].GetAsync(path);
            if (MaySee(post, viewer)) await response.OkJsonAsync();
            else await response.NotFoundAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_list_read_path_holds_a_post_only_for_its_audience(string post, string viewer)
    {
        var id = world.Posts[post];
        var visible = MaySee(post, viewer);
        var paths = new List<(string Path, bool Expected)>
        {
            ("/api/v1/timelines/tag/atlasworld?limit=40", visible),
            ($"/api/v1/accounts/{world.AccountIds["alice"]}/statuses?limit=40", visible),
        };
        if (viewer != "anonymous")
        {
            // alice wrote it, bob follows alice, and dave follows atlas as its member.
            paths.Add(("/api/v1/timelines/home?limit=40", visible && (viewer is "alice" or "bob" || (viewer == "dave" && post is "team" or "partners" or "acme"))));
            paths.Add(("/api/v1/timelines/company?limit=40", visible && post == "company"));
            paths.Add(("/api/v1/timelines/team/atlas?limit=40", visible && post is "team" or "partners" or "acme"));
        }
        foreach (var (path, expected) in paths)
        {
            var seen = (await world[viewer].GetOkAsync(path)).Ids().Contains(id);
            Assert.True(seen == expected, $"{viewer} on {path}: {post} seen={seen}, expected {expected}");
        }
    }

    [Fact]
    public async Task Anonymous_reader_sees_no_employee_only_post_and_no_guest_account()
    {
        var anon = world["anonymous"];
        Assert.Equal(0, (await anon.GetOkAsync("/api/v1/timelines/public")).Count());
        await (await anon.GetAsync($"/api/v1/accounts/{world.AccountIds["gina"]}")).NotFoundAsync();
        await (await anon.GetAsync("/api/v1/timelines/home")).ErrorAsync(System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Guest_of_one_partner_never_sees_another_partners_reply()
    {
        var quinn = world["quinn"];
        await (await quinn.GetAsync($"/api/v1/statuses/{world.GinaReply}")).NotFoundAsync();
        var context = await quinn.GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}/context");
        Assert.DoesNotContain(world.GinaReply, context.GetProperty("descendants").Ids());
        var tag = await quinn.GetOkAsync("/api/v1/timelines/tag/atlasworld?limit=40");
        Assert.DoesNotContain(world.GinaReply, tag.Ids());
        var team = await quinn.GetOkAsync("/api/v1/timelines/team/atlas?limit=40");
        Assert.DoesNotContain(world.GinaReply, team.Ids());

        var gabe = world["gabe"];
        Assert.Contains(world.GinaReply, (await gabe.GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}/context")).GetProperty("descendants").Ids());
        Assert.Contains(world.GinaReply, (await world["alice"].GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}/context")).GetProperty("descendants").Ids());
    }

    [Fact]
    public async Task Counts_seen_by_a_guest_exclude_another_partners_reply_favourite_and_boost()
    {
        var asQuinn = await world["quinn"].GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}");
        Assert.Equal(0, asQuinn.Int("replies_count"));
        Assert.Equal(0, asQuinn.Int("favourites_count"));
        Assert.Equal(0, asQuinn.Int("reblogs_count"));
        Assert.Equal(0, (await world["quinn"].GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}/favourited_by")).Count());
        Assert.Equal(0, (await world["quinn"].GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}/reblogged_by")).Count());

        var asGabe = await world["gabe"].GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}");
        Assert.Equal(1, asGabe.Int("replies_count"));
        Assert.Equal(1, asGabe.Int("favourites_count"));
        Assert.Equal(1, asGabe.Int("reblogs_count"));
        var asAlice = await world["alice"].GetOkAsync($"/api/v1/statuses/{world.Posts["partners"]}");
        Assert.Equal(1, asAlice.Int("replies_count"));
        Assert.Equal(1, asAlice.Int("favourites_count"));
    }

    [Fact]
    public async Task Guest_never_learns_that_another_partner_org_exists()
    {
        var both = (await world["alice"].PostStatusAsync("for both partners", "partners:atlas:acme,globex")).Id();
        var asGina = await world["gina"].GetOkAsync($"/api/v1/statuses/{both}");
        Assert.DoesNotContain("globex", asGina.GetRawText(), StringComparison.OrdinalIgnoreCase);
        var asQuinn = await world["quinn"].GetOkAsync($"/api/v1/statuses/{both}");
        Assert.DoesNotContain("acme", asQuinn.GetRawText(), StringComparison.OrdinalIgnoreCase);
        await (await world["quinn"].GetAsync($"/api/v1/accounts/{world.AccountIds["gina"]}")).NotFoundAsync();
        await (await world["quinn"].GetAsync("/api/v1/accounts/lookup?acct=gina")).NotFoundAsync();
        var search = await world["quinn"].GetOkAsync("/api/v1/accounts/search?q=g");
        Assert.DoesNotContain(world.AccountIds["gina"].ToString(System.Globalization.CultureInfo.InvariantCulture), search.Ids());
    }

    [Fact]
    public async Task Guest_directory_holds_its_own_org_and_the_granting_teams_members_only()
    {
        var gina = world["gina"];
        await gina.GetOkAsync($"/api/v1/accounts/{world.AccountIds["gabe"]}");
        await gina.GetOkAsync($"/api/v1/accounts/{world.AccountIds["alice"]}");
        await (await gina.GetAsync($"/api/v1/accounts/{world.AccountIds["carol"]}")).NotFoundAsync();
        await (await gina.GetAsync($"/api/v1/accounts/{world.AccountIds["quinn"]}")).NotFoundAsync();
    }

    [Fact]
    public async Task Guest_cannot_post_to_the_company_or_to_a_channel_not_shared_with_it()
    {
        var gina = world["gina"];
        await (await gina.PostAsJsonAsync("/api/v1/statuses", new { status = "hi", audience = "company" })).ErrorAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        await (await gina.PostAsJsonAsync("/api/v1/statuses", new { status = "hi", audience = "partners:nope" })).ErrorAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        await (await gina.PostAsJsonAsync("/api/v1/statuses", new { status = "hi", in_reply_to_id = world.Posts["team"] })).NotFoundAsync();
    }

    [Fact]
    public async Task A_reply_never_widens_its_parents_audience()
    {
        var reply = await world["dave"].PostStatusAsync("replying to the whole company?", "company", world.Posts["team"]);
        Assert.Equal("team:atlas", reply.Str("audience"));
        await (await world["carol"].GetAsync($"/api/v1/statuses/{reply.Id()}")).NotFoundAsync();
        await (await world["carol"].PostAsJsonAsync("/api/v1/statuses", new { status = "sneaky", in_reply_to_id = world.Posts["team"] })).NotFoundAsync();

        var acmeReply = await world["alice"].PostStatusAsync("to everyone in the channel?", "partners:atlas", world.Posts["acme"]);
        Assert.Equal("partners:atlas:acme", acmeReply.Str("audience"));
        await (await world["quinn"].GetAsync($"/api/v1/statuses/{acmeReply.Id()}")).NotFoundAsync();
    }

    [Fact]
    public async Task A_boost_keeps_the_audience_of_the_original()
    {
        var boost = await world["dave"].PostOkAsync($"/api/v1/statuses/{world.Posts["team"]}/reblog");
        Assert.Equal("team:atlas", boost.Str("audience"));
        await (await world["carol"].GetAsync($"/api/v1/statuses/{boost.Id()}")).NotFoundAsync();
        var daves = await world["carol"].GetOkAsync($"/api/v1/accounts/{world.AccountIds["dave"]}/statuses");
        Assert.DoesNotContain(boost.Id(), daves.Ids());
        var guestBoost = await world["gina"].GetOkAsync($"/api/v1/accounts/{world.AccountIds["gina"]}/statuses");
        Assert.Contains(guestBoost.EnumerateArray(), s => s.GetProperty("reblog").ValueKind == JsonValueKind.Object);
        await (await world["quinn"].GetAsync($"/api/v1/accounts/{world.AccountIds["gina"]}/statuses")).NotFoundAsync();
    }

    [Fact]
    public async Task Direct_and_followers_posts_cannot_be_boosted()
    {
        await (await world["bob"].PostAsync($"/api/v1/statuses/{world.Posts["direct"]}/reblog", null)).ErrorAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        await (await world["bob"].PostAsync($"/api/v1/statuses/{world.Posts["followers"]}/reblog", null)).ErrorAsync(System.Net.HttpStatusCode.UnprocessableEntity);
    }
}

public sealed class RevocationTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();
    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Revoking_a_grant_hides_the_channel_from_the_next_request_on_every_path()
    {
        await _f.CreatePartnerAsync("acme");
        var (_, alice) = await _f.SignedInAsync("alice");
        var (_, gina) = await _f.SignedInAsync("gina", AccountRole.Employee, "acme");
        await _f.CreateTeamAsync("atlas", "alice");
        await _f.GrantAsync("atlas", "acme");
        var post = (await alice.PostStatusAsync("for acme #shared", "partners:atlas")).Id();
        var reply = (await gina.PostStatusAsync("thanks!", inReplyTo: post)).Id();
        Assert.Equal(2, (await alice.GetOkAsync($"/api/v1/statuses/{post}/context")).GetProperty("descendants").Count() + 1);
        var notifications = await alice.GetOkAsync("/api/v1/notifications");
        Assert.Contains(notifications.EnumerateArray(), n => n.GetProperty("status").ValueKind == JsonValueKind.Object && n.GetProperty("status").Id() == reply);
        await gina.GetOkAsync($"/api/v1/statuses/{post}");

        await _f.GrantAsync("atlas", "acme", revoke: true);

        await (await gina.GetAsync($"/api/v1/statuses/{post}")).NotFoundAsync();
        await (await gina.GetAsync($"/api/v1/statuses/{post}/context")).NotFoundAsync();
        await (await gina.GetAsync("/api/v1/timelines/team/atlas")).NotFoundAsync();
        Assert.Empty((await gina.GetOkAsync("/api/v1/timelines/tag/shared")).Ids());
        Assert.DoesNotContain(post, (await gina.GetOkAsync("/api/v1/timelines/home")).Ids());
        await (await gina.PostAsJsonAsync("/api/v1/statuses", new { status = "still here?", in_reply_to_id = post })).NotFoundAsync();
        await (await gina.PostAsync($"/api/v1/statuses/{post}/favourite", null)).NotFoundAsync();
    }
}
