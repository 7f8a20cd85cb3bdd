namespace Gazouille.BrowserTests;

/// <summary>
/// Pictures of the main screens on a phone and a desk, light and dark, kept for people to look at (scripts/test.sh keeps
/// them in artifacts/screenshots). The test checks that each is a real, non-empty PNG; the eyes do the rest.
/// </summary>
public sealed class ScreenshotTests(LiveServer server, Chromium chromium)
{
    private static readonly string Folder = Environment.GetEnvironmentVariable("GAZOUILLE_SCREENSHOTS") is { Length: > 0 } configured
        ? configured : Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    [Theory]
    [InlineData(390, 844, "light")]
    [InlineData(390, 844, "dark")]
    [InlineData(1280, 800, "light")]
    [InlineData(1280, 800, "dark")]
    public async Task Home_thread_and_compose_are_captured(int width, int height, string scheme)
    {
        var author = await server.CreateUserAsync("camille", displayName: "Camille Durand");
        var mate = await server.CreateUserAsync("yanis", displayName: "Yanis Benali");
        var team = await server.CreateTeamAsync("mobile", "Mobile", author, mate);
        var id = await server.PostAsync(author, "The 4.2 release candidate is on the internal store: please try it before Thursday. #release", $"team:{team}");
        await server.PostAsync(mate, $"Installed. Sign-in is much faster, thanks @{author}!", inReplyTo: id);
        await server.PostAsync(mate, "Reminder: the all-hands moves to room Everest at 10:00.", "company");
        await using var browser = await BrowserSession.OpenAsync(server, chromium, new()
        {
            Width = width, Height = height, ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
        });
        await browser.SignInAsync(author);
        Directory.CreateDirectory(Folder);

        foreach (var (screen, path) in new[] { ("home", "/"), ("thread", $"/@{author}/{id}"), ("compose", "/web/compose") })
        {
            var response = await browser.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            if (screen == "compose") await browser.Page.Locator("form#compose textarea[name=status]").FillAsync($"Draft for #release, @{mate} can you check the notes?");
            var file = Path.Combine(Folder, $"{screen}-{width}x{height}-{scheme}.png");
            await browser.Page.ScreenshotAsync(new() { Path = file, Animations = ScreenshotAnimations.Disabled });

            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.Length > 1000, $"{file} holds only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        }
        browser.AssertHealthy();
    }
}
