using Gazouille.Testing;

namespace Gazouille.BrowserTests;

/// <summary>
/// Single sign-on in a real browser: the sign-in page's button, the provider's login page (an OpenIddict provider that
/// the test starts on 127.0.0.1), and back to Gazouille signed in as a new account — or, cancelled, on a page that says so.
/// The test has a Gazouille server of its own, configured with that provider.
/// </summary>
public sealed class SsoTests(Chromium chromium)
{
    [Fact]
    public async Task A_person_signs_in_with_the_company_provider_and_a_cancelled_sign_in_says_so()
    {
        await using var idp = await TestOpenIdProvider.StartAsync();
        await using var server = new LiveServer
        {
            Settings =
            {
                ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example",
                ["Gazouille:Sso:Providers:corp:DisplayName"] = "Corp ID",
                ["Gazouille:Sso:Providers:corp:Authority"] = idp.Authority.ToString(),
                ["Gazouille:Sso:Providers:corp:ClientId"] = TestOpenIdProvider.ClientId,
                ["Gazouille:Sso:Providers:corp:ClientSecret"] = TestOpenIdProvider.ClientSecret,
                ["Gazouille:Sso:Providers:corp:RequireHttpsMetadata"] = "false",
                ["Gazouille:Sso:Providers:corp:Scopes:0"] = "profile",
                ["Gazouille:Sso:Providers:corp:Scopes:1"] = "email",
                ["Gazouille:Sso:Providers:corp:Scopes:2"] = "roles",
                ["Gazouille:Sso:Providers:corp:ModeratorValues:0"] = "gazouille-moderators",
            },
        };
        await server.InitializeAsync();
        await idp.AddClientAsync(server.Url("/auth/sso/corp/callback"));
        idp.User = new OpenIdUser("sub-ines", "ines.moreau@corp.example", "Inès Moreau", true, "gazouille-moderators");

        await using var session = await BrowserSession.OpenAsync(server, chromium);
        await session.GotoAsync("/auth/sign_in");
        // Longer than the default: the first trip reads the provider's metadata and keys, and each server's first request
        // builds its model, while other test classes load the two cores (a loaded run once took more than 15 s here).
        var slow = 45_000;
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Corp ID" }).ClickAsync(new() { Timeout = slow });
        await session.Page.WaitForURLAsync(url => new Uri(url).Authority == idp.Authority.Authority, new() { Timeout = slow });
        await Assertions.Expect(session.Page.Locator("body")).ToContainTextAsync("ines.moreau@corp.example");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync(new() { Timeout = slow });
        await session.Page.WaitForURLAsync(url => new Uri(url).Authority == server.BaseAddress.Authority && new Uri(url).AbsolutePath == "/", new() { Timeout = slow });
        await Assertions.Expect(session.Page.Locator("#timeline")).ToBeAttachedAsync();
        // Signed in as the new account, with the role the provider's claim maps to: the moderation queue opens.
        await session.GotoAsync("/moderation");
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        Assert.Equal(200, (await session.FetchAsync("/moderation")).Status);
        Assert.Contains("Inès Moreau", (await session.FetchAsync("/@ines_moreau")).Body, StringComparison.Ordinal);
        session.AssertHealthy();

        await using var cancelling = await BrowserSession.OpenAsync(server, chromium, new SessionOptions { Locale = "fr-FR" });
        await cancelling.GotoAsync("/auth/sign_in");
        await cancelling.Page.GetByRole(AriaRole.Button, new() { Name = "Se connecter avec Corp ID" }).ClickAsync();
        await cancelling.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(cancelling.Page.Locator("[role=alert]")).ToContainTextAsync("La connexion a été annulée chez Corp ID");
        await cancelling.Page.GetByRole(AriaRole.Link, new() { Name = "Retour à la page de connexion" }).ClickAsync();
        await cancelling.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/auth/sign_in");
        cancelling.AssertHealthy();
    }
}
