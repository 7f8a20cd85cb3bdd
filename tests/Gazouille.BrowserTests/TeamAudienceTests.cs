namespace Gazouille.BrowserTests;

/// <summary>A post to a team reaches its members and no one else, whatever page they look at.</summary>
public sealed class TeamAudienceTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task A_team_post_reaches_a_teammate_but_neither_an_employee_outside_the_team_nor_a_partner_guest()
    {
        var author = await server.CreateUserAsync("author");
        var mate = await server.CreateUserAsync("mate");
        var outsider = await server.CreateUserAsync("outsider");
        var team = await server.CreateTeamAsync("atlas", "Atlas", author, mate);
        var partner = await server.CreatePartnerAsync("acme", "Acme Corp");
        var guest = await server.CreateUserAsync("guest", partner: partner);
        // The guest's organization is granted the team's partner channel: the team channel must still stay closed to it.
        await server.GrantAsync(team, partner);
        // Posts each outsider may read, so that "not there" below means hidden, not an empty or broken page.
        await server.PostAsync(author, "Company-wide news everyone reads", "company");
        await server.PostAsync(author, "Partner channel news for Acme", $"partners:{team}");
        var secret = $"Atlas only: the Q3 plan {Guid.NewGuid():N}";

        string permalink;
        await using (var writer = await BrowserSession.OpenAsync(server, chromium))
        {
            await writer.SignInAsync(author);
            await writer.GotoAsync("/");
            var choice = writer.Page.Locator($"form#compose select[name=audience] option[value='team:{team}']");
            // The picker says in words who will read: the team's name and how many people are in it.
            await Assertions.Expect(choice).ToContainTextAsync("Atlas");
            await Assertions.Expect(choice).ToContainTextAsync("2");

            await writer.PublishAsync(secret, $"team:{team}");

            var id = await writer.Post(secret).GetAttributeAsync("data-id");
            permalink = $"/@{author}/{id}";
            writer.AssertHealthy();
        }

        await using (var teammate = await BrowserSession.OpenAsync(server, chromium))
        {
            await teammate.SignInAsync(mate);
            await teammate.GotoAsync("/");
            await Assertions.Expect(teammate.Post(secret)).ToBeVisibleAsync();
            await teammate.GotoAsync($"/teams/{team}");
            await Assertions.Expect(teammate.Post(secret)).ToBeVisibleAsync();
            teammate.AssertHealthy();
        }

        await using (var employee = await BrowserSession.OpenAsync(server, chromium))
        {
            await employee.SignInAsync(outsider);
            await employee.GotoAsync("/company");
            await Assertions.Expect(employee.Post("Company-wide news everyone reads")).ToBeVisibleAsync();
            await Assertions.Expect(employee.Post(secret)).ToHaveCountAsync(0);
            foreach (var page in new[] { "/", $"/teams/{team}", $"/@{author}" })
            {
                await employee.GotoAsync(page);
                await Assertions.Expect(employee.Page.Locator("#timeline")).ToBeAttachedAsync();
                await Assertions.Expect(employee.Page.Locator("body")).Not.ToContainTextAsync(secret);
            }
            var (status, body) = await employee.FetchAsync(permalink);
            Assert.Equal(404, status);
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            employee.AssertHealthy();
        }

        await using (var visitor = await BrowserSession.OpenAsync(server, chromium))
        {
            await visitor.SignInAsync(guest);
            await visitor.GotoAsync("/");
            await Assertions.Expect(visitor.Post("Partner channel news for Acme")).ToBeVisibleAsync();
            await Assertions.Expect(visitor.Post(secret)).ToHaveCountAsync(0);
            await visitor.GotoAsync($"/teams/{team}");
            await Assertions.Expect(visitor.Post("Partner channel news for Acme")).ToBeVisibleAsync();
            await Assertions.Expect(visitor.Page.Locator("body")).Not.ToContainTextAsync(secret);
            var (status, body) = await visitor.FetchAsync(permalink);
            Assert.Equal(404, status);
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            visitor.AssertHealthy();
        }
    }
}
