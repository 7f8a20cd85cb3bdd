namespace Gazouille.BrowserTests;

/// <summary>
/// The live web timeline (issue 7 item 2): a post written elsewhere shows up as the "N new posts" banner without a
/// reload and without moving what the reader is reading; a mention lights the notification badge; the banner opens the
/// new post at the top.
/// </summary>
public sealed class LiveTimelineTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task A_new_post_raises_the_banner_without_moving_the_page_and_a_mention_lights_the_badge()
    {
        var reader = await server.CreateUserAsync("reader");
        var writer = await server.CreateUserAsync("writer");
        var team = await server.CreateTeamAsync("live", "Live", reader, writer);
        // Enough posts for the page to scroll, so that "nothing moves" means something.
        for (var i = 0; i < 12; i++)
            await server.PostAsync(writer, $"Earlier post {i}: the planning notes for sprint {i}, with enough words to take some room on a phone screen.", $"team:{team}");

        await using var browser = await BrowserSession.OpenAsync(server, chromium, new() { Width = 390, Height = 844 });
        await browser.SignInAsync(reader);
        var page = browser.Page;
        await browser.GotoAsync("/");
        // The page is live once its event stream is open (the layout marks the body).
        await Assertions.Expect(page.Locator("body[data-live-state=on]")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        var articles = page.Locator("#timeline article.status");
        var before = await articles.CountAsync();
        Assert.True(before >= 12, $"the home page shows {before} posts");
        await page.EvaluateAsync("() => window.scrollTo(0, 600)");
        var firstId = await articles.First.GetAttributeAsync("data-id");
        var scrolled = await page.EvaluateAsync<double>("() => window.scrollY");
        Assert.True(scrolled > 0, "the page did not scroll");
        var watched = articles.Nth(3);
        var watchedTop = (await watched.BoundingBoxAsync())!.Y;

        var fresh = $"Fresh news for the team {Guid.NewGuid():N}";
        await server.PostAsync(writer, fresh, $"team:{team}");

        var banner = page.Locator("#new-posts .banner");
        await Assertions.Expect(banner).ToHaveTextAsync("1 new post", new() { Timeout = 15_000 });
        // Nothing the reader was reading moved: same posts, same first post, same scroll position, and the new post is
        // not in the list yet.
        Assert.Equal(before, await articles.CountAsync());
        Assert.Equal(firstId, await articles.First.GetAttributeAsync("data-id"));
        Assert.Equal(scrolled, await page.EvaluateAsync<double>("() => window.scrollY"));
        Assert.Equal(watchedTop, (await watched.BoundingBoxAsync())!.Y);
        await Assertions.Expect(page.Locator("#timeline article.status", new() { HasText = fresh })).ToHaveCountAsync(0);

        await server.PostAsync(writer, $"@{reader} could you read the fresh news? {Guid.NewGuid():N}", $"team:{team}");
        await Assertions.Expect(page.Locator("#notification-badge .count")).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        await Assertions.Expect(banner).ToHaveTextAsync("2 new posts", new() { Timeout = 15_000 });
        Assert.Equal(scrolled, await page.EvaluateAsync<double>("() => window.scrollY"));
        Assert.Equal(watchedTop, (await watched.BoundingBoxAsync())!.Y);

        await banner.ClickAsync();
        await Assertions.Expect(articles.Nth(1)).ToContainTextAsync(fresh);
        browser.AssertHealthy();
    }
}
