using System.Net;

namespace Gazouille.Tests;

public sealed class NotificationsApiTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;
    private long _aliceId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_aliceId, _alice) = await _f.SignedInAsync("alice");
        (_, _bob) = await _f.SignedInAsync("bob");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private async Task<string> EveryKindAsync()
    {
        var post = (await _alice.PostStatusAsync("notify me", "company")).Id();
        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/follow");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/favourite");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/reblog");
        await _bob.PostStatusAsync("@alice hello", "company");
        await _bob.PostStatusAsync("a reply", inReplyTo: post);
        return post;
    }

    private static List<string> Types(System.Text.Json.JsonElement list) => list.EnumerateArray().Select(n => n.Str("type")).ToList();

    [Fact]
    public async Task Mention_reply_follow_favourite_and_boost_notify_the_author()
    {
        await EveryKindAsync();
        var all = await _alice.GetOkAsync("/api/v1/notifications");
        Assert.Equal(["mention", "mention", "reblog", "favourite", "follow"], Types(all));
        Assert.All(all.EnumerateArray(), n => Assert.Equal("bob", n.GetProperty("account").Str("username")));
        Assert.Empty((await _bob.GetOkAsync("/api/v1/notifications")).EnumerateArray());
    }

    [Fact]
    public async Task Types_and_exclude_types_filter_notifications()
    {
        await EveryKindAsync();
        Assert.Equal(["favourite", "follow"], Types(await _alice.GetOkAsync("/api/v1/notifications?types[]=favourite&types[]=follow")));
        Assert.Equal(["reblog", "favourite", "follow"], Types(await _alice.GetOkAsync("/api/v1/notifications?exclude_types[]=mention")));
        Assert.Empty((await _alice.GetOkAsync("/api/v1/notifications?types[]=nonsense")).EnumerateArray());
        Assert.Equal(2, (await _alice.GetOkAsync("/api/v1/notifications?limit=2")).Count());
    }

    [Fact]
    public async Task Dismiss_and_clear_remove_notifications()
    {
        await EveryKindAsync();
        var all = await _alice.GetOkAsync("/api/v1/notifications");
        var first = all[0].Id();
        Assert.Equal(first, (await _alice.GetOkAsync($"/api/v1/notifications/{first}")).Id());
        await (await _bob.GetAsync($"/api/v1/notifications/{first}")).NotFoundAsync();
        await (await _bob.PostAsync($"/api/v1/notifications/{first}/dismiss", null)).NotFoundAsync();
        await _alice.PostOkAsync($"/api/v1/notifications/{first}/dismiss");
        await (await _alice.GetAsync($"/api/v1/notifications/{first}")).NotFoundAsync();
        await (await _alice.PostAsync($"/api/v1/notifications/{first}/dismiss", null)).NotFoundAsync();
        await (await _alice.PostAsync("/api/v1/notifications/abc/dismiss", null)).NotFoundAsync();
        Assert.Equal(all.Count() - 1, (await _alice.GetOkAsync("/api/v1/notifications")).Count());
        await _alice.PostOkAsync("/api/v1/notifications/clear");
        Assert.Empty((await _alice.GetOkAsync("/api/v1/notifications")).EnumerateArray());
    }

    [Fact]
    public async Task Undoing_a_favourite_or_a_boost_withdraws_its_notification()
    {
        var post = await EveryKindAsync();
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/unfavourite");
        await _bob.PostOkAsync($"/api/v1/statuses/{post}/unreblog");
        Assert.Equal(["mention", "mention", "follow"], Types(await _alice.GetOkAsync("/api/v1/notifications")));
    }

    [Fact]
    public async Task Notifications_need_the_notification_scopes()
    {
        await (await _f.Client().GetAsync("/api/v1/notifications")).ErrorAsync(HttpStatusCode.Unauthorized);
        await (await _f.Client("bad").PostAsync("/api/v1/notifications/clear", null)).ErrorAsync(HttpStatusCode.Unauthorized);
        var readOnly = _f.Client(await _f.TokenAsync(_aliceId, "read"));
        await readOnly.GetOkAsync("/api/v1/notifications");
        await (await readOnly.PostAsync("/api/v1/notifications/clear", null)).ErrorAsync(HttpStatusCode.Forbidden);
        var statusesOnly = _f.Client(await _f.TokenAsync(_aliceId, "read:statuses"));
        await (await statusesOnly.GetAsync("/api/v1/notifications")).ErrorAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_notification_about_a_deleted_post_disappears()
    {
        var bobPost = (await _bob.PostStatusAsync("@alice look", "company")).Id();
        Assert.Single((await _alice.GetOkAsync("/api/v1/notifications")).EnumerateArray());
        await (await _bob.DeleteAsync($"/api/v1/statuses/{bobPost}")).OkJsonAsync();
        Assert.Empty((await _alice.GetOkAsync("/api/v1/notifications")).EnumerateArray());
    }
}
