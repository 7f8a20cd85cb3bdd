using System.Net;
using Gazouille.Data.Entities;
using Gazouille.Features.Search;

namespace Gazouille.Tests;

/// <summary>The search page: reachable from every page, results marked, visibility kept, hostile text harmless.</summary>
public sealed class WebSearchTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        await _f.CreatePartnerAsync("acme");
        (_, _alice) = await _f.SignedInAsync("alice");
        await _f.CreateUserAsync("bob");
        await _f.CreateUserAsync("gina", AccountRole.Employee, "acme");
        await _f.CreateTeamAsync("atlas", "alice");
        await _f.GrantAsync("atlas", "acme");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private static List<string> PostIds(string html) =>
        HtmlForms.Parse(html).QuerySelectorAll("article.status").Select(a => a.GetAttribute("data-id")!).ToList();

    [Fact]
    public async Task Every_page_has_a_search_box_with_a_label_and_a_slash_shortcut()
    {
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var doc = HtmlForms.Parse(await bob.PageAsync("/"));
        var form = doc.QuerySelector("header form[role=search]")!;
        Assert.Equal("/search", form.GetAttribute("action"));
        var input = form.QuerySelector("input[name=q]")!;
        Assert.Equal("/", input.GetAttribute("aria-keyshortcuts"));
        Assert.NotNull(doc.QuerySelector($"label[for={input.Id}]"));
        Assert.Contains("<kbd>/</kbd>", await bob.PageAsync("/teams"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Found_posts_are_shown_with_their_matching_words_marked_and_people_as_cards()
    {
        var post = await _alice.PostStatusAsync("La réunion d'équipe <b>commence</b> à midi", "company");
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var html = await bob.PageAsync("/search?q=equipe");
        Assert.Equal([post.Id()], PostIds(html));
        var marks = HtmlForms.Parse(html).QuerySelectorAll("article.status mark.finding-search").Select(m => m.TextContent).ToList();
        Assert.Equal(["équipe"], marks);
        Assert.Contains("&lt;b&gt;commence&lt;/b&gt;", html, StringComparison.Ordinal);

        var people = HtmlForms.Parse(await bob.PageAsync("/search?q=ali&type=accounts"));
        Assert.Equal(["/@alice"], people.QuerySelectorAll(".account-card a.author").Select(a => a.GetAttribute("href")!).ToList());
    }

    [Fact]
    public async Task The_page_speaks_french_and_says_when_nothing_is_found()
    {
        var bob = await WebBrowser.SignInAsync(_f, "bob", "fr");
        var html = await bob.PageAsync("/search?q=introuvable");
        Assert.Contains("Rien trouvé pour « introuvable ».", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        var en = await (await WebBrowser.SignInAsync(_f, "alice")).PageAsync("/search?q=introuvable");
        Assert.Contains("Nothing found for", en, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_guest_finds_neither_company_posts_nor_company_people_it_may_not_see()
    {
        var team = await _alice.PostStatusAsync("Planning zorglub de l'équipe", "team:atlas");
        var shared = await _alice.PostStatusAsync("Planning zorglub partagé", "partners:atlas");
        await _alice.PostStatusAsync("Planning zorglub interne", "company");
        var gina = await WebBrowser.SignInAsync(_f, "gina");
        var html = await gina.PageAsync("/search?q=zorglub");
        Assert.Equal([shared.Id()], PostIds(html));
        Assert.DoesNotContain(team.Id(), html, StringComparison.Ordinal);
        Assert.Empty(HtmlForms.Parse(await gina.PageAsync("/search?q=bob&type=accounts")).QuerySelectorAll(".account-card"));
        Assert.Single(HtmlForms.Parse(await gina.PageAsync("/search?q=alice&type=accounts")).QuerySelectorAll(".account-card"));
    }

    [Fact]
    public async Task Results_page_with_an_older_link()
    {
        var ids = new List<string>();
        for (var i = 0; i < SearchModel.PageSize + 3; i++) ids.Add((await _alice.PostStatusAsync($"Castor numéro {i}", "company")).Id());
        ids.Reverse();
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var first = await bob.PageAsync("/search?q=castor&type=statuses");
        Assert.Equal(ids[..SearchModel.PageSize], PostIds(first));
        var older = HtmlForms.Parse(first).QuerySelector(".more a")!.GetAttribute("href")!;
        Assert.Equal(ids[SearchModel.PageSize..], PostIds(await bob.PageAsync(older)));
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("' OR 1=1 --")]
    [InlineData("NEAR(a b)")]
    [InlineData("\u202Eevil\u200B")]
    [InlineData("%00")]
    public async Task Hostile_text_is_shown_back_encoded_and_never_fails(string q)
    {
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var html = await bob.PageAsync("/search?q=" + Uri.EscapeDataString(q));
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        var tooLong = await bob.PageAsync("/search?q=" + new string('x', 2000));
        Assert.Contains("too long", tooLong, StringComparison.Ordinal);
        var anonymous = await WebBrowser.Anonymous(_f).Http.GetAsync("/search?q=x");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
    }
}
