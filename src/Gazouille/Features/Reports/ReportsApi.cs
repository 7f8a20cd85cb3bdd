using Gazouille.Api;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gazouille.Features.Reports;

/// <summary>Mastodon's <c>POST /api/v1/reports</c> and the moderators' <c>/api/v1/admin/reports</c>.</summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/reports", File).WithTags("Reports").RequireScope("write:reports");
        var admin = app.MapGroup("/api/v1/admin/reports").WithTags("Reports");
        admin.MapGet("/", List).RequireScope("read:accounts");
        admin.MapGet("/{id}", Get).RequireScope("read:accounts");
        admin.MapPost("/{id}/resolve", (string id, HttpContext http, ReportBook book, CancellationToken ct) => SetResolved(id, true, http, book, ct)).RequireScope("write:accounts");
        admin.MapPost("/{id}/reopen", (string id, HttpContext http, ReportBook book, CancellationToken ct) => SetResolved(id, false, http, book, ct)).RequireScope("write:accounts");
        app.MapPost("/api/v1/gazouille/admin/reports/{id}/action", Act).WithTags("Reports").RequireScope("write:accounts");
        app.MapPost("/api/v1/gazouille/admin/reports/{id}/unhide", Unhide).WithTags("Reports").RequireScope("write:accounts");
        app.MapPost("/api/v1/admin/accounts/{id}/action", ActOnAccount).WithTags("Reports").RequireScope("write:accounts");
        return app;
    }

    private static async Task<Ok<ReportEntity>> File(HttpContext http, ApiParams p, ReportBook book, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var report = await book.FileAsync(viewer, p.Get("account_id"), p.GetAll("status_ids"), p.Get("comment"), p.Get("category"), ct);
        return TypedResults.Ok(await book.RenderAsync(viewer, report, ct));
    }

    private static async Task<Ok<List<AdminReportEntity>>> List(HttpContext http, ApiParams p, ReportBook book, CancellationToken ct)
    {
        var viewer = http.Viewer();
        ReportBook.RequireModerator(viewer);
        var resolved = p.GetBool("resolved") ?? false;
        long? maxId = p.Get("max_id") is { Length: > 0 } raw ? Ids.TryParse(raw, out var m) ? m : throw ApiException.Unprocessable("Validation failed: max_id is not an id") : null;
        var limit = Math.Clamp(p.GetInt("limit") ?? 100, 1, 200);
        var reports = await book.ListAsync(viewer, resolved, maxId, limit, ct);
        var list = new List<AdminReportEntity>(reports.Count);
        foreach (var r in reports) list.Add(await book.RenderForModeratorAsync(viewer, r, ct));
        return TypedResults.Ok(list);
    }

    private static async Task<Ok<AdminReportEntity>> Get(string id, HttpContext http, ReportBook book, CancellationToken ct) =>
        TypedResults.Ok(await book.RenderForModeratorAsync(http.Viewer(), await book.GetAsync(http.Viewer(), id, ct), ct));

    private static async Task<Ok<AdminReportEntity>> Act(string id, HttpContext http, ApiParams p, ReportActions actions, ReportBook book, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var report = await actions.TakeAsync(viewer, id, p.Get("type"), p.Get("text"), ct);
        return TypedResults.Ok(await book.RenderForModeratorAsync(viewer, report, ct));
    }

    private static async Task<Ok<AdminReportEntity>> Unhide(string id, HttpContext http, ReportActions actions, ReportBook book, CancellationToken ct)
    {
        var viewer = http.Viewer();
        await actions.UnhideAsync(viewer, id, ct);
        return TypedResults.Ok(await book.RenderForModeratorAsync(viewer, await book.GetAsync(viewer, id, ct), ct));
    }

    private static async Task<Ok<object>> ActOnAccount(string id, HttpContext http, ApiParams p, ReportActions actions, CancellationToken ct)
    {
        await actions.ActOnAccountAsync(http.Viewer(), id, p.Get("type"), p.Get("report_id"), p.Get("text"), ct);
        return TypedResults.Ok<object>(new { });
    }

    private static async Task<Ok<AdminReportEntity>> SetResolved(string id, bool resolved, HttpContext http, ReportBook book, CancellationToken ct) =>
        TypedResults.Ok(await book.RenderForModeratorAsync(http.Viewer(), await book.SetResolvedAsync(http.Viewer(), id, resolved, ct), ct));
}
