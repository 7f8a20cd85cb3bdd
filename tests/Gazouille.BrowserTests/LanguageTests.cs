namespace Gazouille.BrowserTests;

/// <summary>French and English: the footer switch translates the pages and says so to assistive technologies.</summary>
public sealed class LanguageTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task The_footer_switch_turns_the_pages_from_french_to_english_and_back()
    {
        var reader = await server.CreateUserAsync("reader");
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(reader);
        var page = browser.Page;
        var html = page.Locator("html");
        var heading = page.Locator("main h1");
        var language = page.Locator("#language-form select[name=culture]");
        await browser.GotoAsync("/company");

        await language.SelectOptionAsync("fr");

        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "fr");
        await Assertions.Expect(heading).ToHaveTextAsync("Entreprise");
        await Assertions.Expect(page.Locator("#compose button[type=submit]")).ToHaveTextAsync("Publier");
        Assert.EndsWith("/company", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        await language.SelectOptionAsync("en");

        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(heading).ToHaveTextAsync("Company");
        await Assertions.Expect(page.Locator("#compose button[type=submit]")).ToHaveTextAsync("Post");
        Assert.EndsWith("/company", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        // The choice is remembered from page to page.
        await browser.GotoAsync("/");
        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(heading).ToHaveTextAsync("Home");

        await language.SelectOptionAsync("fr");

        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "fr");
        await Assertions.Expect(heading).ToHaveTextAsync("Accueil");
        browser.AssertHealthy();
    }

    [Fact]
    public async Task The_language_chosen_follows_the_person_to_another_browser()
    {
        var reader = await server.CreateUserAsync("reader");
        await using (var phone = await BrowserSession.OpenAsync(server, chromium, new() { Locale = "fr-FR" }))
        {
            await phone.SignInAsync(reader);
            await phone.GotoAsync("/");
            await phone.Page.Locator("#language-form select[name=culture]").SelectOptionAsync("en");
            await Assertions.Expect(phone.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        }
        await using var desk = await BrowserSession.OpenAsync(server, chromium, new() { Locale = "fr-FR" });

        await desk.SignInAsync(reader);
        await desk.GotoAsync("/");

        await Assertions.Expect(desk.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(desk.Page.Locator("main h1")).ToHaveTextAsync("Home");
        desk.AssertHealthy();
    }

    [Fact]
    public async Task An_english_browser_gets_english_pages_until_the_person_chooses()
    {
        var reader = await server.CreateUserAsync("reader");
        await using var browser = await BrowserSession.OpenAsync(server, chromium, new() { Locale = "en-US" });
        await browser.GotoAsync("/auth/sign_in");
        await Assertions.Expect(browser.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await browser.SignInAsync(reader);
        await browser.GotoAsync("/");

        // Issue 3: "browser language by default". A person who never chose must not be switched to French by signing in.
        await Assertions.Expect(browser.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(browser.Page.Locator("main h1")).ToHaveTextAsync("Home");
        browser.AssertHealthy();
    }
}
