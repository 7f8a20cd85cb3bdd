using System.Net;

namespace Gazouille.Tests;

public sealed class InstanceApiTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Instance_v1_and_v2_report_mastodon_compatibility_and_stats()
    {
        await _f.SignedInAsync("alice");
        var anonymous = _f.Client();
        var v1 = await anonymous.GetOkAsync("/api/v1/instance");
        Assert.StartsWith("4.2.0 (compatible; Gazouille", v1.Str("version"), StringComparison.Ordinal);
        Assert.Equal(1, v1.GetProperty("stats").Int("user_count"));
        var v2 = await anonymous.GetOkAsync("/api/v2/instance");
        Assert.StartsWith("4.2.0 (compatible; Gazouille", v2.Str("version"), StringComparison.Ordinal);
        var nodeinfo = await anonymous.GetOkAsync("/.well-known/nodeinfo");
        var href = new Uri(nodeinfo.GetProperty("links")[0].Str("href"));
        Assert.Equal("2.0", (await anonymous.GetOkAsync(href.PathAndQuery)).Str("version"));
        await anonymous.GetOkAsync("/.well-known/oauth-authorization-server");
    }

    [Fact]
    public async Task Preferences_and_empty_collections_answer_for_a_signed_in_client()
    {
        var (_, alice) = await _f.SignedInAsync("alice");
        var prefs = await alice.GetOkAsync("/api/v1/preferences");
        Assert.True(prefs.TryGetProperty("posting:default:visibility", out _));
        await (await _f.Client().GetAsync("/api/v1/preferences")).ErrorAsync(HttpStatusCode.Unauthorized);
        foreach (var path in new[] { "/api/v1/custom_emojis", "/api/v1/lists", "/api/v1/filters", "/api/v1/markers" })
            await alice.GetOkAsync(path);
    }
}
