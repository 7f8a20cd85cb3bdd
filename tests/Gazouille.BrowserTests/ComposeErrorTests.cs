namespace Gazouille.BrowserTests;

/// <summary>Issue 3: "a failed post keeps its text" — the author reads why, and loses nothing they typed.</summary>
public sealed class ComposeErrorTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task A_post_over_the_length_limit_is_refused_with_a_reason_and_keeps_its_text()
    {
        var writer = await server.CreateUserAsync("writer");
        var tooLong = "Minutes of the architecture review: " + string.Join(" ", Enumerable.Repeat("decision recorded,", 40)) + $" end {Guid.NewGuid():N}";
        Assert.True(tooLong.Length > 500, "the text must exceed the default 500 characters");
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(writer);
        var page = browser.Page;
        await browser.GotoAsync("/");
        var compose = page.Locator("form#compose");

        await compose.Locator("textarea[name=status]").FillAsync(tooLong);
        await Assertions.Expect(compose.Locator(".counter")).ToContainTextAsync("-");
        await compose.Locator("button[type=submit]").ClickAsync();

        await Assertions.Expect(page.Locator("form#compose [role=alert]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("form#compose textarea[name=status]")).ToHaveValueAsync(tooLong);
        await Assertions.Expect(browser.Post(tooLong[..60])).ToHaveCountAsync(0);
        await browser.GotoAsync("/");
        await Assertions.Expect(browser.Post(tooLong[..60])).ToHaveCountAsync(0);
        browser.AssertHealthy();
    }
}
