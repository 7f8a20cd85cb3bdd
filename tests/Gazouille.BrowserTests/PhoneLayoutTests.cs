using System.Text.Json;

namespace Gazouille.BrowserTests;

/// <summary>Phone first (issue 3: usable from 360 px wide): no page may scroll sideways on the narrowest phone.</summary>
public sealed class PhoneLayoutTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task No_main_page_is_wider_than_a_360_px_phone()
    {
        var author = await server.CreateUserAsync("author", displayName: "Marie-Christine Lefebvre-Dubois");
        var mate = await server.CreateUserAsync("mate");
        var team = await server.CreateTeamAsync("infrastructure", "Infrastructure et exploitation", author, mate);
        var id = await server.PostAsync(author, "A long link https://intranet.example.test/projects/2026/infrastructure/migration-plan-final-v3.pdf and #hashtags", $"team:{team}");
        await server.PostAsync(mate, "Read it, thanks.", inReplyTo: id);
        await using var browser = await BrowserSession.OpenAsync(server, chromium, new() { Width = 360, Height = 740 });
        await browser.SignInAsync(author);

        var tooWide = new List<string>();
        foreach (var path in new[] { "/", "/company", $"/@{author}/{id}", $"/@{author}", $"/teams/{team}", "/web/compose", "/settings/preferences" })
        {
            await browser.GotoAsync(path);
            var overflow = await browser.Page.EvaluateAsync<JsonElement>("""
                () => {
                  const width = document.documentElement.clientWidth;
                  const wider = [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'fixed')
                    .slice(0, 3)
                    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
                               + ' (right edge at ' + Math.round(el.getBoundingClientRect().right) + ' px)');
                  return { scroll: document.documentElement.scrollWidth, width, wider };
                }
                """);
            var scroll = overflow.GetProperty("scroll").GetInt32();
            var width = overflow.GetProperty("width").GetInt32();
            if (scroll > width)
                tooWide.Add($"{path}: {scroll} px wide in a {width} px screen; e.g. " + string.Join(", ", overflow.GetProperty("wider").EnumerateArray().Select(e => e.GetString())));
        }
        Assert.True(tooWide.Count == 0, "Pages scroll sideways on a 360 px phone:\n" + string.Join("\n", tooWide));
        browser.AssertHealthy();
    }
}
