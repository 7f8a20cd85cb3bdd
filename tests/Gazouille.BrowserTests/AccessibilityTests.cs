namespace Gazouille.BrowserTests;

/// <summary>axe-core on the main pages, in light and dark, filled with real content: no serious or critical violation.</summary>
public sealed class AccessibilityTests(LiveServer server, Chromium chromium)
{
    [Theory]
    [InlineData("home")]
    [InlineData("company")]
    [InlineData("thread")]
    [InlineData("profile")]
    [InlineData("team")]
    [InlineData("compose")]
    [InlineData("preferences")]
    public async Task The_page_has_no_serious_accessibility_violation_in_light_or_dark(string name)
    {
        var author = await server.CreateUserAsync("author", displayName: "Aurélie Martin");
        var mate = await server.CreateUserAsync("mate", displayName: "Bruno Costa");
        var team = await server.CreateTeamAsync("design", "Design", author, mate);
        var id = await server.PostAsync(author, $"Mock-ups for the new onboarding are ready for @{mate} #design", $"team:{team}");
        await server.PostAsync(mate, "Looks great, one remark on the second screen.", inReplyTo: id);
        await server.PostAsync(author, "Lunch at noon with the whole company?", "company");
        var path = name switch
        {
            "home" => "/",
            "company" => "/company",
            "thread" => $"/@{author}/{id}",
            "profile" => $"/@{author}",
            "team" => $"/teams/{team}",
            "compose" => "/web/compose",
            "preferences" => "/settings/preferences",
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        await using var browser = await BrowserSession.OpenAsync(server, chromium, new() { BypassCsp = true });
        await browser.SignInAsync(author);

        var response = await browser.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        var light = await Accessibility.SeriousViolationsAsync(browser.Page);
        await browser.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await browser.Page.ReloadAsync();
        var dark = await Accessibility.SeriousViolationsAsync(browser.Page);

        Assert.True(light.Count + dark.Count == 0, $"axe-core found serious or critical violations on {path}:\n" +
            $"light ({light.Count}):\n{string.Join("\n", light)}\ndark ({dark.Count}):\n{string.Join("\n", dark)}");
        browser.AssertHealthy();
    }
}
