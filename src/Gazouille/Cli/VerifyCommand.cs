using System.Net;
using System.Text.RegularExpressions;
using Gazouille.Data;
using Gazouille.Features.Trust;
using Gazouille.Hosting;

namespace Gazouille.Cli;

/// <summary>
/// <c>gazouille verify --proof FILE | --url STATUS_URL</c>: exit 0 when the signature holds, 1 when it does not or
/// cannot be checked, 2 for a usage mistake, always with a sentence. A proof file is checked against the keys of
/// <c>--instance URL</c>, of <c>--jwks FILE</c>, or else of the local instance (<c>--data</c>).
/// </summary>
public static partial class VerifyCommand
{
    [GeneratedRegex(@"^/(?:@[A-Za-z0-9_]+|api/v1/statuses|api/v1/gazouille/statuses)/(?<id>[0-9]{1,20})(?:/proofs?)?/?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex StatusPath();

    public static Command Create()
    {
        var proof = new Option<FileInfo?>("--proof") { Description = "A proof saved from GET /api/v1/gazouille/statuses/:id/proof" };
        var url = new Option<string?>("--url") { Description = "A post's web permalink (https://host/@user/id) or API URL; its proof and the keys are fetched" };
        var instance = new Option<string?>("--instance") { Description = "With --proof: the instance whose keys to use (https://host)" };
        var jwks = new Option<FileInfo?>("--jwks") { Description = "With --proof: a saved copy of the instance's keys (/.well-known/gazouille/keys)" };
        var token = new Option<string?>("--token") { Description = "With --url: a bearer token, for a post that is not public" };
        var edit = new Option<int?>("--edit") { Description = "With --url: check this version of the post (0 is the original)" };
        var cmd = new Command("verify", "Check a signed post; exit 0 if the signature is valid, 1 if not") { proof, url, instance, jwks, token, edit };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var file = r.GetValue(proof);
            var link = r.GetValue(url);
            if ((file is null) == (link is null)) throw new UsageException("Give either --proof FILE or --url STATUS_URL.");
            return file is not null
                ? await FromFileAsync(r, file, r.GetValue(instance), r.GetValue(jwks), ct)
                : await FromUrlAsync(link!, r.GetValue(token), r.GetValue(edit), ct);
        }));
        return cmd;
    }

    private static async Task<int> FromFileAsync(ParseResult r, FileInfo file, string? instance, FileInfo? jwksFile, CancellationToken ct)
    {
        if (!file.Exists) return CliHost.Fail($"There is no file {file.FullName}; save the proof there first.");
        var proofJson = await File.ReadAllTextAsync(file.FullName, ct);
        string? keys;
        if (jwksFile is not null)
        {
            if (!jwksFile.Exists) return CliHost.Fail($"There is no file {jwksFile.FullName}.");
            keys = await File.ReadAllTextAsync(jwksFile.FullName, ct);
        }
        else if (instance is not null)
        {
            if (!Uri.TryCreate(instance, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
                throw new UsageException("--instance must be an http(s) URL such as https://gazouille.example.");
            (keys, var error) = await FetchAsync(new Uri(baseUri, "/.well-known/gazouille/keys"), null, ct);
            if (keys is null) return CliHost.Fail(error!);
        }
        else
        {
            var data = CliHost.Location(r);
            if (data.Provider == DatabaseProvider.Sqlite && !File.Exists(data.SqlitePath))
                return CliHost.Fail($"No instance data in {data.DataDirectory}: give --instance URL or --jwks FILE to say whose keys sign this proof.");
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var all = await scope.ServiceProvider.GetRequiredService<InstanceKeys>().AllAsync(ct);
            keys = System.Text.Json.JsonSerializer.Serialize(new
            {
                keys = all.Select(k => new { kty = "EC", crv = "P-256", x = k.X, y = k.Y, kid = k.Id, use = "sig", alg = InstanceKeys.Algorithm }),
            });
        }
        return Report(ProofVerifier.Verify(proofJson, keys), expectedId: null);
    }

    private static async Task<int> FromUrlAsync(string link, string? token, int? edit, CancellationToken ct)
    {
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException("--url must be a post's http(s) address, such as https://gazouille.example/@alice/123.");
        var match = StatusPath().Match(uri.AbsolutePath);
        if (!match.Success)
            throw new UsageException("--url must be a post's permalink (/@user/ID) or its API address (/api/v1/statuses/ID).");
        var id = match.Groups["id"].Value;
        var root = new Uri(uri.GetLeftPart(UriPartial.Authority));
        var proofUri = new Uri(root, $"/api/v1/gazouille/statuses/{id}/proof" + (edit is { } n ? $"?edit={n}" : ""));
        var (proofJson, error) = await FetchAsync(proofUri, token, ct);
        if (proofJson is null) return CliHost.Fail(error!);
        var (keys, keyError) = await FetchAsync(new Uri(root, "/.well-known/gazouille/keys"), null, ct);
        if (keys is null) return CliHost.Fail(keyError!);
        return Report(ProofVerifier.Verify(proofJson, keys), id);
    }

    private static int Report(ProofCheck check, string? expectedId)
    {
        if (check.Valid && expectedId is not null && check.Post!.Id != expectedId)
            return CliHost.Fail($"Invalid: the instance answered with the proof of post {check.Post.Id}, not of post {expectedId}.");
        if (!check.Valid) return CliHost.Fail("Invalid: " + check.Reason);
        var p = check.Post!;
        Console.WriteLine(check.Reason);
        Console.WriteLine($"Author: @{p.Author} (id {p.AuthorId})");
        Console.WriteLine($"Audience: {p.Audience}{(p.AudienceSubset ? " (some of its partner organizations)" : "")}");
        Console.WriteLine($"Published: {p.CreatedAt}{(p.EditedAt is { } e ? $", this version {e}" : "")}");
        Console.WriteLine($"Text: {p.Text}");
        return 0;
    }

    private static async Task<(string? Body, string? Error)> FetchAsync(Uri uri, string? token, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.ParseAdd("application/json");
        if (!string.IsNullOrEmpty(token)) request.Headers.Authorization = new("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return (null, $"{uri} answered 404: no such post, or it is not readable without signing in (pass --token).");
            if (!response.IsSuccessStatusCode) return (null, $"{uri} answered {(int)response.StatusCode}; try again later or check the address.");
            return (await response.Content.ReadAsStringAsync(ct), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, $"Cannot reach {uri.GetLeftPart(UriPartial.Authority)} ({e.Message}); check the address and the network.");
        }
    }
}
