using System.Net.Http.Json;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// A small company for the Leak Guard specifications: alice (the author, English), bob (her teammate in @ops),
/// carol (follows alice), mod (moderator), root (admin), and gina, a guest of the partner org acme that @ops grants.
/// </summary>
public sealed class LeakGuardWorld : IAsyncDisposable
{
    public const string Iban = "FR76 3000 6000 0112 3456 7890 189";
    public const string Secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

    public required GazouilleFactory Factory { get; init; }
    public required HttpClient Alice { get; init; }
    public required HttpClient Bob { get; init; }
    public required HttpClient Carol { get; init; }
    public required HttpClient Mod { get; init; }
    public required HttpClient Root { get; init; }
    public required HttpClient Gina { get; init; }
    public required HttpClient Anonymous { get; init; }
    public required long AliceId { get; init; }
    public required long GinaId { get; init; }
    public required long BobId { get; init; }

    public IEnumerable<(string Name, HttpClient Client)> Others =>
        [("bob", Bob), ("carol", Carol), ("mod", Mod), ("root", Root), ("gina", Gina), ("anonymous", Anonymous)];

    public static async Task<LeakGuardWorld> CreateAsync(Dictionary<string, string?>? settings = null)
    {
        var factory = await GazouilleFactory.StartAsync(settings ?? new() { ["Gazouille:Audiences:PublicEnabled"] = "true" });
        var (aliceId, alice) = await factory.SignedInAsync("alice");
        var (bobId, bob) = await factory.SignedInAsync("bob");
        var (_, carol) = await factory.SignedInAsync("carol");
        var (_, mod) = await factory.SignedInAsync("mod", AccountRole.Moderator);
        var (_, root) = await factory.SignedInAsync("root", AccountRole.Admin);
        await factory.CreateTeamAsync("ops", "alice", "bob");
        await factory.CreatePartnerAsync("acme");
        await factory.GrantAsync("ops", "acme");
        var (ginaId, gina) = await factory.SignedInAsync("gina", partner: "acme");
        (await carol.PostAsync($"/api/v1/accounts/{aliceId}/follow", null)).EnsureSuccessStatusCode();
        (await gina.PostAsync("/api/v1/gazouille/teams/ops/follow", null)).EnsureSuccessStatusCode();
        await factory.WithScopeAsync<object?>(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            await db.Users.Where(a => a.Id == aliceId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, "en"));
            return null;
        });
        return new LeakGuardWorld
        {
            Factory = factory, Alice = alice, Bob = bob, Carol = carol, Mod = mod, Root = root, Gina = gina, Anonymous = factory.Client(),
            AliceId = aliceId, GinaId = ginaId, BobId = bobId,
        };
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string text, string? audience, string? justification = null, string? inReplyTo = null)
    {
        var body = new Dictionary<string, string> { ["status"] = text };
        if (audience is not null) body["audience"] = audience;
        if (justification is not null) body["leak_guard_override"] = justification;
        if (inReplyTo is not null) body["in_reply_to_id"] = inReplyTo;
        return client.PostAsJsonAsync("/api/v1/statuses", body);
    }

    public Task<List<(string Action, string Subject, JsonElement Details, string Actor)>> AuditAsync() =>
        Factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            return (await db.AuditEntries.AsNoTracking().OrderBy(e => e.Seq).ToListAsync())
                .Select(e => (e.Action, e.Subject, JsonDocument.Parse(e.Details).RootElement.Clone(), e.Actor)).ToList();
        });

    public Task<int> CountAsync<T>() where T : class =>
        Factory.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().Set<T>().CountAsync());

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
