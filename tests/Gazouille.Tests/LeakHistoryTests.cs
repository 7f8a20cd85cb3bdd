using System.Net;
using System.Net.Http.Json;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>Each author's own history of Leak Guard warnings, on the web and through the API.</summary>
public sealed class LeakHistoryTests : IAsyncLifetime
{
    private const string Confidential = "Document confidentiel, ne pas diffuser.";
    private GazouilleFactory _f = null!;
    private long _alice;
    private long _bob;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        _alice = await _f.CreateUserAsync("alice");
        _bob = await _f.CreateUserAsync("bob", AccountRole.Admin);
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task An_author_sees_their_own_warnings_and_overrides_and_nobody_elses()
    {
        var alice = _f.Client(await _f.TokenAsync(_alice));
        var refused = await alice.PostAsJsonAsync("/api/v1/statuses", new { status = Confidential, audience = "company" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        await alice.PostAsJsonAsync("/api/v1/statuses", new { status = Confidential, audience = "company", leak_guard_override = "<i>Déjà public</i>" });

        var api = await (await alice.GetAsync("/api/v1/gazouille/leak_guard/history")).JsonAsync();
        Assert.Equal(["override", "warn"], api.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        Assert.All(api.EnumerateArray(), e => Assert.Equal("confidential_marker", e.GetProperty("findings")[0].GetProperty("type").GetString()));
        Assert.Equal("<i>Déjà public</i>", api[0].GetProperty("justification").GetString());
        var older = await (await alice.GetAsync($"/api/v1/gazouille/leak_guard/history?max_id={api[0].GetProperty("id").GetString()}")).JsonAsync();
        Assert.Equal("warn", Assert.Single(older.EnumerateArray()).GetProperty("action").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.GetAsync("/api/v1/gazouille/leak_guard/history?max_id=abc")).StatusCode);

        // Bob, even an admin, sees only his own (empty) history here.
        var bob = _f.Client(await _f.TokenAsync(_bob));
        Assert.Empty((await (await bob.GetAsync("/api/v1/gazouille/leak_guard/history")).JsonAsync()).EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _f.Client().GetAsync("/api/v1/gazouille/leak_guard/history")).StatusCode);

        var page = await (await WebBrowser.SignInAsync(_f, "alice", "fr")).PageAsync("/settings/leak-guard");
        var doc = HtmlForms.Parse(page);
        Assert.Equal(["override", "warn"], doc.QuerySelectorAll(".leak-history li.card").Select(li => li.GetAttribute("data-action")));
        Assert.Contains("Avertissement : publié avec votre justification", page, StringComparison.Ordinal);
        Assert.Contains("&lt;i&gt;Déjà public&lt;/i&gt;", page, StringComparison.Ordinal);
        Assert.NotNull(doc.QuerySelector("a[href='/help/leak-guard#confidential_marker']"));
        var bobPage = await (await WebBrowser.SignInAsync(_f, "bob")).PageAsync("/settings/leak-guard");
        Assert.Contains("Nothing yet", bobPage, StringComparison.Ordinal);
        Assert.Contains("href=\"/settings/leak-guard\"", await (await WebBrowser.SignInAsync(_f, "bob")).PageAsync("/settings/preferences"), StringComparison.Ordinal);
    }
}
