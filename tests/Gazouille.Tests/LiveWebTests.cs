namespace Gazouille.Tests;

/// <summary>The web pages' live wiring: the session cookie opens the event stream, the banner and badge can refresh.</summary>
public sealed class LiveWebTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task The_web_session_opens_the_user_stream_and_the_pages_are_wired_to_it()
    {
        var (aliceId, alice) = await _f.SignedInAsync("alice");
        var (_, bob) = await _f.SignedInAsync("bob");
        (await bob.PostAsync($"/api/v1/accounts/{aliceId}/follow", null)).EnsureSuccessStatusCode();
        var web = await WebBrowser.SignInAsync(_f, "bob");

        var home = await web.PageAsync("/");
        Assert.Contains("data-live=\"/api/v1/streaming/user\"", home);
        Assert.Contains("gazouille:refresh", home);
        Assert.Contains("id=\"notification-badge\"", home);

        await using var stream = await SseStream.OpenAsync(web.Http, "/api/v1/streaming/user");
        var post = await alice.PostStatusAsync("@bob en direct", "company");
        var events = new List<StreamedEvent> { (await stream.NextAsync())!, (await stream.NextAsync())! };
        Assert.Contains(events, e => e.Event == "update" && e.Json.Id() == post.Id());
        Assert.Contains(events, e => e.Event == "notification");

        Assert.Contains("1 new post", await web.PageAsync("/?handler=new&since_id=0"));
        var badge = await web.PageAsync("/notifications?handler=badge");
        Assert.Contains("notification-badge", badge);
        Assert.Contains(">1<", badge);
    }

    [Fact]
    public async Task Anonymous_pages_open_no_stream()
    {
        var page = await WebBrowser.Anonymous(_f).PageAsync("/auth/sign_in");
        // Razor keeps data-* attributes even when empty; app.js opens a stream only for a non-empty URL.
        Assert.DoesNotContain("/api/v1/streaming", page);
        Assert.Contains("data-live=\"\"", page);
    }
}
