using Gazouille.Api;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gazouille.Features.LeakGuard;

/// <summary>False-positive reports: authors report and follow their own; moderators and admins resolve them.</summary>
public static class FalsePositivesApi
{
    public static IEndpointRouteBuilder MapFalsePositivesApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/v1/gazouille/leak_guard/false_positives").WithTags("Leak Guard");
        mine.MapPost("/", Report).RequireScope("write:statuses");
        mine.MapGet("/", Mine).RequireScope("read:statuses");
        var queue = app.MapGroup("/api/v1/gazouille/admin/leak_guard/false_positives").WithTags("Leak Guard");
        queue.MapGet("/", Queue).RequireScope("read:accounts");
        queue.MapGet("/{id}", Get).RequireScope("read:accounts");
        queue.MapPost("/{id}/accept", (string id, HttpContext http, ApiParams p, FalsePositives book, CancellationToken ct) => Resolve(id, true, http, p, book, ct)).RequireScope("write:accounts");
        queue.MapPost("/{id}/reject", (string id, HttpContext http, ApiParams p, FalsePositives book, CancellationToken ct) => Resolve(id, false, http, p, book, ct)).RequireScope("write:accounts");
        return app;
    }

    /// <summary>Either <c>history_id</c> (an entry of <c>/leak_guard/history</c>) or <c>text</c> and <c>audience</c> (a tip), and an optional <c>comment</c>.</summary>
    private static async Task<Ok<FalsePositiveEntity>> Report(HttpContext http, ApiParams p, FalsePositives book, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var hasEntry = p.Has("history_id");
        if (hasEntry == p.Has("text")) throw ApiException.Unprocessable("Validation failed: send either history_id (an entry of your Leak Guard history) or text and audience (a tip of the compose box)");
        var report = hasEntry
            ? await book.ReportEntryAsync(viewer, p.Get("history_id"), p.Get("comment"), ct)
            : await book.ReportTextAsync(viewer, p.Get("text"), p.Get("audience"), p.Get("comment"), ct);
        return TypedResults.Ok((await book.RenderAsync([report], forModerator: false, ct))[0]);
    }

    private static long? MaxId(ApiParams p) =>
        p.Get("max_id") is { Length: > 0 } raw ? Ids.TryParse(raw, out var m) ? m : throw ApiException.Unprocessable("Validation failed: max_id is not an id") : null;

    private static int Limit(ApiParams p, int fallback)
    {
        if (p.Get("limit") is not { Length: > 0 } raw) return fallback;
        return int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit
            : throw ApiException.Unprocessable("Validation failed: limit must be a number");
    }

    private static void Next(HttpContext http, string path, IReadOnlyList<FalsePositiveEntity> list, string extra = "")
    {
        if (list.Count > 0) http.Response.Headers.Link = $"<{http.Request.Scheme}://{http.Request.Host}{path}?max_id={list[^1].Id}{extra}>; rel=\"next\"";
    }

    private static async Task<Ok<List<FalsePositiveEntity>>> Mine(HttpContext http, ApiParams p, FalsePositives book, CancellationToken ct)
    {
        var list = await book.RenderAsync(await book.MineAsync(http.Viewer(), MaxId(p), Limit(p, FalsePositives.PageSize), ct), forModerator: false, ct);
        Next(http, "/api/v1/gazouille/leak_guard/false_positives", list);
        return TypedResults.Ok(list);
    }

    private static async Task<Ok<List<FalsePositiveEntity>>> Queue(HttpContext http, ApiParams p, FalsePositives book, CancellationToken ct)
    {
        var status = p.Get("status");
        var reports = await book.QueueAsync(http.Viewer(), status, MaxId(p), Limit(p, 100), ct);
        var list = await book.RenderAsync(reports, forModerator: true, ct);
        Next(http, "/api/v1/gazouille/admin/leak_guard/false_positives", list, status is { Length: > 0 } s ? "&status=" + Uri.EscapeDataString(s) : "");
        return TypedResults.Ok(list);
    }

    private static async Task<Ok<FalsePositiveEntity>> Get(string id, HttpContext http, FalsePositives book, CancellationToken ct) =>
        TypedResults.Ok((await book.RenderAsync([await book.GetAsync(http.Viewer(), id, ct)], forModerator: true, ct))[0]);

    /// <summary><c>note</c> for the author; on accept, <c>policy_change</c> (none, exception, remove_term, mark_ambiguous) with <c>term</c> and <c>category</c>.</summary>
    private static async Task<Ok<FalsePositiveEntity>> Resolve(string id, bool accept, HttpContext http, ApiParams p, FalsePositives book, CancellationToken ct)
    {
        var fix = PolicyFix.Parse(p.Get("policy_change"), p.Get("term"), p.Get("category"));
        var report = await book.ResolveAsync(http.Viewer(), id, accept, p.Get("note"), fix, ct);
        return TypedResults.Ok((await book.RenderAsync([report], forModerator: true, ct))[0]);
    }
}
