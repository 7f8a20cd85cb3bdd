using System.Globalization;
using System.Text;
using System.Text.Json;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Moderation;

public sealed record ComplianceDay(string Date, int Warn, int Override, int Hold, int Block, int FalsePositives)
{
    public int Total => Warn + Override + Hold + Block;

    /// <summary>Accepted false-positive reports about this day's leak attempts, per leak attempt; null on a day without any.</summary>
    public double? FalsePositiveRate => ComplianceStats.Rate(FalsePositives, Total);
}

/// <summary>
/// False-positive reports about the period's leak attempts (counted on the day the Leak Guard spoke) and the rate:
/// accepted reports per leak attempt.
/// </summary>
public sealed record ComplianceFalsePositives(int Reported, int Accepted, int Rejected, int Open, int Warnings, double? Rate);

public sealed record ComplianceCount(string Key, int Count);

public sealed record ComplianceReview(int Reviewed, int Approved, int Rejected, int EditRequested, int Pending, double? MedianHours, double? P90Hours);

/// <summary>The compliance dashboard's figures for a period; the page, the JSON and the CSV all come from this.</summary>
public sealed record ComplianceReport(
    string From, string To, ComplianceDay[] PerDay, ComplianceCount[] Decisions, ComplianceCount[] ByType, ComplianceCount[] ByAudience,
    ComplianceCount[] ByTeam, ComplianceCount[] TopFindings, ComplianceReview Review, ComplianceFalsePositives FalsePositives, ComplianceReports Reports);

/// <summary>Reports (of posts and accounts) filed in the period: how many, how many still open, per category and per outcome
/// (hide, delete, suspend, warn, none).</summary>
public sealed record ComplianceReports(int Filed, int Resolved, int Open, ComplianceCount[] ByCategory, ComplianceCount[] ByAction);

/// <summary>
/// Leak attempts (every decision other than allow, from the audit log) per day, type, audience and the author's teams;
/// overrides; review outcomes and time to review (from held posts). Moderators and admins only.
/// </summary>
public sealed class ComplianceStats(GazouilleDb db, TimeProvider clock)
{
    public const int MaxDays = 366;

