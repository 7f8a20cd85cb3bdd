using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Trust;

public sealed record JsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

public sealed record JsonWebKeySet(List<JsonWebKey> Keys);

/// <summary>Signed posts: a post's proofs for whoever may read it, and the instance's public keys for anyone.</summary>
public static class ProofsApi
{
    public static IEndpointRouteBuilder MapProofsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/statuses").WithTags("Signed posts");
        group.MapGet("/{id}/proof", GetProof);
        group.MapGet("/{id}/proofs", GetProofs);
        app.MapGet("/.well-known/gazouille/keys", GetKeys).WithTags("Signed posts");
        return app;
    }

    /// <summary>The proof of the latest signed version, or of version <c>?edit=N</c> (0 is the original).</summary>
    private static async Task<Results<Ok<ProofEntity>, NotFound<ApiError>>> GetProof(string id, HttpContext http, ApiParams p, StatusProofs proofs, CancellationToken ct)
    {
        int? edit = null;
        if (p.Get("edit") is { Length: > 0 } raw)
        {
            if (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                throw ApiException.Unprocessable("Validation failed: edit must be a version number (0 is the original post)");
            edit = n;
        }
        var all = await proofs.ForViewerAsync(http.Viewer(), id, ct);
        var proof = edit is { } e ? all?.FirstOrDefault(x => x.Edit == e) : all?.LastOrDefault();
        return proof is null ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok(StatusProofs.Entity(proof));
    }

    /// <summary>Every signed version of the post, oldest first: the edit history, verifiable.</summary>
    private static async Task<Results<Ok<List<ProofEntity>>, NotFound<ApiError>>> GetProofs(string id, HttpContext http, StatusProofs proofs, CancellationToken ct)
    {
        var all = await proofs.ForViewerAsync(http.Viewer(), id, ct);
        return all is null || all.Count == 0 ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok(all.Select(StatusProofs.Entity).ToList());
    }

    private static async Task<Ok<JsonWebKeySet>> GetKeys(InstanceKeys keys, HttpContext http, CancellationToken ct)
    {
        await keys.ActiveAsync(ct);
        http.Response.Headers.CacheControl = "public, max-age=300";
        var all = await keys.AllAsync(ct);
        return TypedResults.Ok(new JsonWebKeySet(all.Select(k => new JsonWebKey("EC", "P-256", k.X, k.Y, k.Id, "sig", InstanceKeys.Algorithm)).ToList()));
    }
}

/// <summary>Finds a post's proofs under the "status by id" visibility rule; posts published before signing existed are signed on first request.</summary>
public sealed class StatusProofs(GazouilleDb db, StatusFinder finder, PostSigner signer)
{
    /// <summary>The proofs, oldest first; null when the viewer may not read the post (answered like a missing post, I4).</summary>
    public async Task<List<StatusProof>?> ForViewerAsync(Viewer viewer, string rawId, CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(viewer, rawId, ct);
        if (status is null) return null;
        var original = status.ReblogOf ?? status;
        var proofs = await db.StatusProofs.AsNoTracking().Where(x => x.StatusId == original.Id).OrderBy(x => x.Edit).ToListAsync(ct);
        if (original.State == StatusState.Published && proofs.All(x => x.Edit != original.EditCount))
        {
            var tracked = await db.Statuses.Include(s => s.AudienceOrgs).FirstAsync(s => s.Id == original.Id, ct);
            if (await signer.SignAsync(tracked, ct) is { } added)
            {
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    // Another request signed it at the same moment; its proof is the one kept.
                    db.ChangeTracker.Clear();
                }
                proofs = await db.StatusProofs.AsNoTracking().Where(x => x.StatusId == original.Id).OrderBy(x => x.Edit).ToListAsync(ct);
            }
        }
        return proofs;
    }

    public static ProofEntity Entity(StatusProof p) => new(p.Payload, p.Signature, p.KeyId, InstanceKeys.Algorithm);
}
