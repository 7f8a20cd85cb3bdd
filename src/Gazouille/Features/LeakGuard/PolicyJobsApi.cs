using System.Globalization;
using Gazouille.Api;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gazouille.Features.LeakGuard;

public sealed record PolicyJobEntity(
    string Id, string Kind, string State, double Progress, string StartedBy, string StartedAt, int Days, int PolicyVersion, int Scanned,
    string? Error, RescanHit[] Posts, bool Truncated);

/// <summary>Rescans of recent posts against the policy in force, for admins: start one, then follow it to its report.</summary>
public static class PolicyJobsApi
{
    public static RouteGroupBuilder MapPolicyJobsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/admin/leak_guard").WithTags("Leak Guard");
        group.MapPost("/rescans", StartRescan).RequireScope("write:accounts");
        group.MapGet("/rescans/{id}", GetRescan).RequireScope("read:accounts");
        return group;
    }

    private static void RequireAdmin(HttpContext http)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators rescan posts");
    }

    private static async Task<Accepted<PolicyJobEntity>> StartRescan(HttpContext http, ApiParams p, PolicyJobs jobs, LeakGate guard, CancellationToken ct)
    {
        RequireAdmin(http);
        if (!int.TryParse(p.Get("days"), NumberStyles.None, CultureInfo.InvariantCulture, out var days))
            throw ApiException.Unprocessable($"Validation failed: days must be a whole number from 1 to {PolicyJobs.MaxDays}");
        var job = jobs.StartRescan(await guard.ActorAsync(http.Viewer().AccountId, ct), days);
        return TypedResults.Accepted($"/api/v1/gazouille/admin/leak_guard/rescans/{job.Id}", Render(job));
    }

    private static Ok<PolicyJobEntity> GetRescan(HttpContext http, string id, PolicyJobs jobs)
    {
        RequireAdmin(http);
        if (jobs.Find(id) is not { Kind: "rescan" } job) throw ApiException.NotFound();
        return TypedResults.Ok(Render(job));
    }

    private static PolicyJobEntity Render(PolicyJob job) => new(
        job.Id, job.Kind, job.State, Math.Round(job.Progress, 3), job.StartedBy, Accounts.AccountRenderer.Iso(job.StartedAt)!, job.Days,
        job.PolicyVersion, job.Scanned, job.Error, job.State == "running" ? [] : job.Hits.ToArray(), job.Truncated);
}
