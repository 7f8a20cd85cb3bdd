using System.Text;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Features.RateLimits;
using Gazouille.Hosting;
using Gazouille.LeakGuard;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Gazouille.Features.LeakGuard;

public sealed record LeakCheckEntity(string Decision, double Score, string Audience, FindingEntity[] Findings, string? SuggestedAudience, int PolicyVersion);

public sealed record LeakPolicyEntity(int Version, string Format, string? Sha256, string? ChangedBy, string? ChangedAt, int Terms, string? Document);

/// <summary>Tips as you type (the check endpoint, nothing saved) and the instance policy for admins.</summary>
public static class LeakGuardApi
{
    public const int MaxCheckLength = 20_000;
    public const int MaxPolicyBytes = 16 * 1024 * 1024;

    public static RouteGroupBuilder MapLeakGuardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille").WithTags("Leak Guard");
        // A compose box may hold a token for writing only: read or write:statuses will do.
        group.MapPost("/leak_guard/check", Check).RequireAuthorization(p => p.RequireAuthenticatedUser().RequireAssertion(ctx =>
            ctx.User.AccountId() is not null && (ctx.User.Identity?.AuthenticationType == ScopeHandler.CookieScheme
                || Scopes.Allows(ctx.User.GetScopes(), "read:statuses") || Scopes.Allows(ctx.User.GetScopes(), "write:statuses")))).RequireRateLimit(RateLimitBucket.Check);
        group.MapGet("/admin/leak_guard/policy", GetPolicy).RequireScope("read:accounts");
        group.MapPut("/admin/leak_guard/policy", PutPolicy).RequireScope("write:accounts");
        return group;
    }

    private static async Task<Ok<LeakCheckEntity>> Check(HttpContext http, ApiParams p, LeakChecker checker, CancellationToken ct)
    {
        if (!p.Has("text")) throw ApiException.Unprocessable("Validation failed: text is missing");
        return TypedResults.Ok(await checker.CheckAsync(http.Viewer(), p.Get("text") ?? "", p.Get("audience"), ct));
    }

    private static void RequireAdmin(HttpContext http)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators manage the Leak Guard policy");
    }

    private static async Task<Ok<LeakPolicyEntity>> GetPolicy(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        RequireAdmin(http);
        var doc = await db.LeakPolicyDocuments.AsNoTracking().OrderByDescending(d => d.Version).FirstOrDefaultAsync(ct);
        if (doc is null) return TypedResults.Ok(new LeakPolicyEntity(0, "json", null, null, null, 0, null));
        var terms = 0;
        try
        {
            terms = LeakPolicy.Parse(doc.Text, LeakPolicyStore.Format(doc.Format)).Terms.Count;
        }
        catch (LeakPolicyException)
        {
            // Shown as 0 terms; the store keeps guarding with the last good policy.
        }
        return TypedResults.Ok(Render(doc, terms));
    }

    private static LeakPolicyEntity Render(LeakPolicyDocument doc, int terms) =>
        new(doc.Version, doc.Format, doc.Sha256, doc.ChangedBy, Accounts.AccountRenderer.Iso(doc.ChangedAt), terms, doc.Text);

    /// <summary>
    /// Replaces the policy: the body is the policy itself, JSON (application/json) or YAML (application/yaml, text/yaml).
    /// An invalid policy answers 422 with every error; nothing is saved.
    /// </summary>
    private static async Task<Ok<LeakPolicyEntity>> PutPolicy(HttpContext http, GazouilleDb db, LeakPolicyStore policies, AuditLog audit, LeakGate guard, CancellationToken ct)
    {
        RequireAdmin(http);
        var request = http.Request;
        if (request.ContentLength is > MaxPolicyBytes) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"The policy is larger than {MaxPolicyBytes / (1024 * 1024)} MB.");
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        var format = mediaType switch
        {
            "application/json" or "text/json" => PolicyFormat.Json,
            "application/yaml" or "application/x-yaml" or "text/yaml" or "text/x-yaml" => PolicyFormat.Yaml,
            _ => PolicyFormat.Auto,
        };
        string text;
        try
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            text = await reader.ReadToEndAsync(ct);
        }
        catch (DecoderFallbackException)
        {
            throw ApiException.BadRequest("The policy is not valid UTF-8 text.");
        }
        if (string.IsNullOrWhiteSpace(text)) throw ApiException.Unprocessable("Validation failed: send the policy (JSON or YAML) as the request body");
        try
        {
            var (doc, policy) = await policies.SaveAsync(db, audit, text, format, await guard.ActorAsync(http.Viewer().AccountId, ct), ct);
            return TypedResults.Ok(Render(doc, policy.Terms.Count));
        }
        catch (LeakPolicyException e)
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, e.Message) { Extra = new Dictionary<string, object?> { ["errors"] = e.Errors.Take(100).ToArray() } };
        }
        catch (DbUpdateException)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "Another administrator changed the policy at the same moment; load it again and retry.");
        }
    }
}
