using System.Globalization;
using System.Text;
using System.Text.Json;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Audit;

/// <summary>Export of the audit log for admins: a date range as JSON Lines or CSV, in chain order, with the hashes.</summary>
public static class AuditApi
{
    public static RouteHandlerBuilder MapAuditApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/gazouille/admin/audit", Export).WithTags("Audit").RequireScope("read:accounts");

    private static async Task Export(HttpContext http, ApiParams p, GazouilleDb db, CancellationToken ct)
    {
        if (!http.Viewer().IsAdmin) throw ApiException.Forbidden("Only administrators export the audit log");
        var from = Date(p, "from") ?? DateTimeOffset.MinValue;
        var to = Date(p, "to") ?? DateTimeOffset.MaxValue;
        var format = (p.Get("format") ?? "jsonl").Trim().ToLowerInvariant();
        if (format is not ("jsonl" or "csv")) throw ApiException.Unprocessable("Validation failed: format must be jsonl or csv");

        var response = http.Response;
        response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"gazouille-audit.{format}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false));
        if (format == "csv") await writer.WriteAsync("seq,at,actor,action,subject,details,prev_hash,hash\r\n");
        var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        // Streamed in chain order and filtered by date here: the whole chain is what verification needs anyway.
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (e.At < from || e.At >= to) continue;
            if (format == "jsonl")
            {
                await writer.WriteAsync(JsonSerializer.Serialize(AuditLog.Render(e), json));
                await writer.WriteAsync('\n');
            }
            else
            {
                var fields = new[] { e.Seq.ToString(CultureInfo.InvariantCulture), AuditLog.Render(e).At, e.Actor, e.Action, e.Subject, e.Details, e.PrevHash, e.Hash };
                await writer.WriteAsync(string.Join(',', fields.Select(Csv)) + "\r\n");
            }
        }
    }

    private static DateTimeOffset? Date(ApiParams p, string name)
    {
        var raw = p.Get(name);
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d.ToUniversalTime()
            : throw ApiException.Unprocessable($"Validation failed: {name} must be a date such as 2026-11-01 or 2026-11-01T08:00:00Z");
    }

    // Quotes every field and defuses spreadsheet formulas: actors and reasons are typed by people.
    private static string Csv(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal)) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
