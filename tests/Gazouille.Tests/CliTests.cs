using System.Diagnostics;
using System.Net;

namespace Gazouille.Tests;

/// <summary>
/// The <c>gazouille admin</c> commands, run as the real executable on an empty data folder and database (SQLite, or
/// PostgreSQL through --database postgres --connection): the first command applies the migrations.
/// </summary>
public sealed class CliTests : IAsyncLifetime
{
    private TestData _data = null!;

    public async ValueTask InitializeAsync() => _data = await TestData.CreateAsync(empty: true);

    public async ValueTask DisposeAsync() => await _data.DisposeAsync();

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gazouille.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var a in _data.CliArguments) start.ArgumentList.Add(a);
        start.Environment["Gazouille__RateLimits__Enabled"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static void Succeeded((int Exit, string Out, string Err) r) => Assert.True(r.Exit == 0, $"exit {r.Exit}\n{r.Out}\n{r.Err}");

    private static void FailedWithASentence((int Exit, string Out, string Err) r)
    {
        Assert.True(r.Exit != 0, $"expected a failure, got exit 0\n{r.Out}");
        Assert.False(string.IsNullOrWhiteSpace(r.Err), "nothing on stderr");
        ApiAssert.NoLeakOfInternals(r.Err);
    }

    [Fact]
    public async Task Admin_commands_build_a_world_whose_token_works_against_the_server()
    {
        var user = await RunAsync("admin", "create-user", "--username", "alice", "--email", "alice@example.test", "--password", "correct horse battery");
        Succeeded(user);
        Assert.Contains("@alice", user.Out, StringComparison.Ordinal);
        Succeeded(await RunAsync("admin", "create-user", "--username", "bob", "--email", "bob@example.test"));
        Succeeded(await RunAsync("admin", "create-team", "--handle", "atlas", "--name", "Atlas", "--member", "alice"));
        Succeeded(await RunAsync("admin", "add-member", "--team", "atlas", "--username", "bob", "--lead"));
        Succeeded(await RunAsync("admin", "create-partner", "--handle", "acme", "--name", "Acme Corp", "--domain", "acme.example"));
        Succeeded(await RunAsync("admin", "grant", "--team", "atlas", "--partner", "acme"));
        Succeeded(await RunAsync("admin", "create-user", "--username", "gina", "--email", "gina@acme.example", "--partner", "acme"));
        var token = await RunAsync("admin", "create-token", "--username", "alice", "--scopes", "read write");
        Succeeded(token);
        var bearer = token.Out.Trim().Split('\n')[^1].Trim();

        await using (var server = await GazouilleFactory.StartAsync(data: _data))
        {
            var alice = server.Client(bearer);
            Assert.Equal("alice", (await alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
            Assert.Equal(2, (await alice.GetOkAsync("/api/v1/gazouille/teams/atlas")).Int("members_count"));
            var post = await alice.PostStatusAsync("for acme", "partners:atlas");
            Assert.Equal("partners:atlas", post.Str("audience"));
        }

        Succeeded(await RunAsync("admin", "revoke", "--team", "atlas", "--partner", "acme"));
        FailedWithASentence(await RunAsync("admin", "revoke", "--team", "atlas", "--partner", "acme"));
    }

    [Fact]
    public async Task Bad_input_fails_with_a_sentence_on_stderr_and_a_non_zero_exit()
    {
        Succeeded(await RunAsync("admin", "create-user", "--username", "alice", "--email", "alice@example.test"));
        FailedWithASentence(await RunAsync("admin", "create-user", "--username", "alice", "--email", "alice2@example.test"));
        FailedWithASentence(await RunAsync("admin", "create-user", "--username", "bad name!", "--email", "x@example.test"));
        FailedWithASentence(await RunAsync("admin", "create-user", "--username", "eve", "--email", "not-an-email"));
        FailedWithASentence(await RunAsync("admin", "create-user", "--username", "eve", "--email", "eve@example.test", "--role", "emperor"));
        FailedWithASentence(await RunAsync("admin", "create-user", "--username", "eve", "--email", "eve@example.test", "--partner", "nope"));
        FailedWithASentence(await RunAsync("admin", "create-user", "--email", "eve@example.test"));
        FailedWithASentence(await RunAsync("admin", "create-team", "--handle", "atlas", "--name", "Atlas", "--member", "ghost"));
        FailedWithASentence(await RunAsync("admin", "create-team", "--handle", "Bad Handle!", "--name", "Atlas"));
        FailedWithASentence(await RunAsync("admin", "add-member", "--team", "nope", "--username", "alice"));
        FailedWithASentence(await RunAsync("admin", "create-token", "--username", "ghost"));
        FailedWithASentence(await RunAsync("admin", "create-token", "--username", "alice", "--scopes", "read admin:all"));
        FailedWithASentence(await RunAsync("admin", "create-partner", "--handle", "Bad Org", "--name", "X"));
        FailedWithASentence(await RunAsync("admin", "create-partner", "--handle", "acme", "--name", "Acme", "--domain", "not a domain"));
        FailedWithASentence(await RunAsync("admin", "grant", "--team", "nope", "--partner", "nope"));
        FailedWithASentence(await RunAsync("admin", "no-such-command"));
    }

    [Fact]
    public async Task Generate_fills_an_empty_folder_with_a_world_whose_tokens_read_a_full_home_and_refuses_to_fill_it_twice()
    {
        FailedWithASentence(await RunAsync("admin", "generate", "--users", "0"));
        FailedWithASentence(await RunAsync("admin", "generate", "--users", "abc"));
        FailedWithASentence(await RunAsync("admin", "generate", "--users", "10", "--follows-per-user", "10"));
        FailedWithASentence(await RunAsync("admin", "generate", "--users", "10", "--posts", "-1"));
        var tokens = Path.Combine(_data.Directory, "tokens.txt");
        var made = await RunAsync("admin", "generate", "--users", "40", "--posts", "400", "--tokens", "2", "--tokens-file", tokens);
        Succeeded(made);
        Assert.Contains("Generated 40 users", made.Out, StringComparison.Ordinal);
        var lines = File.ReadAllLines(tokens);
        Assert.Equal(2, lines.Length);
        var (username, bearer) = (lines[0].Split(' ')[0], lines[0].Split(' ')[1]);

        await using (var server = await GazouilleFactory.StartAsync(data: _data))
        {
            var reader = server.Client(bearer);
            Assert.Equal(username, (await reader.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
            var home = await reader.GetOkAsync("/api/v1/timelines/home?limit=40");
            Assert.Equal(40, home.GetArrayLength());
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/accounts/lookup?acct=user40")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/v1/accounts/lookup?acct=user41")).StatusCode);
        }

        FailedWithASentence(await RunAsync("admin", "generate", "--users", "40"));
    }

    [Fact]
    public async Task A_team_description_that_would_leak_to_partners_is_refused_with_the_reason_and_no_team_is_made()
    {
        // Guests of partner organizations read team descriptions, so the Leak Guard judges them as partners would.
        var refused = await RunAsync("admin", "create-team", "--handle", "ops", "--name", "Ops",
            "--description", "Astreinte : appelez Jean au 06 12 34 56 78");
        FailedWithASentence(refused);
        Assert.Contains("description", refused.Err, StringComparison.OrdinalIgnoreCase);
        Succeeded(await RunAsync("admin", "create-user", "--username", "alice", "--email", "alice@example.test"));
        FailedWithASentence(await RunAsync("admin", "add-member", "--team", "ops", "--username", "alice"));
        // A plain description is fine.
        Succeeded(await RunAsync("admin", "create-team", "--handle", "ops", "--name", "Ops", "--description", "Infrastructure et astreintes."));
        Succeeded(await RunAsync("admin", "add-member", "--team", "ops", "--username", "alice"));
    }
}
