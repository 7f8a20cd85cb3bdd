using System.Collections.Concurrent;

namespace Gazouille.BrowserTests;

/// <summary>
/// One person's browser: its own context (cookies, viewport, language, colour scheme) and page. It records every server
/// error (5xx) and script error the page meets, and <see cref="AssertHealthy"/> fails the test on any of them.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentDictionary<IRequest, DateTime> _inFlight = new();
    private readonly ConcurrentQueue<string> _failedRequests = new();
    private readonly LiveServer _server;

    public IPage Page { get; }

    private BrowserSession(LiveServer server, IBrowserContext context, IPage page)
    {
        _server = server;
        _context = context;
        Page = page;
        page.Response += (_, r) =>
        {
            if (r.Status >= 500) _problems.Enqueue($"{r.Status} from {r.Request.Method} {r.Url}");
            else if (r.Status >= 400 && r.Request.ResourceType is "script" or "stylesheet" or "image" or "font" or "manifest")
                _problems.Enqueue($"{r.Status} for the {r.Request.ResourceType} {r.Url}");
        };
        page.PageError += (_, e) => _problems.Enqueue($"script error: {e}");
        // What was still on its way when a wait timed out tells a slow server from a page that never asked.
        page.Request += (_, r) => _inFlight[r] = DateTime.UtcNow;
        page.RequestFinished += (_, r) => _inFlight.TryRemove(r, out DateTime _);
        // Only told when a wait times out, never a problem of its own: a navigation aborts the requests of the page it leaves.
        page.RequestFailed += (_, r) =>
        {
            _inFlight.TryRemove(r, out DateTime _);
            _failedRequests.Enqueue($"{r.Method} {r.Url} ({r.Failure})");
        };
    }

    private string Unfinished()
    {
        var now = DateTime.UtcNow;
        var waiting = _inFlight.Select(p => $"{p.Key.Method} {p.Key.Url} for {(now - p.Value).TotalSeconds:0.0} s").ToList();
        var failed = _failedRequests.IsEmpty ? "" : "; requests that failed: " + string.Join("; ", _failedRequests);
        return (waiting.Count == 0 ? "no request was waiting for an answer" : "still waiting for: " + string.Join("; ", waiting)) + failed;
    }

    public static async Task<BrowserSession> OpenAsync(LiveServer server, Chromium chromium, SessionOptions? options = null)
    {
        options ??= new();
        var context = await chromium.Browser.NewContextAsync(new()
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new() { Width = options.Width, Height = options.Height },
            ColorScheme = options.ColorScheme,
            Locale = options.Locale,
            BypassCSP = options.BypassCsp,
        });
        // Fail fast: on two shared cores a page that has not answered in 15 s is broken, not slow.
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(20_000);
        return new BrowserSession(server, context, await context.NewPageAsync());
    }

    /// <summary>Signs in through the sign-in page, as a person would, and waits until it has left it.</summary>
    public async Task SignInAsync(string username, string? password = null)
    {
        await Page.GotoAsync("/auth/sign_in");
        await Page.Locator("#login").FillAsync(username);
        await Page.Locator("#password").FillAsync(password ?? LiveServer.Password);
        await Page.Locator("form[action='/auth/sign_in'] button[type=submit]").ClickAsync();
        try
        {
            // Longer than the default: the home page after sign-in is often a fresh server's first page, rendered while the
            // other test classes load the two cores (a CI run once needed more than 15 s here).
            await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/auth/sign_in", StringComparison.Ordinal),
                // Parsed and scripted is enough: what the test does next waits for what it needs, and the load event can
                // come late on a loaded machine (a CI run once saw it wait 44 s with only the live stream open).
                new() { Timeout = 45_000, WaitUntil = WaitUntilState.DOMContentLoaded });
        }
        catch (TimeoutException)
        {
            var said = await Page.Locator("[role=alert]").AllInnerTextsAsync();
            throw new InvalidOperationException($"Signing in as @{username} did not reach a loaded page after the sign-in page; it said: " +
                $"'{string.Join(" ", said)}'; the page is at {Page.Url}; {Unfinished()}.\nThe page met:\n{string.Join("\n", _problems)}");
        }
    }

    /// <summary>Opens a page; when the browser cannot show it, the failure names the server errors met on the way.</summary>
    public async Task<IResponse?> GotoAsync(string path)
    {
        try
        {
            return await Page.GotoAsync(path);
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"Opening {path} failed: {e.Message.Split('\n')[0]}; {Unfinished()}\nThe page met:\n{string.Join("\n", _problems)}", e);
        }
    }

    /// <summary>
    /// What the server answers this person (same cookies) for <paramref name="path"/>, without navigating: a browser shows
    /// an empty error answer as its own error page, which would hide the status.
    /// </summary>
    public async Task<(int Status, string Body)> FetchAsync(string path)
    {
        var response = await Page.APIRequest.GetAsync(path);
        return (response.Status, await response.TextAsync());
    }

    /// <summary>The posts of the page's timeline (<c>#timeline</c>) that hold <paramref name="text"/>.</summary>
    public ILocator Post(string text) => Page.Locator("#timeline article.status", new() { HasText = text });

    /// <summary>Writes and publishes a post with the compose box of the current page, choosing its audience when given.</summary>
    public async Task PublishAsync(string text, string? audience = null)
    {
        var compose = Page.Locator("form#compose");
        await compose.Locator("textarea[name=status]").FillAsync(text);
        if (audience is not null) await compose.Locator("select[name=audience]").SelectOptionAsync(new SelectOptionValue { Value = audience });
        await compose.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(Post(text)).ToHaveCountAsync(1);
    }

    public Uri Url(string path) => _server.Url(path);

    /// <summary>Fails on any server error or script error seen so far, naming each.</summary>
    public void AssertHealthy() => Assert.True(_problems.IsEmpty, "The page met errors:\n" + string.Join("\n", _problems));

    public async ValueTask DisposeAsync()
    {
        // A test that failed on something else still shows the server and script errors behind it.
        if (!_problems.IsEmpty) TestContext.Current.TestOutputHelper?.WriteLine("The page met errors:\n" + string.Join("\n", _problems));
        await _context.DisposeAsync();
    }
}

public sealed record SessionOptions
{
    public int Width { get; init; } = 1280;
    public int Height { get; init; } = 800;
    public ColorScheme ColorScheme { get; init; } = ColorScheme.Light;
    public string Locale { get; init; } = "en-US";
    /// <summary>Lets a test inject scripts (axe-core) into pages whose Content-Security-Policy would refuse them.</summary>
    public bool BypassCsp { get; init; }
}
