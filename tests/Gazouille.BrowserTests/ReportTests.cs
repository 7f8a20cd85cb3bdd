using Gazouille.Data.Entities;

namespace Gazouille.BrowserTests;

/// <summary>The report button under a post, the moderator's reports page, and the hidden post leaving the reader's view.</summary>
public sealed class ReportTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task A_reported_post_hidden_by_a_moderator_is_gone_for_the_reader()
    {
        var author = await server.CreateUserAsync("author");
        var reader = await server.CreateUserAsync("reader");
        var moderator = await server.CreateUserAsync("moderator", AccountRole.Moderator);
        var text = $"Les chiffres du trimestre sont doublés {Guid.NewGuid():N}";
        var id = await server.PostAsync(author, text, "company");

        // The reader reports the post from its page: the form opens in place (htmx) and thanks them.
        await using var readerBrowser = await BrowserSession.OpenAsync(server, chromium);
        await readerBrowser.SignInAsync(reader);
        var page = readerBrowser.Page;
        await readerBrowser.GotoAsync($"/@{author}/{id}");
        var post = page.Locator("article.status.focused");
        await Assertions.Expect(post).ToContainTextAsync(text);
        await post.GetByRole(AriaRole.Link, new() { Name = "Report", Exact = true }).ClickAsync();
        var form = page.Locator($"#report-slot-{id} form.report-form");
        await Assertions.Expect(form).ToBeVisibleAsync();
        await form.Locator("input[name=category][value=misleading]").CheckAsync();
        await form.Locator("textarea[name=comment]").FillAsync("Ces chiffres sont faux");
        await form.GetByRole(AriaRole.Button, new() { Name = "Send the report" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#report-slot-{id} [role=status]")).ToContainTextAsync("the moderators will look at your report");
        Assert.EndsWith($"/@{author}/{id}", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        // The moderator finds it on the reports page and hides the post, with a reason for the author.
        await using var moderatorBrowser = await BrowserSession.OpenAsync(server, chromium);
        await moderatorBrowser.SignInAsync(moderator);
        var moderation = moderatorBrowser.Page;
        await moderatorBrowser.GotoAsync("/moderation/reports");
        var report = moderation.Locator("section.report", new() { HasText = text });
        await Assertions.Expect(report).ToContainTextAsync("Ces chiffres sont faux");
        await report.Locator("textarea[name=reason]").FillAsync("Chiffres non publiés");
        await report.GetByRole(AriaRole.Button, new() { Name = "Hide the posts" }).ClickAsync();
        await Assertions.Expect(moderation.Locator("p.notice[role=status]")).ToContainTextAsync("Posts hidden");
        await Assertions.Expect(moderation.Locator("section.report", new() { HasText = text })).ToHaveCountAsync(0);

        // The reader no longer finds the post: not on its page, not in the company timeline.
        var answer = await page.GotoAsync($"/@{author}/{id}");
        Assert.Equal(404, answer!.Status);
        await Assertions.Expect(page.GetByText(text)).ToHaveCountAsync(0);
        await readerBrowser.GotoAsync("/company");
        await Assertions.Expect(page.Locator("article.status", new() { HasText = text })).ToHaveCountAsync(0);
        readerBrowser.AssertHealthy();
        moderatorBrowser.AssertHealthy();
    }
}
