using System.Net;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

public sealed class TeamsApiTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Teams_list_members_and_following_a_team_fills_the_home_timeline()
    {
        var (aliceId, alice) = await _f.SignedInAsync("alice");
        var (_, bob) = await _f.SignedInAsync("bob");
        await _f.CreateTeamAsync("atlas", "alice");
        await _f.CreateTeamAsync("zephyr");
        Assert.Equal(["atlas", "zephyr"], (await bob.GetOkAsync("/api/v1/gazouille/teams")).EnumerateArray().Select(t => t.Str("handle")));
        var atlas = await bob.GetOkAsync("/api/v1/gazouille/teams/ATLAS");
        Assert.Equal(1, atlas.Int("members_count"));
        Assert.Equal(["alice"], (await bob.GetOkAsync("/api/v1/gazouille/teams/atlas/members")).EnumerateArray().Select(a => a.Str("username")));
        await (await bob.GetAsync("/api/v1/gazouille/teams/nope")).NotFoundAsync();
        await (await bob.GetAsync("/api/v1/gazouille/teams/nope/members")).NotFoundAsync();
        await (await bob.PostAsync("/api/v1/gazouille/teams/nope/follow", null)).NotFoundAsync();

        var partnerPost = (await alice.PostStatusAsync("news for partners", "partners:atlas")).Id();
        var followed = await bob.PostOkAsync("/api/v1/gazouille/teams/atlas/follow");
        Assert.True(followed.GetProperty("following").GetBoolean());
        var teamPost = (await alice.PostStatusAsync("team news", "team:atlas")).Id();
        var home = (await bob.GetOkAsync("/api/v1/timelines/home")).Ids();
        Assert.DoesNotContain(teamPost, home); // bob is not a member: following does not widen the audience
        Assert.DoesNotContain(partnerPost, home);
        Assert.False((await bob.PostOkAsync("/api/v1/gazouille/teams/atlas/unfollow")).GetProperty("following").GetBoolean());

        await (await _f.Client().GetAsync("/api/v1/gazouille/teams")).ErrorAsync(HttpStatusCode.Unauthorized);
        var readOnly = _f.Client(await _f.TokenAsync(aliceId, "read"));
        await (await readOnly.PostAsync("/api/v1/gazouille/teams/atlas/follow", null)).ErrorAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_guest_sees_only_the_teams_that_grant_its_org()
    {
        await _f.CreatePartnerAsync("acme");
        await _f.SignedInAsync("alice");
        await _f.CreateTeamAsync("atlas", "alice");
        await _f.CreateTeamAsync("secret");
        await _f.GrantAsync("atlas", "acme");
        var (_, gina) = await _f.SignedInAsync("gina", AccountRole.Employee, "acme");
        Assert.Equal(["atlas"], (await gina.GetOkAsync("/api/v1/gazouille/teams")).EnumerateArray().Select(t => t.Str("handle")));
        await (await gina.GetAsync("/api/v1/gazouille/teams/secret")).NotFoundAsync();
        await (await gina.GetAsync("/api/v1/gazouille/teams/secret/members")).NotFoundAsync();
        await (await gina.GetAsync("/api/v1/timelines/team/secret")).NotFoundAsync();
        await (await gina.GetAsync("/api/v1/timelines/team/nope")).NotFoundAsync();
        await _f.GrantAsync("atlas", "acme", revoke: true);
        Assert.Empty((await gina.GetOkAsync("/api/v1/gazouille/teams")).EnumerateArray());
        await (await gina.GetAsync("/api/v1/gazouille/teams/atlas")).NotFoundAsync();
    }
}
