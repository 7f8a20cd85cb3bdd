namespace Gazouille.BrowserTests;

/// <summary>The timeline's shortcuts: n writes, j/k move between posts, ? explains; posting needs no mouse.</summary>
public sealed class KeyboardTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task N_then_typing_then_tab_to_the_button_and_enter_publishes_without_a_mouse()
    {
        var writer = await server.CreateUserAsync("writer");
        var text = $"Written with the keyboard only {Guid.NewGuid():N}";
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(writer);
        var page = browser.Page;
        await browser.GotoAsync("/");

        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(page.Locator("form#compose textarea[name=status]")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(text);
        var button = page.Locator("form#compose button[type=submit]");
        for (var tabs = 0; tabs < 6 && !await IsFocusedAsync(button); tabs++)
            await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(button).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(browser.Post(text)).ToHaveCountAsync(1);
        await page.ReloadAsync();
        await Assertions.Expect(browser.Post(text)).ToHaveCountAsync(1);
        browser.AssertHealthy();
    }

    [Fact]
    public async Task Ctrl_enter_in_the_compose_box_publishes()
    {
        var writer = await server.CreateUserAsync("writer");
        var text = $"Sent with Ctrl+Enter {Guid.NewGuid():N}";
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(writer);
        var page = browser.Page;
        await browser.GotoAsync("/");

        await page.Keyboard.PressAsync("n");
        await page.Keyboard.TypeAsync(text);
        await page.Keyboard.PressAsync("Control+Enter");

        await Assertions.Expect(browser.Post(text)).ToHaveCountAsync(1);
        await page.ReloadAsync();
        await Assertions.Expect(browser.Post(text)).ToHaveCountAsync(1);
        browser.AssertHealthy();
    }

    [Fact]
    public async Task J_and_k_move_focus_between_posts_and_question_mark_opens_the_help()
    {
        var reader = await server.CreateUserAsync("reader");
        foreach (var n in new[] { "first", "second", "third" })
            await server.PostAsync(reader, $"Post number {n}", "company");
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(reader);
        var page = browser.Page;
        await browser.GotoAsync("/");
        var posts = page.Locator("#timeline article.status");
        await Assertions.Expect(posts).ToHaveCountAsync(3);

        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(posts.Nth(0)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(posts.Nth(1)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(posts.Nth(2)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("k");
        await Assertions.Expect(posts.Nth(1)).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("?");
        var help = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(help).ToBeVisibleAsync();
        await Assertions.Expect(help).ToContainTextAsync("j");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(help).ToBeHiddenAsync();
        browser.AssertHealthy();
    }

    private static Task<bool> IsFocusedAsync(ILocator locator) => locator.EvaluateAsync<bool>("el => el === document.activeElement");
}
