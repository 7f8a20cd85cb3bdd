using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Gazouille.Tests;

/// <summary>The instance's Leak Guard policy: stored in the database, set by admins through the API or the CLI.</summary>
public sealed class LeakGuardPolicyTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync(new()
    {
        // Another process (the CLI) changes the policy: look for it at every check in this test server.
        ["Gazouille:LeakGuard:PolicyRefreshSeconds"] = "0",
    });

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private static StringContent Body(string text, string type) => new(text, Encoding.UTF8, type);

    private async Task<string> DecisionAsync(string text, string audience) =>
        (await _w.Alice.PostOkAsync("/api/v1/gazouille/leak_guard/check", new { text, audience })).Str("decision");

    [Fact]
    public async Task Admins_replace_the_policy_in_json_or_yaml_and_it_applies_at_once()
    {
        var empty = await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy");
        Assert.Equal(0, empty.Int("version"));
        Assert.Equal("allow", await DecisionAsync("Réunion avec Zorglub demain.", "partners:ops"));

        var json = await (await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy",
            Body("""{"dictionaries": {"client": ["Zorglub"]}}""", "application/json"))).OkJsonAsync();
        Assert.Equal(1, json.Int("version"));
        Assert.Equal(1, json.Int("terms"));
        Assert.Equal("warn", await DecisionAsync("Réunion avec Zorglub demain.", "partners:ops"));

        var yaml = await (await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy",
            Body("dictionaries:\n  project: [\"Hyperion\"]\n", "application/yaml"))).OkJsonAsync();
        Assert.Equal(2, yaml.Int("version"));
        Assert.Equal("yaml", yaml.Str("format"));
        Assert.Equal("allow", await DecisionAsync("Réunion avec Zorglub demain.", "partners:ops"));
        Assert.Equal("warn", await DecisionAsync("Le projet Hyperion avance.", "partners:ops"));

        var current = await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy");
        Assert.Equal(2, current.Int("version"));
        Assert.Contains("Hyperion", current.Str("document"), StringComparison.Ordinal);
        Assert.Equal("@root", current.Str("changed_by"));
        var audit = await _w.AuditAsync();
        Assert.Equal(["policy:1", "policy:2"], audit.Where(a => a.Action == "policy.import").Select(a => a.Subject));
    }

    [Fact]
    public async Task A_bad_policy_is_refused_with_its_errors_and_nothing_is_saved()
    {
        await (await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy", Body("""{"dictionaries": {"client": ["Zorglub"]}}""", "application/json"))).OkJsonAsync();
        foreach (var (text, type) in new[]
        {
            ("""{"dictionaries": {"client": 5}}""", "application/json"),
            ("{\"dictionaries\": ", "application/json"),
            ("[1, 2]", "application/json"),
            ("dictionaries: [unclosed", "application/yaml"),
            ("   ", "application/json"),
        })
        {
            var response = await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy", Body(text, type));
            await response.ErrorAsync(HttpStatusCode.UnprocessableEntity);
        }
        var invalidUtf8 = new ByteArrayContent([0x7b, 0xff, 0xfe, 0x7d]);
        invalidUtf8.Headers.ContentType = new("application/json");
        await (await _w.Root.PutAsync("/api/v1/gazouille/admin/leak_guard/policy", invalidUtf8)).ErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(1, (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Int("version"));
        Assert.Equal("warn", await DecisionAsync("Réunion avec Zorglub demain.", "partners:ops"));
    }

    [Fact]
    public async Task Only_admins_see_and_change_the_policy()
    {
        foreach (var client in new[] { _w.Alice, _w.Mod, _w.Gina })
        {
            await (await client.GetAsync("/api/v1/gazouille/admin/leak_guard/policy")).ErrorAsync(HttpStatusCode.Forbidden);
            await (await client.PutAsync("/api/v1/gazouille/admin/leak_guard/policy", Body("{}", "application/json"))).ErrorAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await _w.Anonymous.GetAsync("/api/v1/gazouille/admin/leak_guard/policy")).StatusCode);
        Assert.Equal(0, (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Int("version"));
    }

    [Fact]
    public async Task The_cli_imports_a_policy_that_the_running_server_uses_and_refuses_a_bad_file()
    {
        var dir = Path.Combine(_w.Factory.DataDirectory, "policies");
        Directory.CreateDirectory(dir);
        var good = Path.Combine(dir, "policy.yaml");
        await File.WriteAllTextAsync(good, "dictionaries:\n  client:\n    - Zorglub\ninternal_domains: [corp.example]\n");
        var imported = await GazouilleCli.RunAsync(_w.Factory.Data, "admin", "policy", "import", "--file", good);
        Assert.True(imported.Exit == 0, $"exit {imported.Exit}: {imported.Out} {imported.Err}");
        Assert.Contains("version 1", imported.Out, StringComparison.Ordinal);
        Assert.Equal("warn", await DecisionAsync("Réunion avec Zorglub demain.", "partners:ops"));

        var bad = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(bad, """{"dictionaries": {"client": "not a list"}}""");
        foreach (var file in new[] { bad, Path.Combine(dir, "missing.json") })
        {
            var refused = await GazouilleCli.RunAsync(_w.Factory.Data, "admin", "policy", "import", "--file", file);
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("Nothing was saved", refused.Err, StringComparison.Ordinal);
            ApiAssert.NoLeakOfInternals(refused.Err);
        }
        Assert.Equal(1, (await _w.Root.GetOkAsync("/api/v1/gazouille/admin/leak_guard/policy")).Int("version"));
        Assert.Contains(await _w.AuditAsync(), a => a.Action == "policy.import" && a.Actor == "cli");
    }
}
