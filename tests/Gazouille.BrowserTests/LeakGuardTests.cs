using Gazouille.Data.Entities;
using Microsoft.Playwright;

namespace Gazouille.BrowserTests;

/// <summary>Issue 6 in the browser: the tip appears as one types, and a held post reaches the partner once approved.</summary>
public sealed class LeakGuardTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task A_leaking_text_gets_a_highlighted_tip_and_the_suggested_audience_allows_it()
    {
        var author = await server.CreateUserAsync("tipper");
        var team = await server.CreateTeamAsync("sales", "Ventes", author);
        var partner = await server.CreatePartnerAsync("acme", "Acme");
        await server.GrantAsync(team, partner);
        await using var browser = await BrowserSession.OpenAsync(server, chromium);
        await browser.SignInAsync(author);
        var page = browser.Page;
        await browser.GotoAsync($"/teams/{team}");
        var compose = page.Locator("form#compose");
        await compose.Locator("select[name=audience]").SelectOptionAsync($"partners:{team}");
        await compose.Locator("textarea[name=status]").PressSequentiallyAsync("On a signé pour 2 millions d'euros cette semaine.", new() { Delay = 5 });

        var tips = page.Locator("#compose-tips .tips");
        await Assertions.Expect(tips).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(tips.Locator("mark.finding")).ToContainTextAsync("2 millions");
        await tips.Locator("[data-set-audience]").ClickAsync();
        await Assertions.Expect(compose.Locator("select[name=audience]")).ToHaveValueAsync("company");
        await Assertions.Expect(page.Locator("#compose-tips .tips-allow")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#compose-tips mark")).ToHaveCountAsync(0);

        await compose.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(browser.Post("2 millions")).ToHaveCountAsync(1);
        browser.AssertHealthy();
    }

    [Fact]
    public async Task A_moderator_approves_a_held_post_and_the_partner_then_sees_it()
    {
        var author = await server.CreateUserAsync("holder");
        var moderator = await server.CreateUserAsync("moder", AccountRole.Moderator);
        var team = await server.CreateTeamAsync("studio", "Studio", author);
        var partner = await server.CreatePartnerAsync("nordlys", "Nordlys");
        await server.GrantAsync(team, partner);
        var guest = await server.CreateUserAsync("guest", partner: partner);
        var text = $"Document confidentiel pour Nordlys {Guid.NewGuid():N}";

        await using (var writer = await BrowserSession.OpenAsync(server, chromium))
        {
            await writer.SignInAsync(author);
            await writer.GotoAsync($"/teams/{team}");
            var compose = writer.Page.Locator("form#compose");
            await compose.Locator("select[name=audience]").SelectOptionAsync($"partners:{team}");
            await compose.Locator("textarea[name=status]").FillAsync(text);
            await compose.Locator("button[type=submit]").ClickAsync();
            await Assertions.Expect(writer.Page.Locator(".pending")).ToBeVisibleAsync();
            writer.AssertHealthy();
        }

        await using (var reader = await BrowserSession.OpenAsync(server, chromium))
        {
            await reader.SignInAsync(guest);
            await reader.GotoAsync($"/teams/{team}");
            await Assertions.Expect(reader.Post(text)).ToHaveCountAsync(0);
        }

        await using (var mod = await BrowserSession.OpenAsync(server, chromium))
        {
            await mod.SignInAsync(moderator);
            await mod.GotoAsync("/moderation");
            var held = mod.Page.Locator("section.held", new() { HasText = text[..30] });
            await Assertions.Expect(held.Locator("mark.finding")).ToContainTextAsync("confidentiel", new() { IgnoreCase = true });
            // Keyboard alone: focus the approve button and press Enter.
            await held.GetByRole(AriaRole.Button, new() { Name = "Approve and publish" }).FocusAsync();
            await mod.Page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(mod.Page.Locator("[role=status]")).ToContainTextAsync("Approved");
            mod.AssertHealthy();
        }

        await using var partnerReader = await BrowserSession.OpenAsync(server, chromium);
        await partnerReader.SignInAsync(guest);
        await partnerReader.GotoAsync($"/teams/{team}");
        await Assertions.Expect(partnerReader.Post(text)).ToHaveCountAsync(1);
        partnerReader.AssertHealthy();
    }
}
