using System.Net;
using AngleSharp.Dom;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>The web app's page handlers through HTTP, as a browser without JavaScript (and as htmx) uses them.</summary>
public sealed class WebPagesTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private static List<string> PostIds(string html) =>
        HtmlForms.Parse(html).QuerySelectorAll("article.status").Select(a => a.GetAttribute("data-id")!).ToList();

    private Task<int> CountStatusesAsync() => _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Statuses.CountAsync());

    [Fact]
    public async Task A_post_to_a_team_from_the_compose_box_reaches_the_team_and_nobody_else()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        await _f.CreateUserAsync("carol");
        await _f.CreatePartnerAsync("nordlys");
        await _f.CreateUserAsync("guest", partner: "nordlys");
        await _f.CreateTeamAsync("design", "alice", "bob");
        await _f.GrantAsync("design", "nordlys");
        var alice = await WebBrowser.SignInAsync(_f, "alice");

        var home = await alice.PageAsync("/");
        var options = HtmlForms.Parse(home).QuerySelectorAll("#compose-audience option").Select(o => (o.GetAttribute("value"), o.TextContent)).ToList();
        Assert.Contains(("team:design", "Team design — 2 people"), options);
        Assert.Contains(options, o => o.Item1 == "partners:design" && o.TextContent.Contains("nordlys", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(options, o => o.Item1 == "company" && o.TextContent.StartsWith("Whole company", StringComparison.Ordinal));

        var posted = await alice.SubmitAsync("/", "/web/compose", ("status", "Maquettes v2 prêtes #design"), ("audience", "team:design"));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("Maquettes v2 prêtes", await alice.PageAsync("/"), StringComparison.Ordinal);

        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var teamPage = await bob.PageAsync("/teams/design");
        Assert.Contains("Maquettes v2 prêtes", teamPage, StringComparison.Ordinal);
        var id = Assert.Single(PostIds(teamPage));
        Assert.Contains("Maquettes v2", await bob.PageAsync($"/@alice/{id}"), StringComparison.Ordinal);

        var carol = await WebBrowser.SignInAsync(_f, "carol");
        Assert.DoesNotContain("Maquettes", await carol.PageAsync("/teams/design"), StringComparison.Ordinal);
        Assert.DoesNotContain("Maquettes", await carol.PageAsync("/tags/design"), StringComparison.Ordinal);
        await carol.PageAsync($"/@alice/{id}", HttpStatusCode.NotFound);
        var guest = await WebBrowser.SignInAsync(_f, "guest");
        await guest.PageAsync($"/@alice/{id}", HttpStatusCode.NotFound);
        Assert.DoesNotContain("Maquettes", await guest.PageAsync("/"), StringComparison.Ordinal);
        await guest.PageAsync("/company", HttpStatusCode.NotFound);
        await guest.PageAsync("/@carol", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Htmx_posting_answers_a_fresh_compose_box_and_the_new_post_for_the_timeline()
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var answer = await alice.SubmitWithHtmxAsync("/", "/web/compose", ("status", "Bonjour <b>tout</b> le monde"), ("audience", "company"));
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var doc = HtmlForms.Parse(html);
        Assert.Equal("", doc.QuerySelector("#compose textarea")!.TextContent);
        var oob = doc.QuerySelector("[hx-swap-oob]")!;
        Assert.Equal("afterbegin:#timeline", oob.GetAttribute("hx-swap-oob"));
        Assert.Contains("Bonjour <b>tout</b> le monde", oob.QuerySelector(".content")!.TextContent, StringComparison.Ordinal);
        Assert.Null(oob.QuerySelector(".content b"));
    }

    public static TheoryData<string, string> HostileTexts => new()
    {
        { "", "Write something before posting." },
        { "   \n\t ", "Write something before posting." },
        { new string('x', 501), "500" },
    };

    [Theory]
    [MemberData(nameof(HostileTexts))]
    public async Task A_refused_post_keeps_the_text_says_why_and_saves_nothing(string text, string expectedError)
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var before = await CountStatusesAsync();
        var answer = await alice.SubmitAsync("/", "/web/compose", ("status", text), ("audience", "company"));
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var doc = HtmlForms.Parse(html);
        var error = doc.QuerySelector("#compose-error")!.TextContent;
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
        if (text.Trim().Length > 0 && !text.Contains('\uD800', StringComparison.Ordinal))
            Assert.Equal(text, doc.QuerySelector("#compose textarea")!.TextContent.TrimStart('\n'));
        Assert.Equal(before, await CountStatusesAsync());
    }

    [Fact]
    public async Task A_refused_post_sent_by_htmx_answers_the_compose_box_with_the_error_and_the_text()
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var answer = await alice.SubmitWithHtmxAsync("/", "/web/compose", ("status", new string('é', 501)), ("audience", "company"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var doc = HtmlForms.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Null(doc.QuerySelector("html > body > header"));
        Assert.Equal(new string('é', 501), doc.QuerySelector("#compose textarea")!.TextContent.TrimStart('\n'));
        Assert.NotEmpty(doc.QuerySelector("#compose-error")!.TextContent);
        Assert.Equal(0, await CountStatusesAsync());
    }

    [Fact]
    public async Task An_audience_the_author_may_not_use_is_refused_with_the_text_kept()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateTeamAsync("secret");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        foreach (var audience in new[] { "team:secret", "public", "partners:secret", "team:' OR 1=1 --", "", "\u202Eteam:x" })
        {
            var answer = await alice.SubmitAsync("/", "/web/compose", ("status", "Hello ' OR 1=1 -- \u200B\u202E"), ("audience", audience));
            if (audience == "")
            {
                Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode); // no choice → the author's default audience
                continue;
            }
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            var doc = HtmlForms.Parse(await answer.Content.ReadAsStringAsync());
            Assert.NotEmpty(doc.QuerySelector("#compose-error")!.TextContent);
            Assert.Contains("Hello ' OR 1=1 --", doc.QuerySelector("#compose textarea")!.TextContent, StringComparison.Ordinal);
        }
        Assert.Equal(1, await CountStatusesAsync());
    }

    [Fact]
    public async Task Script_in_posts_names_and_bios_is_shown_as_text()
    {
        var id = await _f.CreateUserAsync("mallory");
        await _f.WithScopeAsync<object?>(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            await db.Users.Where(a => a.Id == id).ExecuteUpdateAsync(u => u.SetProperty(a => a.DisplayName, "<img src=x onerror=alert(1)>").SetProperty(a => a.Bio, "<script>alert(2)</script>"));
            return null;
        });
        var mallory = await WebBrowser.SignInAsync(_f, "mallory");
        await mallory.SubmitAsync("/", "/web/compose", ("status", "<script>alert(3)</script> \"quotes\" & <a href=javascript:x>link</a>"), ("audience", "company"));
        foreach (var page in new[] { "/", "/company", "/@mallory" })
        {
            var html = await mallory.PageAsync(page);
            var doc = HtmlForms.Parse(html);
            Assert.Empty(doc.QuerySelectorAll("main script, main img[onerror], main a[href^='javascript']"));
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reply_from_the_thread_page_joins_the_conversation_with_the_parent_audience()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        await _f.CreateTeamAsync("design", "alice", "bob");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        await alice.SubmitAsync("/", "/web/compose", ("status", "Question pour l'équipe"), ("audience", "team:design"));
        var id = PostIds(await alice.PageAsync("/teams/design"))[0];

        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var thread = await bob.PageAsync($"/@alice/{id}");
        Assert.Equal("@alice ", HtmlForms.Parse(thread).QuerySelector("#compose textarea")!.TextContent.TrimStart('\n'));
        var replied = await bob.SubmitAsync($"/@alice/{id}", "/web/compose", ("status", "@alice Réponse de Bob"));
        Assert.Equal($"/@alice/{id}", replied.Headers.Location!.OriginalString);
        var after = HtmlForms.Parse(await bob.PageAsync($"/@alice/{id}"));
        var reply = Assert.Single(after.QuerySelectorAll("#timeline article.status"));
        Assert.Contains("Réponse de Bob", reply.TextContent, StringComparison.Ordinal);
        Assert.Contains("Team design", reply.QuerySelector(".audience")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Favourite_boost_bookmark_edit_and_delete_from_the_post_buttons()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        await alice.SubmitAsync("/", "/web/compose", ("status", "Premier jet"), ("audience", "company"));
        var id = PostIds(await alice.PageAsync("/company"))[0];

        var bob = await WebBrowser.SignInAsync(_f, "bob");
        var fav = await bob.SubmitWithHtmxAsync("/company", $"/web/statuses/{id}/favourite");
        var fragment = HtmlForms.Parse(await fav.Content.ReadAsStringAsync());
        Assert.Equal("true", fragment.QuerySelector($"form[action='/web/statuses/{id}/unfavourite'] button")!.GetAttribute("aria-pressed"));
        Assert.Equal(HttpStatusCode.Redirect, (await bob.SubmitAsync("/company", $"/web/statuses/{id}/reblog")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await bob.SubmitAsync("/company", $"/web/statuses/{id}/bookmark")).StatusCode);
        Assert.Equal([id], PostIds(await bob.PageAsync("/bookmarks")));
        Assert.Equal([id], PostIds(await bob.PageAsync("/favourites")));
        Assert.Contains("liked your post", await alice.PageAsync("/notifications"), StringComparison.Ordinal);

        // Only the author sees edit and delete; a stranger's attempt is a 404.
        Assert.Null(HtmlForms.Parse(await bob.PageAsync($"/@alice/{id}")).QuerySelector($"a[href='/web/statuses/{id}/edit']"));
        await bob.PageAsync($"/web/statuses/{id}/edit", HttpStatusCode.NotFound);
        var edited = await alice.SubmitAsync($"/web/statuses/{id}/edit", $"/web/statuses/{id}/edit", ("status", "Second jet"));
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        var history = await alice.PageAsync($"/@alice/{id}/history");
        Assert.Contains("Premier jet", history, StringComparison.Ordinal);
        Assert.Contains("Second jet", history, StringComparison.Ordinal);
        var emptyEdit = await alice.SubmitAsync($"/web/statuses/{id}/edit", $"/web/statuses/{id}/edit", ("status", " "));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, emptyEdit.StatusCode);

        var forged = HtmlForms.HiddenFields(await bob.PageAsync("/company"), "/web/compose");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.PostAsync($"/web/statuses/{id}/delete", new FormUrlEncodedContent(forged))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await alice.SubmitAsync("/company", $"/web/statuses/{id}/delete")).StatusCode);
        Assert.Empty(PostIds(await bob.PageAsync("/company")));
    }

    [Fact]
    public async Task The_page_speaks_the_browser_language_and_the_switch_is_remembered_on_the_account()
    {
        await _f.CreateUserAsync("alice");
        var french = WebBrowser.Anonymous(_f, "fr-FR,fr;q=0.9");
        var signIn = HtmlForms.Parse(await french.PageAsync("/auth/sign_in"));
        Assert.Equal("fr", signIn.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Se connecter", signIn.QuerySelector("button[type=submit]")!.TextContent);

        var alice = await WebBrowser.SignInAsync(_f, "alice", "fr"); // the account's language wins over the browser's after sign-in
        alice.Http.DefaultRequestHeaders.AcceptLanguage.Clear();
        alice.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        Assert.Equal("fr", HtmlForms.Parse(await alice.PageAsync("/")).DocumentElement.GetAttribute("lang"));
        var switched = await alice.SubmitAsync("/", "/web/language", ("culture", "en"), ("returnUrl", "/teams"));
        Assert.Equal("/teams", switched.Headers.Location!.OriginalString);
        var teams = HtmlForms.Parse(await alice.PageAsync("/teams"));
        Assert.Equal("en", teams.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Teams", teams.QuerySelector("h1")!.TextContent);
        Assert.Equal("en", await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.Where(a => a.UserName == "alice").Select(a => a.Language).FirstAsync()));

        Assert.Equal(HttpStatusCode.BadRequest, (await alice.SubmitAsync("/", "/web/language", ("culture", "xx<script>"))).StatusCode);
        var offsite = await alice.SubmitAsync("/", "/web/language", ("culture", "fr"), ("returnUrl", "//evil.example/"));
        Assert.Equal("/", offsite.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("fr", "you cannot follow yourself", "Vous ne pouvez pas vous suivre vous-même")]
    [InlineData("en", "you cannot follow yourself", "You cannot follow yourself")]
    [InlineData("fr", "Text is too long (5012 characters; the maximum is 5000)", "Le texte est trop long (5012 caractères ; 5000 au plus)")]
    [InlineData("fr", "since_id must be a whole number", "since_id doit être un nombre entier")]
    [InlineData("fr", "There is no account or team @<script>.", "Il n'existe ni compte ni équipe @<script>.")]
    [InlineData("fr", "a sentence nobody translated yet", "A sentence nobody translated yet")]
    public void A_service_refusal_is_shown_in_the_reader_language_with_its_values(string culture, string english, string shown)
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(culture);
        try
        {
            var t = _f.Services.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<Features.Web.WebText>>();
            Assert.Equal(shown, t.Explain(Api.ApiException.Unprocessable("Validation failed: " + english)));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public async Task A_name_stored_with_bidirectional_controls_is_shown_without_them()
    {
        await _f.CreateUserAsync("alice");
        // Written before names were checked for them (the API and the pages refuse such a name now).
        await _f.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var account = await db.Users.FirstAsync(a => a.UserName == "alice");
            account.DisplayName = "Alice\u202E nimdA";
            return await db.SaveChangesAsync();
        });
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        await alice.SubmitAsync("/", "/web/compose", ("status", "Bonjour"), ("audience", "company"));
        foreach (var path in new[] { "/@alice", "/", "/company" })
        {
            var html = await alice.PageAsync(path);
            Assert.DoesNotContain("\u202E", html, StringComparison.Ordinal);
            Assert.Contains("Alice nimdA", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_french_reader_gets_the_publishing_refusal_in_french()
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice", "fr");
        var refused = await alice.SubmitAsync("/", "/web/compose", ("status", new string('a', 512)), ("audience", "company"));
        var alert = HtmlForms.Parse(await refused.Content.ReadAsStringAsync()).QuerySelector("[role=alert]");
        Assert.NotNull(alert);
        Assert.Contains("Le texte est trop long (512 caractères ; 500 au plus)", alert.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preferences_save_valid_choices_and_refuse_others_without_saving()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateTeamAsync("design", "alice");
        await _f.CreateTeamAsync("secret");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var saved = await alice.SubmitAsync("/settings/preferences", "/settings/preferences", ("Language", "en"), ("DefaultAudience", "team:design"), ("Theme", "dark"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = HtmlForms.Parse(await alice.PageAsync("/"));
        Assert.Equal("dark", page.DocumentElement.GetAttribute("data-theme"));
        Assert.Equal("team:design", page.QuerySelector("#compose-audience option[selected]")!.GetAttribute("value"));

        foreach (var (field, value) in new[] { ("DefaultAudience", "team:secret"), ("Language", "de"), ("Theme", "<script>"), ("DefaultAudience", new string('a', 100_000)) })
        {
            var fields = new List<(string, string)> { ("Language", "fr"), ("DefaultAudience", "company"), ("Theme", "light") };
            fields.RemoveAll(f => f.Item1 == field);
            fields.Add((field, value));
            var refused = await alice.SubmitAsync("/settings/preferences", "/settings/preferences", [.. fields]);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.NotNull(HtmlForms.Parse(await refused.Content.ReadAsStringAsync()).QuerySelector("[role=alert]"));
        }
        var account = await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.FirstAsync(a => a.UserName == "alice"));
        Assert.Equal(("en", "team:design"), (account.Language, account.DefaultAudience));
    }

    [Fact]
    public async Task Profile_edit_keeps_what_was_typed_on_error()
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var ok = await alice.SubmitAsync("/settings/profile", "/settings/profile", ("DisplayName", "Alice ⚡ Martin"), ("Bio", "Designer, équipe <Design>"));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var profile = HtmlForms.Parse(await alice.PageAsync("/@alice"));
        Assert.Equal("Alice ⚡ Martin", profile.QuerySelector("h1")!.TextContent);
        Assert.Contains("équipe <Design>", profile.QuerySelector(".bio")!.TextContent, StringComparison.Ordinal);

        var tooLong = await alice.SubmitAsync("/settings/profile", "/settings/profile", ("DisplayName", new string('n', 300)), ("Bio", "kept bio"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
        var doc = HtmlForms.Parse(await tooLong.Content.ReadAsStringAsync());
        Assert.Equal("kept bio", doc.QuerySelector("#profile-bio")!.TextContent.TrimStart('\n'));
        Assert.Equal("Alice ⚡ Martin", (await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.FirstAsync(a => a.UserName == "alice"))).DisplayName);
    }

    [Fact]
    public async Task Following_from_the_team_page_fills_the_home_timeline_and_a_newcomer_is_shown_whom_to_follow()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        await _f.CreateUserAsync("carol");
        await _f.CreateTeamAsync("design", "alice", "bob");
        var carol = await WebBrowser.SignInAsync(_f, "carol");
        var empty = HtmlForms.Parse(await carol.PageAsync("/"));
        Assert.NotNull(empty.QuerySelector(".empty a[href='/teams/design']"));

        var alice = await WebBrowser.SignInAsync(_f, "alice");
        await alice.SubmitAsync("/", "/web/compose", ("status", "Point équipe à 14h"), ("audience", "team:design"));
        await alice.SubmitAsync("/", "/web/compose", ("status", "Nouvelle charte graphique"), ("audience", "company"));
        var bob = await WebBrowser.SignInAsync(_f, "bob");
        Assert.Contains("Point équipe à 14h", await bob.PageAsync("/"), StringComparison.Ordinal); // members follow their team
        Assert.NotNull(HtmlForms.Parse(await bob.PageAsync("/teams/design")).QuerySelector("form[action='/teams/design?handler=unfollow']"));

        // Following a team one is not in shows nothing of its team-only posts; following a person shows their company posts.
        Assert.Equal(HttpStatusCode.Redirect, (await carol.SubmitAsync("/teams/design", "/teams/design?handler=follow")).StatusCode);
        Assert.DoesNotContain("Point équipe", await carol.PageAsync("/"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await carol.SubmitAsync("/@alice", "/@alice?handler=follow")).StatusCode);
        var home = await carol.PageAsync("/");
        Assert.Contains("Nouvelle charte graphique", home, StringComparison.Ordinal);
        Assert.DoesNotContain("Point équipe", home, StringComparison.Ordinal);
        Assert.Contains("followed you", await alice.PageAsync("/notifications"), StringComparison.Ordinal);
        await carol.PageAsync("/teams/nope", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_hashtag_page_shows_its_posts_and_older_posts_pages_through_it_and_the_home()
    {
        var (_, api) = await _f.SignedInAsync("alice");
        var tagged = new List<string>();
        for (var i = 0; i < 22; i++) tagged.Add((await api.PostStatusAsync($"Étape {i} #atlas", "company")).Id());
        var untagged = (await api.PostStatusAsync("Sans étiquette", "company")).Id();
        var alice = await WebBrowser.SignInAsync(_f, "alice");

        var tag = HtmlForms.Parse(await alice.PageAsync("/tags/atlas"));
        Assert.Equal("Posts tagged #atlas", tag.QuerySelector("main h1")!.TextContent.Trim());
        Assert.Equal(Enumerable.Reverse(tagged).Take(20), PostIds(tag.DocumentElement.OuterHtml));
        var older = tag.QuerySelector("p.more a")!.GetAttribute("href")!;
        Assert.StartsWith("/tags/atlas?max_id=", older, StringComparison.Ordinal);
        var rest = HtmlForms.Parse(await alice.PageAsync(older));
        Assert.Equal([tagged[1], tagged[0]], PostIds(rest.DocumentElement.OuterHtml));
        Assert.Null(rest.QuerySelector("p.more a"));

        var home = await alice.PageAsync("/");
        Assert.Equal([untagged, .. Enumerable.Reverse(tagged).Take(19)], PostIds(home));
        Assert.Equal(PostIds(home), PostIds(await alice.PageAsync("/?max_id="))); // an empty cursor is the first page
        var homeOlder = HtmlForms.Parse(home).QuerySelector("p.more a")!.GetAttribute("href")!;
        Assert.Equal([tagged[2], tagged[1], tagged[0]], PostIds(await alice.PageAsync(homeOlder)));
    }

    [Fact]
    public async Task The_new_posts_banner_counts_what_arrived_since_the_page_was_drawn()
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        await alice.SubmitAsync("/", "/web/compose", ("status", "un"), ("audience", "company"));
        var home = HtmlForms.Parse(await alice.PageAsync("/"));
        var poll = home.QuerySelector("#new-posts")!.GetAttribute("hx-get")!;
        Assert.Equal("", (await alice.PageAsync(poll)).Trim());
        await alice.SubmitAsync("/", "/web/compose", ("status", "deux"), ("audience", "company"));
        await alice.SubmitAsync("/", "/web/compose", ("status", "trois"), ("audience", "company"));
        Assert.Contains("2 new posts", await alice.PageAsync(poll), StringComparison.Ordinal);
        await alice.PageAsync("/?handler=new&since_id=%27%3B--"); // a cursor that is not an id counts from the start, without error
    }

    [Fact]
    public async Task The_admin_area_is_for_administrators_and_changes_roles_suspends_and_creates_teams()
    {
        await _f.CreateUserAsync("root", AccountRole.Admin);
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        await alice.PageAsync("/admin", HttpStatusCode.NotFound);

        var root = await WebBrowser.SignInAsync(_f, "root");
        var page = HtmlForms.Parse(await root.PageAsync("/admin?q=ali"));
        var aliceId = page.QuerySelector("form[action*='handler=role'] input[name=id]")!.GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin", "/admin?handler=role", ("id", aliceId), ("role", "moderator"))).StatusCode);
        Assert.Equal(AccountRole.Moderator, (await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.FirstAsync(a => a.UserName == "alice"))).Role);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await root.SubmitAsync("/admin", "/admin?handler=role", ("id", aliceId), ("role", "god"))).StatusCode);

        var created = await root.SubmitAsync("/admin", "/admin?handler=createTeam", ("handle", "ops"), ("name", "Opérations"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var bad = await root.SubmitAsync("/admin", "/admin?handler=createTeam", ("handle", "<b>x</b>"), ("name", "Bad"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal("<b>x</b>", HtmlForms.Parse(await bad.Content.ReadAsStringAsync()).QuerySelector("#team-handle")!.GetAttribute("value"));
        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin", "/admin?handler=addMember", ("team", "ops"), ("username", "alice"), ("lead", "true"))).StatusCode);
        Assert.Contains("Opérations", await alice.PageAsync("/teams"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await root.SubmitAsync("/admin", "/admin?handler=suspend", ("id", aliceId))).StatusCode);
        var afterSuspension = await alice.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, afterSuspension.StatusCode);
        Assert.StartsWith("/auth/sign_in", afterSuspension.Headers.Location!.PathAndQuery.Length > 0 ? afterSuspension.Headers.Location.AbsolutePath : "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autocompletion_suggests_only_people_teams_and_tags_the_author_may_see()
    {
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("albert");
        await _f.CreatePartnerAsync("nordlys");
        await _f.CreateUserAsync("alien", partner: "nordlys");
        await _f.CreateTeamAsync("alpha", "albert");
        var albert = await WebBrowser.SignInAsync(_f, "albert");
        await albert.SubmitAsync("/", "/web/compose", ("status", "#alphasecret"), ("audience", "team:alpha"));
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var people = await alice.PageAsync("/web/autocomplete?q=%40al");
        Assert.Contains("@albert", people, StringComparison.Ordinal);
        Assert.Contains("@alpha", people, StringComparison.Ordinal);
        Assert.Equal("[]", await alice.PageAsync("/web/autocomplete?q=%23alpha"));
        Assert.Contains("#alphasecret", await albert.PageAsync("/web/autocomplete?q=%23alpha"), StringComparison.Ordinal);
        foreach (var q in new[] { "", "@", "%27%20OR%201%3D1", new string('a', 5000), "%40%E2%80%AE" })
            Assert.Equal("[]", await alice.PageAsync("/web/autocomplete?q=" + q));
        var guest = WebBrowser.Anonymous(_f);
        Assert.Equal(HttpStatusCode.Redirect, (await guest.Http.GetAsync("/web/autocomplete?q=%40al")).StatusCode);
    }

    [Fact]
    public async Task Pages_a_reader_may_not_see_or_that_do_not_exist_answer_a_polite_404_in_their_language()
    {
        await _f.CreateUserAsync("alice");
        var alice = await WebBrowser.SignInAsync(_f, "alice", "fr");
        foreach (var url in new[] { "/nope", "/@nobody", "/@alice/123", "/@alice/999999999999/history", "/teams/%3Cscript%3E", "/web/statuses/1/edit" })
        {
            var html = await alice.PageAsync(url, HttpStatusCode.NotFound);
            Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        }
        var french = HtmlForms.Parse(await alice.PageAsync("/nope", HttpStatusCode.NotFound));
        Assert.Equal("Page introuvable", french.QuerySelector("h1")!.TextContent);
        var anonymous = await WebBrowser.Anonymous(_f).Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal("/auth/sign_in", anonymous.Headers.Location!.AbsolutePath);
    }
}
