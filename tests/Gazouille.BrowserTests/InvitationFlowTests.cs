using Gazouille.Data.Entities;
using Microsoft.Playwright;

namespace Gazouille.BrowserTests;

/// <summary>
/// The whole partner invitation flow in a real browser: an admin invites a partner person in the web admin, the person
/// opens the link and signs up as a guest, sees only the partner channel, and sees nothing once the admin revokes the grant.
/// </summary>
public sealed class InvitationFlowTests(LiveServer server, Chromium chromium)
{
    [Fact]
    public async Task An_invited_guest_sees_only_the_partner_channel_until_the_admin_revokes_it()
    {
        var admin = await server.CreateUserAsync("admin", AccountRole.Admin);
        var member = await server.CreateUserAsync("member");
        var team = await server.CreateTeamAsync("orbit", "Orbit", member);
        var partner = await server.CreatePartnerAsync("nordlys", "Nordlys Studio");
        await server.GrantAsync(team, partner);
        var shared = $"For Nordlys: the mock-ups {Guid.NewGuid():N}";
        var company = $"Company only: the budget {Guid.NewGuid():N}";
        var teamOnly = $"Orbit only: the roadmap {Guid.NewGuid():N}";
        await server.PostAsync(member, shared, $"partners:{team}");
        await server.PostAsync(member, company, "company");
        await server.PostAsync(member, teamOnly, $"team:{team}");

        await using var adminSession = await BrowserSession.OpenAsync(server, chromium);
        await adminSession.SignInAsync(admin);
        await adminSession.GotoAsync("/admin/invitations");
        await adminSession.Page.GetByLabel("As", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "A guest of Nordlys Studio" });
        await adminSession.Page.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }).ClickAsync();
        // Without SMTP the link is shown to the inviter.
        var linkField = adminSession.Page.GetByLabel("Invitation link", new() { Exact = true });
        await Assertions.Expect(linkField).ToBeVisibleAsync();
        var link = new Uri(await linkField.InputValueAsync());
        await Assertions.Expect(adminSession.Page.Locator("tbody tr").First).ToContainTextAsync(partner);
        adminSession.AssertHealthy();

        var guestName = server.Unique("guest");
        await using var guest = await BrowserSession.OpenAsync(server, chromium);
        await guest.GotoAsync(link.PathAndQuery);
        await guest.Page.GetByLabel("Username", new() { Exact = true }).FillAsync(guestName);
        await guest.Page.GetByLabel("E-mail", new() { Exact = true }).FillAsync($"{guestName}@nordlys.example");
        await guest.Page.GetByLabel("Password (10 characters or more)").FillAsync(LiveServer.Password);
        await guest.Page.GetByRole(AriaRole.Button, new() { Name = "Create the account" }).ClickAsync();
        await guest.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Assertions.Expect(guest.Post(shared)).ToBeVisibleAsync();
        await Assertions.Expect(guest.Page.Locator("body")).Not.ToContainTextAsync(company);
        await Assertions.Expect(guest.Page.Locator("body")).Not.ToContainTextAsync(teamOnly);
        await guest.GotoAsync($"/teams/{team}");
        await Assertions.Expect(guest.Post(shared)).ToBeVisibleAsync();
        await Assertions.Expect(guest.Page.Locator("body")).Not.ToContainTextAsync(teamOnly);
        Assert.Equal(404, (await guest.FetchAsync("/company")).Status);
        guest.AssertHealthy();

        // The admin revokes the grant on the access review; the confirmation is accepted.
        await adminSession.GotoAsync("/admin/access");
        var row = adminSession.Page.Locator("tbody tr", new() { HasText = "Nordlys Studio" });
        await Assertions.Expect(row).ToContainTextAsync("Orbit");
        adminSession.Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke Nordlys Studio's access to Orbit" }).ClickAsync();
        await Assertions.Expect(adminSession.Page.Locator("[role=status]")).ToContainTextAsync("Access revoked");
        await Assertions.Expect(adminSession.Page.Locator("tbody tr", new() { HasText = "Nordlys Studio" })).ToHaveCountAsync(0);
        adminSession.AssertHealthy();

        await guest.GotoAsync("/");
        await Assertions.Expect(guest.Page.Locator("#timeline")).ToBeAttachedAsync();
        await Assertions.Expect(guest.Page.Locator("body")).Not.ToContainTextAsync(shared);
        var (status, body) = await guest.FetchAsync($"/teams/{team}");
        Assert.Equal(404, status);
        Assert.DoesNotContain(shared, body, StringComparison.Ordinal);
        guest.AssertHealthy();
    }
}