    public async Task<ComplianceReport> ComputeAsync(DateOnly? fromDay, DateOnly? toDay, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var to = toDay ?? today;
        var from = fromDay ?? to.AddDays(-29);
        if (from > to) throw ApiException.Unprocessable("Validation failed: from must not be after to");
        if (to.DayNumber - from.DayNumber >= MaxDays) throw ApiException.Unprocessable($"Validation failed: a period is at most {MaxDays} days");
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        var days = new Dictionary<DateOnly, int[]>();
        for (var d = from; d <= to; d = d.AddDays(1)) days[d] = new int[4];
        var types = new Dictionary<string, int>();
        var audiences = new Dictionary<string, int>();
        var actors = new Dictionary<string, int>();
        var top = new Dictionary<(string, string), int>();
        // Date comparisons are done here, not in SQL: SQLite cannot compare DateTimeOffset columns.
        await foreach (var e in db.AuditEntries.AsNoTracking().Where(e => e.Action.StartsWith("leak_guard.")).OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (e.At < start || e.At >= end) continue;
            var slot = e.Action switch { "leak_guard.warn" => 0, "leak_guard.override" => 1, "leak_guard.hold" => 2, "leak_guard.block" => 3, _ => -1 };
            if (slot < 0) continue;
            days[DateOnly.FromDateTime(e.At.UtcDateTime)][slot]++;
            actors[e.Actor] = actors.GetValueOrDefault(e.Actor) + 1;
            try
            {
                var d = JsonDocument.Parse(e.Details).RootElement;
                if (d.TryGetProperty("leak_audience", out var a) && a.ValueKind == JsonValueKind.String) audiences[a.GetString()!] = audiences.GetValueOrDefault(a.GetString()!) + 1;
                if (d.TryGetProperty("findings", out var fs) && fs.ValueKind == JsonValueKind.Array)
                    foreach (var f in fs.EnumerateArray())
                    {
                        var type = f.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                        var text = f.TryGetProperty("text", out var x) ? x.GetString() ?? "" : "";
                        types[type] = types.GetValueOrDefault(type) + 1;
                        top[(type, text)] = top.GetValueOrDefault((type, text)) + 1;
                    }
            }
            catch (JsonException)
            {
                // An entry written by an older version: counted per day, not per type.
            }
        }

        var names = actors.Keys.Where(a => a.StartsWith('@')).Select(a => a[1..].ToUpperInvariant()).ToList();
        var memberships = await db.TeamMembers.AsNoTracking().Where(m => names.Contains(m.Account!.NormalizedUserName!))
            .Select(m => new { User = m.Account!.UserName!, m.Team!.Handle }).ToListAsync(ct);
        var teams = memberships.GroupBy(m => m.Handle).Select(g => new ComplianceCount(g.Key, g.Sum(m => actors.GetValueOrDefault("@" + m.User)))).ToArray();

        var reviews = await db.LeakReviews.AsNoTracking().Where(r => r.Decision == "hold")
            .Select(r => new { r.CheckedAt, r.ReviewedAt, r.Outcome, r.Pending }).ToListAsync(ct);
        reviews = reviews.Where(r => r.CheckedAt >= start && r.CheckedAt < end).ToList();
        var hours = reviews.Where(r => r.ReviewedAt is not null).Select(r => (r.ReviewedAt!.Value - r.CheckedAt).TotalHours).Order().ToArray();
        var review = new ComplianceReview(hours.Length, reviews.Count(r => r.Outcome == "approved"), reviews.Count(r => r.Outcome == "rejected"),
            reviews.Count(r => r.Outcome == "edit_requested"), reviews.Count(r => r.Pending),
            hours.Length == 0 ? null : Math.Round(Quantile(hours, 0.5), 2), hours.Length == 0 ? null : Math.Round(Quantile(hours, 0.9), 2));

        var reports = await db.FalsePositiveReports.AsNoTracking().Select(r => new { r.WarnedAt, r.Status }).ToListAsync(ct);
        reports = reports.Where(r => r.WarnedAt >= start && r.WarnedAt < end).ToList();
        var acceptedPerDay = reports.Where(r => r.Status == "accepted").GroupBy(r => DateOnly.FromDateTime(r.WarnedAt.UtcDateTime)).ToDictionary(g => g.Key, g => g.Count());

        var perDay = days.OrderBy(d => d.Key).Select(d => new ComplianceDay(d.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Value[0], d.Value[1], d.Value[2], d.Value[3],
            acceptedPerDay.GetValueOrDefault(d.Key))).ToArray();
        var warnings = perDay.Sum(d => d.Total);
        var accepted = reports.Count(r => r.Status == "accepted");
        var falsePositives = new ComplianceFalsePositives(reports.Count, accepted, reports.Count(r => r.Status == "rejected"), reports.Count(r => r.Status == "open"),
            warnings, Rate(accepted, warnings));
        var filed = await db.Reports.AsNoTracking().Select(r => new { r.CreatedAt, r.Category, r.ResolvedAt, r.Action }).ToListAsync(ct);
        filed = filed.Where(r => r.CreatedAt >= start && r.CreatedAt < end).ToList();
        var resolvedReports = filed.Where(r => r.ResolvedAt is not null).ToList();
        var userReports = new ComplianceReports(filed.Count, resolvedReports.Count, filed.Count - resolvedReports.Count,
            Sorted(filed.GroupBy(r => r.Category).ToDictionary(g => g.Key, g => g.Count())),
            Sorted(resolvedReports.GroupBy(r => r.Action ?? "none").ToDictionary(g => g.Key, g => g.Count())));
        ComplianceCount[] Sorted(Dictionary<string, int> counts) => counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => new ComplianceCount(c.Key, c.Value)).ToArray();
        return new ComplianceReport(from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), perDay,
            [new("warn", perDay.Sum(d => d.Warn)), new("override", perDay.Sum(d => d.Override)), new("hold", perDay.Sum(d => d.Hold)), new("block", perDay.Sum(d => d.Block))],
            Sorted(types), Sorted(audiences), teams.OrderByDescending(t => t.Count).ThenBy(t => t.Key, StringComparer.Ordinal).ToArray(),
            top.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item1, StringComparer.Ordinal).Take(10).Select(c => new ComplianceCount($"{c.Key.Item1}: {c.Key.Item2}", c.Value)).ToArray(),
            review, falsePositives, userReports);
    }

    /// <summary>A share rounded to 4 decimals (the page, the JSON and the CSV show this same number); null without a denominator.</summary>
    public static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static string Number(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static double Quantile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1 < 0 ? 0 : (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>One CSV of every table: section, key, then the counts.</summary>
    public static string Csv(ComplianceReport r)
    {
        var sb = new StringBuilder("section,key,warn,override,hold,block,count\r\n");
        static string Q(string s) => s.IndexOfAny([',', '"', '\r', '\n']) >= 0 || (s.Length > 0 && "=+-@".Contains(s[0])) ? "\"" + (s.Length > 0 && "=+-@".Contains(s[0]) ? "'" : "") + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
        foreach (var d in r.PerDay) sb.Append(CultureInfo.InvariantCulture, $"day,{d.Date},{d.Warn},{d.Override},{d.Hold},{d.Block},{d.Total}\r\n");
        foreach (var (section, rows) in new[] { ("decision", r.Decisions), ("type", r.ByType), ("audience", r.ByAudience), ("team", r.ByTeam), ("top_finding", r.TopFindings) })
            foreach (var c in rows) sb.Append(CultureInfo.InvariantCulture, $"{section},{Q(c.Key)},,,,,{c.Count}\r\n");
        var v = r.Review;
        sb.Append(CultureInfo.InvariantCulture, $"review,reviewed,,,,,{v.Reviewed}\r\nreview,approved,,,,,{v.Approved}\r\nreview,rejected,,,,,{v.Rejected}\r\nreview,edit_requested,,,,,{v.EditRequested}\r\nreview,pending,,,,,{v.Pending}\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"review,median_hours,,,,,{v.MedianHours}\r\nreview,p90_hours,,,,,{v.P90Hours}\r\n");
        var fp = r.FalsePositives;
        sb.Append(CultureInfo.InvariantCulture, $"false_positive,reported,,,,,{fp.Reported}\r\nfalse_positive,accepted,,,,,{fp.Accepted}\r\nfalse_positive,rejected,,,,,{fp.Rejected}\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"false_positive,open,,,,,{fp.Open}\r\nfalse_positive,warnings,,,,,{fp.Warnings}\r\nfalse_positive,rate,,,,,{Number(fp.Rate)}\r\n");
        var rep = r.Reports;
        sb.Append(CultureInfo.InvariantCulture, $"report,filed,,,,,{rep.Filed}\r\nreport,resolved,,,,,{rep.Resolved}\r\nreport,open,,,,,{rep.Open}\r\n");
        foreach (var c in rep.ByCategory) sb.Append(CultureInfo.InvariantCulture, $"report_category,{Q(c.Key)},,,,,{c.Count}\r\n");
        foreach (var c in rep.ByAction) sb.Append(CultureInfo.InvariantCulture, $"report_action,{Q(c.Key)},,,,,{c.Count}\r\n");
        foreach (var d in r.PerDay)
            sb.Append(CultureInfo.InvariantCulture, $"false_positive_day,{d.Date},,,,,{d.FalsePositives}\r\nfalse_positive_rate_day,{d.Date},,,,,{Number(d.FalsePositiveRate)}\r\n");
        return sb.ToString();
    }

    public static DateOnly? Day(string? raw, string name) =>
        string.IsNullOrWhiteSpace(raw) ? null
        : DateOnly.TryParseExact(raw.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw ApiException.Unprocessable($"Validation failed: {name} must be a date such as 2026-11-01");
}

public static class ComplianceApi
{
    public static RouteGroupBuilder MapComplianceApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/compliance").WithTags("Leak Guard");
        group.MapGet("/", Get).RequireScope("read:statuses");
        return group;
    }

    private static async Task<IResult> Get(HttpContext http, ApiParams p, ComplianceStats stats, CancellationToken ct)
    {
        if (!http.Viewer().IsModerator) throw ApiException.Forbidden("Only moderators and administrators see the compliance dashboard");
        var format = (p.Get("format") ?? "json").Trim().ToLowerInvariant();
        if (format is not ("json" or "csv")) throw ApiException.Unprocessable("Validation failed: format must be json or csv");
        var report = await stats.ComputeAsync(ComplianceStats.Day(p.Get("from"), "from"), ComplianceStats.Day(p.Get("to"), "to"), ct);
        return format == "csv"
            ? Results.File(Encoding.UTF8.GetBytes(ComplianceStats.Csv(report)), "text/csv; charset=utf-8", $"gazouille-compliance-{report.From}-{report.To}.csv")
            : TypedResults.Ok(report);
    }
}
