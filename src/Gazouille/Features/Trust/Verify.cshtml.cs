using System.Text.Json;
using System.Text.RegularExpressions;
using Gazouille.Features.Web;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Gazouille.Features.Trust;

/// <summary>
/// Anyone, signed in or not, checks a post of this instance: by its permalink (the proof is read with the reader's
/// own rights, so a post they cannot read answers like a missing one) or by a pasted proof. The page never fetches
/// other sites; for another instance, <c>gazouille verify --url</c> does.
/// </summary>
public sealed partial class VerifyModel(StatusProofs proofs, InstanceKeys keys, InstanceUrls urls) : WebPageModel
{
    [GeneratedRegex(@"^/(?:@[A-Za-z0-9_]+|api/v1/statuses|api/v1/gazouille/statuses)/(?<id>[0-9]{1,20})(?:/proofs?)?/?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex StatusPath();

    public const int MaxInput = 100_000;

    [BindProperty(SupportsGet = true, Name = "post")] public string? Input { get; set; }
    public ProofCheck? Result { get; private set; }
    /// <summary>A reason the input could not be checked at all (not a post of this instance, not a proof).</summary>
    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(Input)) await CheckAsync(ct);
    }

    public async Task OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Input)) Problem = "Paste a post's address or its proof.";
        else await CheckAsync(ct);
        if (Problem is not null) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        var input = Input!.Trim();
        if (input.Length > MaxInput)
        {
            Problem = "This is too long to be a post's address or proof.";
            return;
        }
        var jwks = await JwksAsync(ct);
        if (input.StartsWith('{'))
        {
            Result = ProofVerifier.Verify(input, jwks);
            return;
        }
        string path;
        if (input.StartsWith('/')) path = input;
        else if (Uri.TryCreate(input, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            if (!string.Equals(uri.Authority, urls.Host, StringComparison.OrdinalIgnoreCase) && !string.Equals(uri.Authority, Request.Host.Value, StringComparison.OrdinalIgnoreCase))
            {
                Problem = "This page checks posts of this instance only; for another instance, use its own verify page or gazouille verify --url.";
                return;
            }
            path = uri.AbsolutePath;
        }
        else
        {
            Problem = "Paste a post's address (such as /@alice/123) or a proof (JSON).";
            return;
        }
        var match = StatusPath().Match(path.Split('?', '#')[0]);
        if (!match.Success)
        {
            Problem = "Paste a post's address (such as /@alice/123) or a proof (JSON).";
            return;
        }
        var all = await proofs.ForViewerAsync(Viewer, match.Groups["id"].Value, ct);
        if (all is null || all.Count == 0)
        {
            Problem = "There is no post you may read at this address.";
            return;
        }
        Result = ProofVerifier.Verify(StatusProofs.Entity(all[^1]), jwks);
    }

    private async Task<string> JwksAsync(CancellationToken ct)
    {
        await keys.ActiveAsync(ct);
        var all = await keys.AllAsync(ct);
        return JsonSerializer.Serialize(new JsonWebKeySet(all.Select(k => new JsonWebKey("EC", "P-256", k.X, k.Y, k.Id, "sig", InstanceKeys.Algorithm)).ToList()),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
    }
}
