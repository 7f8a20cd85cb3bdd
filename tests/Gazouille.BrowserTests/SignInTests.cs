namespace Gazouille.BrowserTests;

public sealed class SignInTests(LiveServer server, Chromium chromium) : IAsyncLifetime
{
    private BrowserSession _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await BrowserSession.OpenAsync(server, chromium, new() { BypassCsp = true });

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task A_person_signs_in_with_the_form_and_keeps_a_session_cookie()
    {
        var ana = await server.CreateUserAsync("ana");

        await _browser.SignInAsync(ana);

        var cookies = await _browser.Page.Context.CookiesAsync([_browser.Url("/").ToString()]);
        Assert.Contains(cookies, c => c.HttpOnly && c.Name != "gazouille_csrf");
        _browser.AssertHealthy();
    }

    [Fact]
    public async Task A_wrong_password_says_so_and_keeps_the_login_typed()
    {
        var ana = await server.CreateUserAsync("ana");
        var page = _browser.Page;

        await page.GotoAsync("/auth/sign_in");
        await page.Locator("#login").FillAsync(ana);
        await page.Locator("#password").FillAsync("not the password");
        await page.Locator("form[action='/auth/sign_in'] button[type=submit]").ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong username or password");
        await Assertions.Expect(page.Locator("#login")).ToHaveValueAsync(ana);
        Assert.EndsWith("/auth/sign_in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_sign_in_page_has_no_serious_accessibility_violation(string scheme)
    {
        await using var browser = await BrowserSession.OpenAsync(server, chromium,
            new() { BypassCsp = true, ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light });

        await browser.GotoAsync("/auth/sign_in");

        await Accessibility.AssertNoSeriousViolationsAsync(browser.Page);
        browser.AssertHealthy();
    }
}
