using System.Net;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>The Leak Guard in the web app: tips as you type, justification of a warning, held posts and the moderation page.</summary>
public sealed class WebLeakGuardTests : IAsyncLifetime
{
    private const string Confidential = "Document confidentiel, ne pas diffuser.";
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        await _f.CreateUserAsync("alice");
        await _f.CreateUserAsync("bob");
        await _f.CreateUserAsync("mod", AccountRole.Moderator);
        await _f.CreateTeamAsync("ops", "alice");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private Task<int> PublishedAsync(string text) =>
        _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Statuses.CountAsync(s => s.Text == text && s.State == StatusState.Published));

    /// <summary>What htmx sends as the author types: the compose form's fields to the check handler.</summary>
    private static Task<HttpResponseMessage> CheckAsync(WebBrowser browser, string text, string audience) =>
        browser.SendFormAsync("/", "/web/compose", "/web/compose?handler=check", htmx: true, ("status", text), ("audience", audience));

    [Fact]
    public async Task Tips_highlight_the_finding_explain_it_and_offer_the_narrower_audience()
    {
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var answer = await CheckAsync(alice, "Pour info : " + Confidential, "company");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var tips = HtmlForms.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal("confidentiel", tips.QuerySelector("mark.finding")!.TextContent, ignoreCase: true);
        Assert.Contains("Check before publishing", tips.QuerySelector(".tips-verdict")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(tips.QuerySelector("a[href^='/help/leak-guard#']"));
        Assert.Null(tips.QuerySelector("[data-set-audience]")); // a confidentiality marker is checked in every audience

        var money = HtmlForms.Parse(await (await CheckAsync(alice, "On a signé pour 2 millions d'euros cette semaine.", "partners:ops")).Content.ReadAsStringAsync());
        Assert.Equal("company", money.QuerySelector("[data-set-audience]")?.GetAttribute("data-set-audience"));
        Assert.Contains("Whole company", money.QuerySelector("[data-set-audience]")!.TextContent, StringComparison.Ordinal);

        var clean = await CheckAsync(alice, "Bonne journée à tous", "company");
        Assert.Empty((await clean.Content.ReadAsStringAsync()).Trim());
        foreach (var (text, audience) in new[] { ("x", new string('a', 400)), (new string('z', 30_000), "company"), ("<script>alert(1)</script> confidentiel", "company") })
        {
            var hostile = await CheckAsync(alice, text, audience);
            Assert.Equal(HttpStatusCode.OK, hostile.StatusCode);
            Assert.DoesNotContain("<script>", await hostile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_warning_asks_for_a_justification_and_publishes_with_it()
    {
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var first = await alice.SubmitAsync("/", "/web/compose", ("status", Confidential), ("audience", "company"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, first.StatusCode);
        var html = await first.Content.ReadAsStringAsync();
        var doc = HtmlForms.Parse(html);
        Assert.NotNull(doc.QuerySelector("#compose textarea[name=leak_guard_override]"));
        Assert.NotNull(doc.QuerySelector("#compose-tips mark.finding"));
        Assert.Equal(Confidential, doc.QuerySelector("#compose-text")!.TextContent.TrimStart('\n'));
        Assert.Equal(0, await PublishedAsync(Confidential));

        var fields = HtmlForms.HiddenFields(html, "/web/compose");
        fields.AddRange([new("status", Confidential), new("audience", "company"), new("leak_guard_override", "Le document est public depuis hier")]);
        var second = await alice.Http.PostAsync("/web/compose", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(1, await PublishedAsync(Confidential));
    }

    [Fact]
    public async Task A_held_post_waits_on_its_page_until_a_moderator_approves_it_from_the_queue()
    {
        var alice = await WebBrowser.SignInAsync(_f, "alice");
        var text = "Mon IBAN " + LeakGuardWorld.Iban + " pour le remboursement.";
        var posted = await alice.SubmitAsync("/", "/web/compose", ("status", text), ("audience", "company"));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var page = posted.Headers.Location!.OriginalString;
        Assert.Contains("review", HtmlForms.Parse(await alice.PageAsync(page)).QuerySelector(".pending")!.TextContent, StringComparison.Ordinal);

        var bob = await WebBrowser.SignInAsync(_f, "bob");
        await bob.PageAsync(page, HttpStatusCode.NotFound);
        await bob.PageAsync("/moderation", HttpStatusCode.NotFound);

        var mod = await WebBrowser.SignInAsync(_f, "mod");
        var queue = HtmlForms.Parse(await mod.PageAsync("/moderation"));
        var held = Assert.Single(queue.QuerySelectorAll("section.held"));
        Assert.NotNull(held.QuerySelector("mark.finding-iban"));
        var id = held.QuerySelector("input[name=id]")!.GetAttribute("value")!;
        var emptyReason = await mod.SubmitAsync("/moderation", "/moderation?handler=reject", ("id", id), ("reason", " "));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, emptyReason.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await mod.SubmitAsync("/moderation", "/moderation?handler=approve", ("id", id))).StatusCode);
        Assert.Contains("remboursement", await bob.PageAsync(page), StringComparison.Ordinal);
        Assert.Empty(HtmlForms.Parse(await mod.PageAsync("/moderation")).QuerySelectorAll("section.held"));
    }

    [Fact]
    public async Task A_blocked_post_says_why_without_offering_to_publish_anyway()
    {
        var alice = await WebBrowser.SignInAsync(_f, "alice", "fr");
        var text = "Le token de prod est " + LeakGuardWorld.Secret + " pour info.";
        var answer = await alice.SubmitAsync("/", "/web/compose", ("status", text), ("audience", "team:ops"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var doc = HtmlForms.Parse(await answer.Content.ReadAsStringAsync());
        Assert.StartsWith("Non publié", doc.QuerySelector("#compose-error")!.TextContent, StringComparison.Ordinal);
        Assert.Null(doc.QuerySelector("textarea[name=leak_guard_override]"));
        Assert.DoesNotContain(LeakGuardWorld.Secret, doc.QuerySelector("#compose-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await PublishedAsync(text));
    }

    [Fact]
    public async Task The_help_page_explains_every_finding_type_in_both_languages()
    {
        var french = HtmlForms.Parse(await WebBrowser.Anonymous(_f, "fr").PageAsync("/help/leak-guard"));
        var english = HtmlForms.Parse(await WebBrowser.Anonymous(_f, "en").PageAsync("/help/leak-guard"));
        Assert.Equal(18, french.QuerySelectorAll("section.help-section").Length);
        Assert.Equal("Mot de passe ou clé", french.QuerySelector("#secret h2")!.TextContent);
        Assert.Equal("Password or key", english.QuerySelector("#secret h2")!.TextContent);
        Assert.DoesNotContain("LeakGuard.", english.Body!.TextContent, StringComparison.Ordinal);
    }
}
