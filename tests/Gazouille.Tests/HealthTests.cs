using System.Net;

namespace Gazouille.Tests;

/// <summary>Liveness, readiness and the Prometheus metrics of one node (without Redis).</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync() => _f = await GazouilleFactory.StartAsync();

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Live_and_ready_answer_healthy_with_the_database_checked()
    {
        var live = await _f.Client().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", (await live.JsonAsync()).Str("status"));
        var ready = await (await _f.Client().GetAsync("/health/ready")).OkJsonAsync();
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").Str("status"));
    }

    [Fact]
    public async Task Metrics_count_posts_and_Leak_Guard_decisions_for_Prometheus()
    {
        var (_, alice) = await _f.SignedInAsync("alice");
        await alice.PostStatusAsync("Une mesure", "company");
        string text = "";
        // The exporter collects on scrape; the first scrape can precede the meters' first export.
        for (var i = 0; i < 10 && !text.Contains("gazouille_posts_published", StringComparison.Ordinal); i++)
        {
            var metrics = await _f.Client().GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            text = await metrics.Content.ReadAsStringAsync();
            if (!text.Contains("gazouille_posts_published", StringComparison.Ordinal)) await Task.Delay(500);
        }
        Assert.Contains("gazouille_posts_published", text);
        Assert.Contains("gazouille_leak_guard_decisions", text);
        Assert.Contains("decision=\"allow\"", text);
    }

    [Fact]
    public async Task Metrics_are_refused_to_remote_addresses_by_default()
    {
        var response = await _f.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        });
        Assert.Equal(404, response.Response.StatusCode);
    }
}
