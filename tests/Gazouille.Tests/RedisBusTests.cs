using System.Net.Http.Json;

namespace Gazouille.Tests;

/// <summary>
/// The Redis event bus against a real redis-server: two server instances on one data folder and one Redis behave as
/// two nodes; a post on one reaches a stream on the other, and readiness reports Redis.
/// </summary>
public sealed class RedisBusTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private GazouilleFactory _a = null!;
    private GazouilleFactory _b = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["Gazouille:Redis"] = _redis.Address };
        _a = await GazouilleFactory.StartAsync(settings);
        _b = await GazouilleFactory.StartAsync(settings, data: _a.Data);
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_post_on_node_A_reaches_a_stream_on_node_B()
    {
        var (_, alice) = await _a.SignedInAsync("alice");
        var bobId = await _a.CreateUserAsync("bob");
        var bobOnB = _b.Client(await _a.TokenAsync(bobId));
        await using var stream = await SseStream.OpenAsync(bobOnB, "/api/v1/streaming/company");
        var post = await alice.PostStatusAsync("Bonjour depuis le nœud A", "company");
        var e = (await stream.NextAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("update", e.Event);
        Assert.Equal(post.Id(), e.Json.Id());
    }

    [Fact]
    public async Task Readiness_checks_the_database_and_Redis()
    {
        var ready = await _b.Client().GetAsync("/health/ready");
        var body = await ready.JsonAsync();
        Assert.True(ready.IsSuccessStatusCode, body.ToString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("redis").Str("status"));
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").Str("status"));
    }

    [Fact]
    public async Task Readiness_fails_when_Redis_is_gone()
    {
        await _redis.DisposeAsync();
        var ready = await _a.Client().GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", (await ready.JsonAsync()).GetProperty("checks").GetProperty("redis").Str("status"));
        // The process itself is alive.
        Assert.True((await _a.Client().GetAsync("/health/live")).IsSuccessStatusCode);
    }
}
