using System.Net.Http.Json;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gazouille.Tests;

/// <summary>
/// <c>gazouille verify</c> and the trust admin commands, as the real executable. For <c>--url</c> the test server is
/// put behind a plain HTTP listener on 127.0.0.1, so the command fetches the proof and the keys over the network.
/// </summary>
public sealed class VerifyCliTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private WebApplication _http = null!;
    private string _base = "";
    private readonly string _files = Path.Combine(Path.GetTempPath(), "gazouille-verify-tests", Guid.NewGuid().ToString("N"));
    private TestData _empty = null!;
    private TestData _instance = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync(new() { ["Gazouille:Audiences:PublicEnabled"] = "true" });
        Directory.CreateDirectory(_files);
        _empty = await TestData.CreateAsync(empty: true);
        _instance = await TestData.CreateAsync(empty: true);
        var upstream = _f.Client();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _http = builder.Build();
        _http.Run(async ctx =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ctx.Request.Path + ctx.Request.QueryString);
            if (ctx.Request.Headers.Authorization.Count > 0) request.Headers.TryAddWithoutValidation("Authorization", ctx.Request.Headers.Authorization.ToString());
            using var answer = await upstream.SendAsync(request);
            ctx.Response.StatusCode = (int)answer.StatusCode;
            ctx.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await answer.Content.CopyToAsync(ctx.Response.Body);
        });
        await _http.StartAsync();
        _base = _http.Urls.First();
    }

    public async ValueTask DisposeAsync()
    {
        await _http.StopAsync();
        await _http.DisposeAsync();
        await _f.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await _empty.DisposeAsync();
        await _instance.DisposeAsync();
        try { Directory.Delete(_files, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => GazouilleCli.RunAsync(_empty, args);

    private static void Exited(int expected, (int Exit, string Out, string Err) r)
    {
        Assert.True(r.Exit == expected, $"expected exit {expected}, got {r.Exit}\n{r.Out}\n{r.Err}");
        Assert.False(string.IsNullOrWhiteSpace(r.Exit == 0 ? r.Out : r.Err), "a sentence says what happened");
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_answers_0_for_a_valid_post_and_1_for_forged_missing_malformed_or_unreachable()
    {
        var (_, alice) = await _f.SignedInAsync("alice");
        var post = await alice.PostStatusAsync("Les portes ouvertes sont samedi", "public");
        var proof = await (await _f.Client().GetAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof")).Content.ReadAsStringAsync();
        var jwks = await (await _f.Client().GetAsync("/.well-known/gazouille/keys")).Content.ReadAsStringAsync();
        var proofFile = Path.Combine(_files, "proof.json");
        var forgedFile = Path.Combine(_files, "forged.json");
        var brokenFile = Path.Combine(_files, "broken.json");
        var jwksFile = Path.Combine(_files, "keys.json");
        await File.WriteAllTextAsync(proofFile, proof);
        await File.WriteAllTextAsync(forgedFile, proof.Replace("samedi", "dimanche", StringComparison.Ordinal));
        await File.WriteAllTextAsync(brokenFile, "{\"payload\": ");
        await File.WriteAllTextAsync(jwksFile, jwks);

        var byPermalink = await RunAsync("verify", "--url", $"{_base}/@alice/{post.Id()}");
        Exited(0, byPermalink);
        Assert.Contains("Valid", byPermalink.Out, StringComparison.Ordinal);
        Assert.Contains("@alice", byPermalink.Out, StringComparison.Ordinal);
        Exited(0, await RunAsync("verify", "--url", $"{_base}/api/v1/statuses/{post.Id()}"));
        Exited(0, await RunAsync("verify", "--proof", proofFile, "--jwks", jwksFile));
        Exited(0, await RunAsync("verify", "--proof", proofFile, "--instance", _base));

        var forged = await RunAsync("verify", "--proof", forgedFile, "--jwks", jwksFile);
        Exited(1, forged);
        Assert.Contains("Invalid", forged.Err, StringComparison.Ordinal);
        Exited(1, await RunAsync("verify", "--proof", Path.Combine(_files, "missing.json"), "--jwks", jwksFile));
        Exited(1, await RunAsync("verify", "--proof", brokenFile, "--jwks", jwksFile));
        var unreachable = await RunAsync("verify", "--url", $"http://127.0.0.1:1/@alice/{post.Id()}");
        Exited(1, unreachable);
        Assert.Contains("Cannot reach", unreachable.Err, StringComparison.Ordinal);

        // A post the anonymous command may not read answers like a missing one.
        var team = await alice.PostStatusAsync("Réservé à l'entreprise", "company");
        Exited(1, await RunAsync("verify", "--url", $"{_base}/@alice/{team.Id()}"));
        Exited(2, await RunAsync("verify"));
        Exited(2, await RunAsync("verify", "--url", "not a url"));
        // No keys to check against: the data folder holds no instance and no --instance/--jwks was given.
        Exited(1, await RunAsync("verify", "--proof", proofFile));
    }

    [Fact]
    public async Task Admin_commands_mark_accounts_rotate_the_key_and_create_user_refuses_a_look_alike()
    {
        var data = _instance;
        Exited(0, await GazouilleCli.RunAsync(data, "admin", "create-user", "--username", "gazouille", "--email", "g@corp.example", "--display-name", "Gazouille", "--official"));
        var lookAlike = await GazouilleCli.RunAsync(data, "admin", "create-user", "--username", "gazouille_fr", "--email", "f@corp.example", "--display-name", "Gazоuille");
        Exited(1, lookAlike);
        Assert.Contains("official account", lookAlike.Err, StringComparison.Ordinal);
        Exited(0, await GazouilleCli.RunAsync(data, "admin", "create-user", "--username", "marie", "--email", "m@corp.example", "--display-name", "Marie Dupont"));
        var marked = await GazouilleCli.RunAsync(data, "admin", "verify-account", "--username", "marie");
        Exited(0, marked);
        Assert.Contains("@marie is now an official account", marked.Out, StringComparison.Ordinal);
        Exited(1, await GazouilleCli.RunAsync(data, "admin", "verify-account", "--username", "nobody"));
        Exited(2, await GazouilleCli.RunAsync(data, "admin", "verify-account"));

        var first = await GazouilleCli.RunAsync(data, "admin", "rotate-key");
        Exited(0, first);
        var second = await GazouilleCli.RunAsync(data, "admin", "rotate-key");
        Exited(0, second);
        Assert.NotEqual(first.Out.Trim().Split('\n')[^1], second.Out.Trim().Split('\n')[^1]);
    }
}
