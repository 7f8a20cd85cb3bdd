namespace Gazouille.BrowserTests;

/// <summary>Search from the keyboard: / goes to the search box, Enter shows the posts with the words marked.</summary>
public sealed class SearchTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task Slash_then_typing_then_enter_finds_a_post_with_its_word_marked()
    {
        var reader = await server.CreateUserAsync("reader");
        var word = "ornithorynque" + Guid.NewGuid().ToString("N")[..6];
        await server.PostAsync(reader, $"Un {word} au bureau, à l'équipe de jouer", "company");
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(reader);
        var page = browser.Page;
        await browser.GotoAsync("/");

        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(page.Locator("#site-search")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(word + " equipe");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/search\\?q="));
        var post = browser.Post(word);
        await Assertions.Expect(post).ToHaveCountAsync(1);
        await Assertions.Expect(post.Locator("mark.finding-search")).ToHaveTextAsync([word, "équipe"]);
        browser.AssertHealthy();
    }
}
