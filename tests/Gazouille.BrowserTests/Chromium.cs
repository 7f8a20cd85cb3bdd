namespace Gazouille.BrowserTests;

/// <summary>
/// Debian's Chromium driven by Playwright: Playwright's own browser download cannot work here, so the test script installs
/// the <c>chromium</c> package and the path comes from <c>GAZOUILLE_CHROMIUM</c> or, failing that, from PATH.
/// A missing browser fails every test with the reason: a browser suite that skips would pass without testing anything.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async ValueTask InitializeAsync()
    {
        var path = FindExecutable() ?? throw new InvalidOperationException(
            "Chromium was not found: set GAZOUILLE_CHROMIUM to its path or install Debian's package (apt-get install -y chromium); " +
            "scripts/test.sh installs it.");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private static string? FindExecutable()
    {
        var configured = Environment.GetEnvironmentVariable("GAZOUILLE_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(configured))
            return File.Exists(configured) ? configured
                : throw new InvalidOperationException($"GAZOUILLE_CHROMIUM is set to '{configured}', which does not exist.");
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "chromium"))
            .FirstOrDefault(File.Exists);
    }
}
