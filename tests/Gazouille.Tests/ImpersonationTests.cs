using System.Net;
using System.Net.Http.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Trust;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>Nobody passes for an official account or a verified partner organization, whatever Unicode trick they try.</summary>
public sealed class ImpersonationTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!;

    /// <summary>Look-alikes of the official account "Gazouille" and of the verified org "Nordlys Studio".</summary>
    public static readonly string[] LookAlikes =
    [
        "Gaz\u043Euille",                 // Cyrillic о among Latin letters
        "Gaz\u200Douille",                // zero-width joiner
        "Gazou\u200Bille",                // zero-width space
        "\uFF27\uFF41\uFF5A\uFF4F\uFF55\uFF49\uFF4C\uFF4C\uFF45", // full-width Ｇａｚｏｕｉｌｌｅ
        "G a z o u i l l e",              // spaced letters
        "G.a.z.o.u.i.l.l.e",
        "gazouille-officiel",
        "Gazouille Officiel 🐦",          // the name with words and an emoji
        "GAZOUILLE ✅",
        "Gázouillé",                       // accents
        "Nordlys Studio",
        "NORDLYS  studio (compte officiel)",
        "N\u043Erdlys Studi\u043E",
    ];

    /// <summary>Ordinary French and English names that must pass.</summary>
    public static readonly string[] OrdinaryNames =
    [
        "Marie Dupont", "Jean-Luc Martin", "Émilie Nguyễn", "François Gazeau", "Louise O'Neil", "Chloé Lefèvre", "Kevin Smith",
        "Sarah Connor", "Zoë Brun", "Hugo Ouillé", "Ingrid Nord", "Studio Photo Lyon", "Gaspard Zouari", "Amélie Poulain 🌻",
        "Nicolas Lys", "Gaëlle Le Gall", "Olivia Wilde", "Thomas Müller", "Åsa Nordström", "José García", "李雷", "Дмитрий Иванов",
    ];

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync(new() { ["Gazouille:SignUp:Mode"] = "domains", ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example" });
        await _f.WithScopeAsync<object?>(async sp =>
        {
            var (account, _, error) = await sp.GetRequiredService<AccountDirectory>().CreateAsync(
                new NewAccount("gazouille", "gazouille@corp.example", "Gazouille", AccountRole.Employee, null, "correct horse battery") { Official = true });
            Assert.True(account is { Official: true }, error);
            var db = sp.GetRequiredService<GazouilleDb>();
            db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = "nordlys", Name = "Nordlys Studio", Verified = true, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            return null;
        });
        await _f.CreatePartnerAsync("acme");
        (_, _alice) = await _f.SignedInAsync("alice");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private Task<string?> CreateAsync(string username, string displayName, string? partner = null) =>
        _f.WithScopeAsync(async sp => (await sp.GetRequiredService<AccountDirectory>().CreateAsync(
            new NewAccount(username, $"{username}@corp.example", displayName, AccountRole.Employee, partner, "correct horse battery"))).Error);

    [Fact]
    public async Task Look_alike_names_are_refused_with_a_reason_at_account_creation_sign_up_and_profile_edits()
    {
        var users = await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.CountAsync());
        var i = 0;
        foreach (var name in LookAlikes)
        {
            i++;
            // The CLI's create-user and the demo go through the account directory.
            Assert.Equal(ImpersonationGuard.Refusal, await CreateAsync($"person{i}", name));

            var signUp = await _f.Client().PostAsync("/api/v1/accounts", JsonContent.Create(new Dictionary<string, string>
            {
                ["username"] = $"signup{i}", ["email"] = $"signup{i}@corp.example", ["password"] = "long enough password", ["agreement"] = "true", ["display_name"] = name,
            }));
            Assert.Equal("Validation failed: " + ImpersonationGuard.Refusal, await signUp.ErrorAsync(HttpStatusCode.UnprocessableEntity));

            var edit = await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", name)));
            Assert.Contains("official account", await edit.ErrorAsync(HttpStatusCode.UnprocessableEntity), StringComparison.Ordinal);
        }
        Assert.Equal(users, await _f.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Users.CountAsync()));
        Assert.Equal("alice", (await _alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("display_name"));

        foreach (var username in new[] { "gazouille_officiel", "Gazouille2", "g4zou1lle", "nordlys_studio" })
            Assert.Equal(ImpersonationGuard.Refusal, await CreateAsync(username, "Quelqu'un"));
    }

    [Fact]
    public async Task The_web_pages_refuse_a_look_alike_in_the_persons_language()
    {
        var browser = await WebBrowser.SignInAsync(_f, "alice", "fr");
        var refused = await browser.SubmitAsync("/settings/profile", "/settings/profile", ("DisplayName", "G a z o u i l l e"), ("Bio", ""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("ressemble à celui d&#x27;un compte officiel", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var english = WebBrowser.Anonymous(_f);
        var signUp = await english.SubmitAsync("/auth/sign_up", "/auth/sign_up",
            ("username", "webby"), ("email", "webby@corp.example"), ("password", "long enough password"), ("display_name", "Ｇａｚｏｕｉｌｌｅ"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, signUp.StatusCode);
        Assert.Contains("looks like an official account", await signUp.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var french = WebBrowser.Anonymous(_f, "fr");
        var signUpFr = await french.SubmitAsync("/auth/sign_up", "/auth/sign_up",
            ("username", "webby"), ("email", "webby@corp.example"), ("password", "long enough password"), ("display_name", "Nordlys Studio"));
        Assert.Contains("ressemble à celui d&#x27;un compte officiel", await signUpFr.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ordinary_names_pass_and_official_accounts_and_their_own_orgs_guests_are_exempt()
    {
        var i = 0;
        foreach (var name in OrdinaryNames)
        {
            Assert.Null(await _f.WithScopeAsync(sp => sp.GetRequiredService<ImpersonationGuard>().CheckAsync(null, null, [name], default)));
            if (i++ % 4 == 0)
                Assert.Equal(name, (await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", name)))).OkJsonAsync()).Str("display_name"));
        }
        Assert.Null(await CreateAsync("marie", "Marie Dupont"));

        var official = _f.Client(await _f.WithScopeAsync(async sp =>
            await Gazouille.Features.OAuth.PersonalAccessTokens.CreateAsync(sp.GetRequiredService<GazouilleDb>(),
                (await sp.GetRequiredService<GazouilleDb>().Users.SingleAsync(a => a.UserName == "gazouille")).Id, ["read", "write"], "test")));
        Assert.Equal("Gazouille — compte officiel", (await (await official.PatchAsync("/api/v1/accounts/update_credentials",
            ApiAssert.Form(("display_name", "Gazouille — compte officiel")))).OkJsonAsync()).Str("display_name"));

        // A guest may carry its own verified org's name; a guest of another org may not.
        Assert.Null(await CreateAsync("ingrid", "Ingrid · Nordlys Studio", partner: "nordlys"));
        Assert.Equal(ImpersonationGuard.Refusal, await CreateAsync("mallory", "Mallory · Nordlys Studio", partner: "acme"));
    }

    [Fact]
    public async Task The_apis_refusal_follows_the_accounts_language_then_accept_language_then_english()
    {
        var fr = _f.Client();
        fr.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr-CA, en;q=0.5");
        var signUp = await fr.PostAsync("/api/v1/accounts", JsonContent.Create(new Dictionary<string, string>
        {
            ["username"] = "lucie", ["email"] = "lucie@corp.example", ["password"] = "long enough password", ["agreement"] = "true", ["display_name"] = "G\u0430zouille",
        }));
        Assert.Equal("Validation failed: " + ImpersonationGuard.RefusalFr, await signUp.ErrorAsync(HttpStatusCode.UnprocessableEntity));
        // The locale sent with the sign-up wins over the header.
        var english = await fr.PostAsync("/api/v1/accounts", JsonContent.Create(new Dictionary<string, string>
        {
            ["username"] = "lucie", ["email"] = "lucie@corp.example", ["password"] = "long enough password", ["agreement"] = "true",
            ["display_name"] = "Gazouille", ["locale"] = "en",
        }));
        Assert.Equal("Validation failed: " + ImpersonationGuard.Refusal, await english.ErrorAsync(HttpStatusCode.UnprocessableEntity));

        // The account's own language wins over Accept-Language; a hostile header changes nothing.
        var (bobId, bob) = await _f.SignedInAsync("bob_fr");
        await _f.WithScopeAsync<object?>(async sp =>
        {
            await sp.GetRequiredService<GazouilleDb>().Users.Where(a => a.Id == bobId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, "fr"));
            return null;
        });
        bob.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", "en;q=1, <script>, ;;;,");
        var edit = await bob.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", "Ｇａｚｏｕｉｌｌｅ")));
        Assert.Equal("Validation failed: " + ImpersonationGuard.RefusalFr, await edit.ErrorAsync(HttpStatusCode.UnprocessableEntity));
        var junk = _f.Client();
        junk.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", ";;;, *, <script>");
        var plain = await junk.PostAsync("/api/v1/accounts", JsonContent.Create(new Dictionary<string, string>
        {
            ["username"] = "lucie", ["email"] = "lucie@corp.example", ["password"] = "long enough password", ["agreement"] = "true", ["display_name"] = "Gazouille",
        }));
        Assert.Equal("Validation failed: " + ImpersonationGuard.Refusal, await plain.ErrorAsync(HttpStatusCode.UnprocessableEntity));
    }
}
