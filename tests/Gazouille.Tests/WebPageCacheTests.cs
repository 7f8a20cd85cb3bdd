using System.Net;
using Gazouille.Data.Entities;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// The web home is kept as HTML per reader (<see cref="ViewerHtmlCache"/>), and the frame of every page (the reader's
/// account, the unread badge) per reader too — and every change the page shows is on the very next view: a new post of
/// someone followed, a favourite, an unread notification, a language switch, an unfollow, a revoked grant. Each test first
/// checks that the page really came from the cache, so that it proves the invalidation and not the absence of a cache.
/// </summary>
public sealed class WebPageCacheTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!, _bob = null!, _carol = null!;
    private long _aliceId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_aliceId, _alice) = await _f.SignedInAsync("alice");
        (_, _bob) = await _f.SignedInAsync("bob");
        (_, _carol) = await _f.SignedInAsync("carol");
        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/follow");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private ViewerHtmlCache Html => _f.Server.Services.GetRequiredService<ViewerHtmlCache>();

    /// <summary>Opens home twice and checks that the second view was served from the HTML cache.</summary>
    private async Task<string> CachedHomeAsync(WebBrowser browser)
    {
        await browser.PageAsync("/");
        var hits = Html.Hits;
        var second = await browser.PageAsync("/");
        Assert.True(Html.Hits > hits, "the second view of home was not served from the HTML cache");
        return second;
    }

    private static List<string> PostIds(string html) =>
        HtmlForms.Parse(html).QuerySelectorAll("article.status").Select(a => a.GetAttribute("data-id")!).ToList();

    private static string FavouriteCount(string html, string id) =>
        HtmlForms.Parse(html).QuerySelector($"#status-{id} form[action$='favourite'] button span:last-child")!.TextContent;

    private static List<string> Tokens(string html) =>
        HtmlForms.Parse(html).QuerySelectorAll("input[name=__RequestVerificationToken]").Select(i => i.GetAttribute("value")!).ToList();

    [Fact]
    public async Task A_cached_home_carries_the_requests_own_antiforgery_token_and_its_forms_work()
    {
        var post = (await _alice.PostStatusAsync("à aimer", "company")).Id();
        var web = await WebBrowser.SignInAsync(_f, "bob");
        var phone = await WebBrowser.SignInAsync(_f, "bob");
        var first = await web.PageAsync("/");
        var cached = await CachedHomeAsync(web);
        Assert.Single(Tokens(cached).Distinct()); // the layout's forms and the kept part's forms carry the same, fresh token
        Assert.NotEqual(Tokens(first)[0], Tokens(cached)[0]);

        // Another browser of the same reader (another antiforgery cookie) gets the kept HTML with its own token, which works.
        var hits = Html.Hits;
        var answer = await phone.SubmitAsync("/", $"/web/statuses/{post}/favourite");
        Assert.True(Html.Hits > hits, "the other browser's page was not served from the HTML cache");
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("1", FavouriteCount(await phone.PageAsync("/"), post));
    }

    [Fact]
    public async Task A_new_post_of_a_followed_author_and_a_favourite_show_on_the_next_view()
    {
        var first = (await _alice.PostStatusAsync("premier message", "company")).Id();
        var web = await WebBrowser.SignInAsync(_f, "bob");
        Assert.Equal("0", FavouriteCount(await CachedHomeAsync(web), first));

        await _carol.PostOkAsync($"/api/v1/statuses/{first}/favourite");
        Assert.Equal("1", FavouriteCount(await web.PageAsync("/"), first));

        await CachedHomeAsync(web);
        var second = (await _alice.PostStatusAsync("deuxième message", "company")).Id();
        Assert.Equal(second, PostIds(await web.PageAsync("/"))[0]);

        await CachedHomeAsync(web);
        await _carol.PostOkAsync($"/api/v1/statuses/{first}/unfavourite");
        Assert.Equal("0", FavouriteCount(await web.PageAsync("/"), first));
    }

    [Fact]
    public async Task An_unread_notification_shows_in_the_badge_on_the_next_view_and_leaves_when_dismissed()
    {
        await _alice.PostStatusAsync("bonjour", "company");
        var web = await WebBrowser.SignInAsync(_f, "bob");
        Assert.Null(HtmlForms.Parse(await CachedHomeAsync(web)).QuerySelector("#notification-badge .count"));

        await _carol.PostStatusAsync("@bob une question", "company");
        var badge = HtmlForms.Parse(await web.PageAsync("/")).QuerySelector("#notification-badge .count");
        Assert.Equal("1", badge?.TextContent);

        // Opening the notifications page marks them seen (a cookie): the badge leaves on the next view of home.
        await CachedHomeAsync(web);
        await web.PageAsync("/notifications");
        Assert.Null(HtmlForms.Parse(await web.PageAsync("/")).QuerySelector("#notification-badge .count"));

        await _carol.PostStatusAsync("@bob une autre question", "company");
        Assert.Equal("1", HtmlForms.Parse(await web.PageAsync("/")).QuerySelector("#notification-badge .count")?.TextContent);
        await CachedHomeAsync(web);
        var notification = (await _bob.GetOkAsync("/api/v1/notifications")).EnumerateArray().First().Id();
        await _bob.PostOkAsync($"/api/v1/notifications/{notification}/dismiss");
        Assert.Null(HtmlForms.Parse(await web.PageAsync("/")).QuerySelector("#notification-badge .count"));
    }

    [Fact]
    public async Task A_language_switch_shows_on_the_next_view()
    {
        await _alice.PostStatusAsync("bonjour", "company");
        var web = await WebBrowser.SignInAsync(_f, "bob");
        var phone = await WebBrowser.SignInAsync(_f, "bob", language: "fr");
        var english = await CachedHomeAsync(web);
        Assert.Contains("<h1>Home</h1>", english, StringComparison.Ordinal);

        // The same reader on a device that asks for French: nothing changed in the data, the page is still French.
        Assert.Contains("<h1>Accueil</h1>", await phone.PageAsync("/"), StringComparison.Ordinal);
        Assert.Contains("<h1>Home</h1>", await CachedHomeAsync(web), StringComparison.Ordinal);

        var switched = await web.SubmitAsync("/", "/web/language", ("culture", "fr"), ("returnUrl", "/"));
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        var french = await web.PageAsync("/");
        Assert.Contains("<html lang=\"fr\"", french, StringComparison.Ordinal);
        Assert.Contains("<h1>Accueil</h1>", french, StringComparison.Ordinal);
        Assert.DoesNotContain("Older posts", french, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unfollow_removes_the_followers_only_post_on_the_next_view_and_another_reader_never_gets_the_html()
    {
        var followersOnly = (await _alice.PostStatusAsync("pour mes abonnés", "followers")).Id();
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        Assert.Contains(followersOnly, PostIds(await CachedHomeAsync(bob)));

        // Carol follows nobody: her home is her own, never bob's kept HTML.
        var carol = await WebBrowser.SignInAsync(_f, "carol");
        var carolsHome = await carol.PageAsync("/");
        Assert.DoesNotContain(followersOnly, PostIds(carolsHome));
        Assert.DoesNotContain("pour mes abonnés", carolsHome, StringComparison.Ordinal);
        Assert.Contains("href=\"/@carol\"", carolsHome, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/@bob\"", carolsHome, StringComparison.Ordinal);

        await _bob.PostOkAsync($"/api/v1/accounts/{_aliceId}/unfollow");
        Assert.DoesNotContain(followersOnly, PostIds(await bob.PageAsync("/")));
    }

    [Fact]
    public async Task A_revoked_grant_takes_the_partner_post_off_the_guests_home_on_the_next_view()
    {
        await _f.CreatePartnerAsync("acme");
        var (_, gina) = await _f.SignedInAsync("gina", AccountRole.Employee, "acme");
        await _f.CreateTeamAsync("atlas", "alice");
        await _f.GrantAsync("atlas", "acme");
        await gina.PostOkAsync("/api/v1/gazouille/teams/atlas/follow");
        var post = (await _alice.PostStatusAsync("bonjour les partenaires", "partners:atlas")).Id();
        var web = await WebBrowser.SignInAsync(_f, "gina");
        Assert.Contains(post, PostIds(await CachedHomeAsync(web)));

        await _f.GrantAsync("atlas", "acme", revoke: true);
        Assert.DoesNotContain(post, PostIds(await web.PageAsync("/")));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Kept_html_gets_each_requests_token_and_relative_times_as_of_now()
    {
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("en");
        var html = ViewerHtml.Cut(
            "<form><input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"OLD-token\"></form>" +
            "<p><time datetime=\"2026-11-26T11:59:00Z\" title=\"t\">a minute ago</time></p>", "OLD-token");
        var encoder = System.Text.Encodings.Web.HtmlEncoder.Default;
        var filled = html.Fill("NEW-token", new FixedClock(DateTimeOffset.Parse("2026-11-26T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), encoder);
        const string expected = "<form><input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"NEW-token\"></form>" +
            "<p><time datetime=\"2026-11-26T11:59:00Z\" title=\"t\">2 hours ago</time></p>";
        using var writer = new StringWriter();
        filled.WriteTo(writer, encoder);
        Assert.Equal(expected, writer.ToString());

        // A view moves it into its buffer as strings (how MVC writes it to the response): the same HTML.
        var builder = new HtmlContentBuilder();
        Assert.IsAssignableFrom<IHtmlContentContainer>(filled).MoveTo(builder);
        using var moved = new StringWriter();
        builder.WriteTo(moved, encoder);
        Assert.Equal(expected, moved.ToString());
    }
}
