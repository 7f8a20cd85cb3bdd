namespace Gazouille.BrowserTests;

/// <summary>Replying from a post's own page, and reading the conversation from either end.</summary>
public sealed class ThreadTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task A_reply_written_under_a_post_joins_its_thread_with_the_same_readers()
    {
        var author = await server.CreateUserAsync("author");
        var mate = await server.CreateUserAsync("mate");
        var team = await server.CreateTeamAsync("orion", "Orion", author, mate);
        var question = $"Who reviews the launch checklist? {Guid.NewGuid():N}";
        var id = await server.PostAsync(author, question, $"team:{team}");
        var answer = $"I will, after lunch {Guid.NewGuid():N}";
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(mate);
        var page = browser.Page;

        await browser.GotoAsync($"/@{author}/{id}");
        var focused = page.Locator("article.status.focused");
        await Assertions.Expect(focused).ToContainTextAsync(question);
        var compose = page.Locator("form#compose");
        await Assertions.Expect(compose.Locator("label[for=compose-text]")).ToContainTextAsync($"@{author}");
        // A reply cannot choose its readers: they are the parent's, said in words instead of a picker.
        await Assertions.Expect(compose.Locator("select[name=audience]")).ToHaveCountAsync(0);
        await compose.Locator("textarea[name=status]").FillAsync(answer);
        await compose.Locator("button[type=submit]").ClickAsync();

        await Assertions.Expect(page.Locator(".replies #timeline article.status", new() { HasText = answer })).ToHaveCountAsync(1);
        await page.ReloadAsync();
        var reply = page.Locator(".replies #timeline article.status", new() { HasText = answer });
        await Assertions.Expect(reply).ToHaveCountAsync(1);
        var parentBadge = await focused.Locator(".badge.audience").InnerTextAsync();
        await Assertions.Expect(reply.Locator(".badge.audience")).ToHaveTextAsync(parentBadge);

        // From the reply's own page, the post it answers shows above it.
        var replyId = await reply.GetAttributeAsync("data-id");
        await browser.GotoAsync($"/@{mate}/{replyId}");
        await Assertions.Expect(page.Locator("article.status.focused")).ToContainTextAsync(answer);
        await Assertions.Expect(page.Locator(".ancestors article.status", new() { HasText = question })).ToHaveCountAsync(1);
        browser.AssertHealthy();
    }
}
