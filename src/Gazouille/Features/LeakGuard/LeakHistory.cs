using System.Globalization;
using System.Text.Json;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.LeakGuard;

public sealed record LeakHistoryFinding(string Type, string Rule, string Decision, string Text);

/// <summary>One moment the Leak Guard spoke to the author: a warning, an override, a hold or a block.</summary>
public sealed record LeakHistoryEntry(string Id, string At, string Action, string Decision, string Audience, string Subject, string? Justification, LeakHistoryFinding[] Findings);

/// <summary>
/// Each author's own history of warnings (issue 6, education), read from the audit log, which already records every
/// decision with the findings masked: warnings refused and overridden, holds and blocks, on posts, edits and profiles.
/// An author sees only the entries they are the actor of.
/// </summary>
public sealed class LeakHistory(GazouilleDb db, LeakGate guard)
{
    public const int PageSize = 40;

    public async Task<List<LeakHistoryEntry>> ForAsync(long accountId, long? beforeSeq, int limit, CancellationToken ct)
    {
        var actor = await guard.ActorAsync(accountId, ct);
        var query = db.AuditEntries.AsNoTracking().Where(e => e.Actor == actor && e.Action.StartsWith("leak_guard."));
        if (beforeSeq is { } before) query = query.Where(e => e.Seq < before);
        var rows = await query.OrderByDescending(e => e.Seq).Take(Math.Clamp(limit, 1, PageSize)).ToListAsync(ct);
        return rows.Select(e =>
        {
            JsonElement d;
            try
            {
                d = JsonDocument.Parse(e.Details).RootElement.Clone();
            }
            catch (JsonException)
            {
                d = default;
            }
            string Str(JsonElement o, string name) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var findings = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("findings", out var f) && f.ValueKind == JsonValueKind.Array
                ? f.EnumerateArray().Select(x => new LeakHistoryFinding(Str(x, "type"), Str(x, "rule"), Str(x, "decision"), Str(x, "text"))).ToArray()
                : [];
            var justification = Str(d, "justification");
            return new LeakHistoryEntry(e.Seq.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                e.Action["leak_guard.".Length..], Str(d, "decision"), Str(d, "audience"), e.Subject, justification.Length == 0 ? null : justification, findings);
        }).ToList();
    }
}

/// <summary>The author's history through the API.</summary>
public static class LeakHistoryApi
{
    public static RouteGroupBuilder MapLeakHistoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/leak_guard").WithTags("Leak Guard");
        group.MapGet("/history", GetHistory).RequireScope("read:statuses");
        return group;
    }

    /// <summary>Newest first; <c>max_id</c> (an entry's id) pages back, <c>limit</c> up to 40.</summary>
    private static async Task<Ok<List<LeakHistoryEntry>>> GetHistory(HttpContext http, ApiParams p, LeakHistory history, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (viewer.AccountId == 0) throw ApiException.Forbidden("This needs a token of a person, not of an app");
        long? before = null;
        if (p.Get("max_id") is { Length: > 0 } raw)
            before = long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : throw ApiException.Unprocessable("Validation failed: max_id must be an id from this list");
        var limit = LeakHistory.PageSize;
        if (p.Get("limit") is { Length: > 0 } rawLimit && !int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
            throw ApiException.Unprocessable("Validation failed: limit must be a number");
        var entries = await history.ForAsync(viewer.AccountId, before, limit, ct);
        if (entries.Count > 0) http.Response.Headers.Link = $"<{http.Request.Scheme}://{http.Request.Host}/api/v1/gazouille/leak_guard/history?max_id={entries[^1].Id}>; rel=\"next\"";
        return TypedResults.Ok(entries);
    }
}
