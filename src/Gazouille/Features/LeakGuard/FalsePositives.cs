using System.Globalization;
using System.Text;
using System.Text.Json;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.Statuses;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.LeakGuard;

public sealed record FalsePositiveFinding(string Type, string Rule, string Decision, string Text);

/// <summary>A false-positive report as the API shows it; <c>account</c> and <c>resolved_by</c> only to moderators.</summary>
public sealed record FalsePositiveEntity(
    string Id, string CreatedAt, string WarnedAt, string? HistoryId, string Action, string Decision, string Audience,
    FalsePositiveFinding[] Findings, string? Excerpt, string Comment, string Status, string? ResolvedAt, string? ResolutionNote,
    string? PolicyChange, int? PolicyVersion, string? Account, string? ResolvedBy);

/// <summary>How a moderator turns an accepted report into a policy change.</summary>
public enum PolicyFixKind
{
    None,
    Exception,
    RemoveTerm,
    MarkAmbiguous,
}

public sealed record PolicyFix(PolicyFixKind Kind, string? Term, string? Category)
{
    public static readonly PolicyFix None = new(PolicyFixKind.None, null, null);

    /// <summary>Reads <c>policy_change</c> (none, exception, remove_term, mark_ambiguous) with its <c>term</c> and <c>category</c>.</summary>
    public static PolicyFix Parse(string? kind, string? term, string? category) => (kind ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "none" => None,
        "exception" => new(PolicyFixKind.Exception, term, null),
        "remove_term" => new(PolicyFixKind.RemoveTerm, term, category),
        "mark_ambiguous" => new(PolicyFixKind.MarkAmbiguous, term, category),
        _ => throw ApiException.Unprocessable("Validation failed: policy_change must be none, exception, remove_term or mark_ambiguous"),
    };
}

/// <summary>
/// False-positive reports (issue 6): an author says a warning of their own history, or a tip of the compose box, was
/// wrong; moderators accept or reject it, and may change the policy on acceptance — through <see cref="PolicyEditor"/>,
/// the admin pages' own path, so the change is validated, audited as <c>policy.change</c> and in force at once.
/// Every report and resolution is audited (<c>false_positive.report</c>, <c>.accept</c>, <c>.reject</c>).
/// </summary>
public sealed class FalsePositives(GazouilleDb db, LeakGate guard, LeakChecker checker, AuditLog audit, PolicyEditor editor, TimeProvider clock)
{
    public const int PageSize = 40;
    /// <summary>Open reports one author may have at once, so that nobody floods the moderators' queue.</summary>
    public const int MaxOpenPerAuthor = 100;
    public static readonly string[] Statuses = ["open", "accepted", "rejected"];
    private static readonly string[] Reportable = ["leak_guard.warn", "leak_guard.override", "leak_guard.hold", "leak_guard.block"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Reports one entry of the author's own history; another author's entry answers 404 like one that does not exist.</summary>
    public async Task<FalsePositiveReport> ReportEntryAsync(Viewer author, string? rawHistoryId, string? rawComment, CancellationToken ct)
    {
        RequirePerson(author);
        var comment = Comment(rawComment);
        if (!long.TryParse(rawHistoryId, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) throw ApiException.NotFound();
        var actor = await guard.ActorAsync(author.AccountId, ct);
        var entry = await db.AuditEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Seq == seq && e.Actor == actor && Reportable.Contains(e.Action), ct)
            ?? throw ApiException.NotFound();
        var existing = await db.FalsePositiveReports.AsNoTracking().FirstOrDefaultAsync(r => r.AccountId == author.AccountId && r.AuditSeq == seq, ct);
        if (existing is not null) return existing;

        var (decision, audience, findings) = ReadEntry(entry.Details);
        string? excerpt = null;
        // A held or overridden post was saved: the moderator sees its text (masked), as the author chose to report it.
        if (entry.Subject.StartsWith("status:", StringComparison.Ordinal) && long.TryParse(entry.Subject["status:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var statusId))
        {
            var text = await db.Statuses.AsNoTracking().Where(s => s.Id == statusId && s.AccountId == author.AccountId).Select(s => s.Text).FirstOrDefaultAsync(ct);
            if (text is not null)
            {
                // The post may have been edited since: mask what the guard finds in the text as it is now, not at the old offsets.
                var now = await guard.JudgeAsync(text, "", new LeakTarget(Gazouille.LeakGuard.LeakAudience.Public, null), ct);
                excerpt = Excerpt(text, now.Findings.Where(f => f.Field == "status")
                    .Select(f => (new FalsePositiveFinding(f.Finding.Type, "", "", LeakReport.Mask(f.Finding.Type, f.Finding.Text)), f.Finding.Start, f.Finding.End)));
            }
        }
        return await SaveAsync(author, actor, new FalsePositiveReport
        {
            AuditSeq = seq, Action = entry.Action["leak_guard.".Length..], Decision = decision, Audience = audience,
            FindingsJson = JsonSerializer.Serialize(findings.Select(f => f.Finding), Json), Excerpt = excerpt, Comment = comment, WarnedAt = entry.At,
        }, ct);
    }

    /// <summary>Reports a tip of the compose box: the text is checked again here, so only a real warning can be reported.</summary>
    public async Task<FalsePositiveReport> ReportTextAsync(Viewer author, string? text, string? audience, string? rawComment, CancellationToken ct)
    {
        RequirePerson(author);
        var comment = Comment(rawComment);
        if (string.IsNullOrWhiteSpace(text)) throw ApiException.Unprocessable("Validation failed: text is missing");
        var check = await checker.CheckAsync(author, text, audience, ct);
        var findings = check.Findings.Where(f => f.Decision != "allow").ToList();
        if (check.Decision == "allow" || findings.Count == 0)
            throw ApiException.Unprocessable("Validation failed: the Leak Guard does not warn about this text for this audience; there is nothing to report");
        var masked = findings.Select(f => (new FalsePositiveFinding(f.Type, f.Rule, f.Decision, LeakReport.Mask(f.Type, f.Text)), f.Start, f.End, f.Field)).ToList();
        var inText = masked.Where(f => f.Field == "status").Select(f => (f.Item1, f.Start, f.End)).ToList();
        return await SaveAsync(author, await guard.ActorAsync(author.AccountId, ct), new FalsePositiveReport
        {
            Action = "check", Decision = check.Decision, Audience = check.Audience,
            FindingsJson = JsonSerializer.Serialize(masked.Select(f => f.Item1), Json), Excerpt = Excerpt(text, inText), Comment = comment,
            WarnedAt = clock.GetUtcNow(),
        }, ct);
    }

    private async Task<FalsePositiveReport> SaveAsync(Viewer author, string actor, FalsePositiveReport report, CancellationToken ct)
    {
        if (await db.FalsePositiveReports.CountAsync(r => r.AccountId == author.AccountId && r.Status == "open", ct) >= MaxOpenPerAuthor)
            throw ApiException.Unprocessable($"Validation failed: you have {MaxOpenPerAuthor} reports waiting for a moderator; wait for their answer before reporting more");
        var now = clock.GetUtcNow();
        report.Id = Snowflake.NewId(now);
        report.AccountId = author.AccountId;
        report.CreatedAt = now;
        report.Status = "open";
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.FalsePositiveReports.Add(report);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (report.AuditSeq is not null)
        {
            // The same entry reported twice at once: the other request's report stands.
            await tx.RollbackAsync(ct);
            db.Entry(report).State = EntityState.Detached;
            return await db.FalsePositiveReports.AsNoTracking().FirstAsync(r => r.AccountId == author.AccountId && r.AuditSeq == report.AuditSeq, ct);
        }
        await audit.AppendAsync(actor, "false_positive.report", $"false_positive:{report.Id}", new
        {
            history_id = report.AuditSeq, action = report.Action, decision = report.Decision, audience = report.Audience,
            types = FindingsOf(report).Select(f => f.Type).Distinct().ToArray(), comment = report.Comment,
        }, ct);
        await tx.CommitAsync(ct);
        return report;
    }

    private static void RequirePerson(Viewer viewer)
    {
        if (viewer.AccountId == 0) throw ApiException.Forbidden("This needs a token of a person, not of an app");
    }

    public static string Comment(string? raw) => FreeText(raw, "comment", FalsePositiveReport.CommentMaxLength);

    private static string Note(string? raw) => FreeText(raw, "note", FalsePositiveReport.NoteMaxLength);

    /// <summary>A person's optional words: newlines normalized, trimmed, bounded, and text only.</summary>
    private static string FreeText(string? raw, string name, int max)
    {
        var text = StatusText.NormalizeNewlines(raw ?? "").Trim();
        if (text.Length > max) throw ApiException.Unprocessable($"Validation failed: {name} is longer than {max} characters");
        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t') || !StatusText.IsWellFormed(text))
            throw ApiException.Unprocessable($"Validation failed: {name} contains characters that are not text");
        return text;
    }

    /// <summary>The decision, audience and findings an audit entry recorded (finding texts are already masked there).</summary>
    private static (string Decision, string Audience, List<(FalsePositiveFinding Finding, int Start, int End)> Findings) ReadEntry(string details)
    {
        try
        {
            var d = JsonDocument.Parse(details).RootElement;
            static string Str(JsonElement o, string name) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            static int Int(JsonElement o, string name) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) ? i : -1;
            var findings = d.TryGetProperty("findings", out var f) && f.ValueKind == JsonValueKind.Array
                ? f.EnumerateArray().Where(x => Str(x, "field") is "" or "status")
                    .Select(x => (new FalsePositiveFinding(Str(x, "type"), Str(x, "rule"), Str(x, "decision"), Str(x, "text")), Int(x, "start"), Int(x, "end"))).ToList()
                : [];
            return (Str(d, "decision"), Str(d, "leak_audience"), findings);
        }
        catch (JsonException)
        {
            return ("", "", []);
        }
    }

    /// <summary>
    /// The text around the findings, each finding replaced by its masked form (a secret keeps only its length), clipped
    /// to <see cref="FalsePositiveReport.ExcerptMaxLength"/> characters around the first one.
    /// </summary>
    public static string Excerpt(string text, IEnumerable<(FalsePositiveFinding Finding, int Start, int End)> findings)
    {
        var spans = findings.Where(f => f.Start >= 0 && f.End <= text.Length && f.Start < f.End).OrderBy(f => f.Start).ToList();
        var sb = new StringBuilder();
        var at = 0;
        var firstAt = -1;
        foreach (var (finding, start, end) in spans)
        {
            if (start < at) continue;
            sb.Append(text, at, start - at);
            if (firstAt < 0) firstAt = sb.Length;
            sb.Append(finding.Text);
            at = end;
        }
        sb.Append(text, at, text.Length - at);
        var masked = sb.ToString();
        const int Max = FalsePositiveReport.ExcerptMaxLength - 2;
        if (masked.Length <= Max) return masked;
        var from = Math.Clamp(Math.Max(0, firstAt) - (Max / 3), 0, masked.Length - Max);
        if (from > 0 && char.IsLowSurrogate(masked[from])) from++;
        var length = Math.Min(Max, masked.Length - from);
        if (length > 0 && char.IsHighSurrogate(masked[from + length - 1])) length--;
        return string.Concat(from > 0 ? "…" : "", masked.AsSpan(from, length), from + length < masked.Length ? "…" : "");
    }

    public static FalsePositiveFinding[] FindingsOf(FalsePositiveReport r)
    {
        try
        {
            return JsonSerializer.Deserialize<FalsePositiveFinding[]>(r.FindingsJson, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public async Task<List<FalsePositiveReport>> MineAsync(Viewer author, long? maxId, int limit, CancellationToken ct)
    {
        RequirePerson(author);
        var query = db.FalsePositiveReports.AsNoTracking().Where(r => r.AccountId == author.AccountId);
        if (maxId is { } max) query = query.Where(r => r.Id < max);
        return await query.OrderByDescending(r => r.Id).Take(Math.Clamp(limit, 1, PageSize)).ToListAsync(ct);
    }

    /// <summary>The author's reports about the given history entries, by entry.</summary>
    public async Task<Dictionary<long, FalsePositiveReport>> ForEntriesAsync(long accountId, IEnumerable<long> seqs, CancellationToken ct)
    {
        var ids = seqs.ToList();
        var rows = await db.FalsePositiveReports.AsNoTracking().Where(r => r.AccountId == accountId && r.AuditSeq != null && ids.Contains(r.AuditSeq.Value)).ToListAsync(ct);
        return rows.ToDictionary(r => r.AuditSeq!.Value);
    }

    public static void RequireModerator(Viewer viewer)
    {
        if (!viewer.IsModerator) throw ApiException.Forbidden("Only moderators and administrators review false-positive reports");
    }

    public async Task<List<FalsePositiveReport>> QueueAsync(Viewer moderator, string? status, long? maxId, int limit, CancellationToken ct)
    {
        RequireModerator(moderator);
        status = string.IsNullOrWhiteSpace(status) ? "open" : status.Trim().ToLowerInvariant();
        if (!Statuses.Contains(status)) throw ApiException.Unprocessable("Validation failed: status must be open, accepted or rejected");
        var query = db.FalsePositiveReports.AsNoTracking().Where(r => r.Status == status);
        if (maxId is { } max) query = query.Where(r => r.Id < max);
        return await query.OrderByDescending(r => r.Id).Take(Math.Clamp(limit, 1, 200)).ToListAsync(ct);
    }

    public async Task<FalsePositiveReport> GetAsync(Viewer moderator, string? rawId, CancellationToken ct)
    {
        RequireModerator(moderator);
        if (!Ids.TryParse(rawId, out var id)) throw ApiException.NotFound();
        return await db.FalsePositiveReports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw ApiException.NotFound();
    }

    /// <summary>
    /// Accepts or rejects an open report, with a note for the author; an acceptance may change the policy
    /// (<paramref name="fix"/>). The report is claimed first, so two moderators never both resolve it; if the policy
    /// change is refused, the report is open again and nothing changed.
    /// </summary>
    public async Task<FalsePositiveReport> ResolveAsync(Viewer moderator, string? rawId, bool accept, string? rawNote, PolicyFix fix, CancellationToken ct)
    {
        var report = await GetAsync(moderator, rawId, ct);
        var note = Note(rawNote);
        if (report.AccountId == moderator.AccountId) throw ApiException.Forbidden("A moderator does not resolve their own report; another moderator will");
        if (!accept && fix.Kind != PolicyFixKind.None) throw ApiException.Unprocessable("Validation failed: only an accepted report changes the policy");
        var term = (fix.Term ?? "").Trim();
        var category = (fix.Category ?? "").Trim();
        if (fix.Kind != PolicyFixKind.None && term.Length == 0) throw ApiException.Unprocessable("Validation failed: term is missing");
        if (fix.Kind == PolicyFixKind.Exception && term.Length > Gazouille.LeakGuard.LeakPolicy.MaxExceptionTermLength)
            throw ApiException.Unprocessable($"Validation failed: term is longer than {Gazouille.LeakGuard.LeakPolicy.MaxExceptionTermLength} characters");
        if (fix.Kind is PolicyFixKind.RemoveTerm or PolicyFixKind.MarkAmbiguous && category.Length == 0) throw ApiException.Unprocessable("Validation failed: category is missing");
        if (report.Status != "open") throw ApiException.Unprocessable("Validation failed: this report is already resolved");

        var now = clock.GetUtcNow();
        var status = accept ? "accepted" : "rejected";
        var claimed = await db.FalsePositiveReports.Where(r => r.Id == report.Id && r.Status == "open").ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, status).SetProperty(r => r.ResolvedById, moderator.AccountId).SetProperty(r => r.ResolvedAt, now)
            .SetProperty(r => r.ResolutionNote, note), ct);
        if (claimed == 0) throw ApiException.Unprocessable("Validation failed: this report is already resolved");

        var actor = await guard.ActorAsync(moderator.AccountId, ct);
        string? change = null;
        int? version = null;
        if (fix.Kind != PolicyFixKind.None)
        {
            try
            {
                (change, version) = await ChangePolicyAsync(actor, report.Id, fix.Kind, term, category, ct);
            }
            catch
            {
                await db.FalsePositiveReports.Where(r => r.Id == report.Id).ExecuteUpdateAsync(u => u
                    .SetProperty(r => r.Status, "open").SetProperty(r => r.ResolvedById, (long?)null).SetProperty(r => r.ResolvedAt, (DateTimeOffset?)null)
                    .SetProperty(r => r.ResolutionNote, (string?)null), CancellationToken.None);
                throw;
            }
        }

        var tracked = await db.FalsePositiveReports.FirstAsync(r => r.Id == report.Id, ct);
        tracked.PolicyChange = change;
        tracked.PolicyVersion = version;
        await audit.AppendAsync(actor, "false_positive." + (accept ? "accept" : "reject"), $"false_positive:{report.Id}", new
        {
            author = await guard.ActorAsync(report.AccountId, ct), history_id = report.AuditSeq, note, policy_change = change, policy_version = version,
        }, ct);
        return tracked;
    }

    private async Task<(string Change, int Version)> ChangePolicyAsync(string actor, long reportId, PolicyFixKind kind, string term, string category, CancellationToken ct)
    {
        var draft = await editor.LoadAsync(ct);
        var fp = Ids.Format(reportId);
        switch (kind)
        {
            case PolicyFixKind.Exception:
                return ($"exception:{term}", await editor.ChangeAsync(actor, draft.Version, new { kind = "exception.add", term, false_positive = fp }, tree =>
                {
                    if (tree["exception_terms"] is not System.Text.Json.Nodes.JsonArray list)
                    {
                        if (tree["exception_terms"] is not null) return "The policy's exception_terms is not a list; fix the policy first.";
                        tree["exception_terms"] = list = [];
                    }
                    if (!list.Any(n => n is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) && string.Equals(s.Trim(), term, StringComparison.OrdinalIgnoreCase)))
                        list.Add(term);
                    return null;
                }, ct));
            default:
                var remove = kind == PolicyFixKind.RemoveTerm;
                return ($"{(remove ? "remove" : "ambiguous")}:{category}:{term}", await editor.ChangeAsync(actor, draft.Version,
                    new { kind = remove ? "terms.remove" : "terms.ambiguous", category, term, false_positive = fp }, tree =>
                    {
                        if ((tree["dictionaries"] as System.Text.Json.Nodes.JsonObject)?[category] is not System.Text.Json.Nodes.JsonArray dictionary)
                            return $"There is no dictionary named {category}.";
                        var matching = dictionary.Where(n => string.Equals(PolicyTerm.From(n).Term, term, StringComparison.OrdinalIgnoreCase)).ToList();
                        if (matching.Count == 0) return $"The term {term} is not in the dictionary {category}.";
                        foreach (var n in matching)
                        {
                            var index = dictionary.IndexOf(n);
                            dictionary.RemoveAt(index);
                            if (!remove) dictionary.Insert(index, (PolicyTerm.From(n) with { Ambiguous = true }).ToNode());
                        }
                        return null;
                    }, ct));
        }
    }

    public async Task<List<FalsePositiveEntity>> RenderAsync(IReadOnlyList<FalsePositiveReport> reports, bool forModerator, CancellationToken ct)
    {
        var ids = reports.Select(r => r.AccountId).Concat(reports.Where(r => r.ResolvedById is not null).Select(r => r.ResolvedById!.Value)).Distinct().ToList();
        var names = forModerator && ids.Count > 0
            ? await db.Users.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.UserName ?? "", ct)
            : [];
        return reports.Select(r => new FalsePositiveEntity(Ids.Format(r.Id), Iso(r.CreatedAt), Iso(r.WarnedAt), r.AuditSeq?.ToString(CultureInfo.InvariantCulture),
            r.Action, r.Decision, r.Audience, FindingsOf(r), r.Excerpt, r.Comment, r.Status, r.ResolvedAt is { } at ? Iso(at) : null, r.ResolutionNote,
            forModerator ? r.PolicyChange : r.PolicyChange is null ? null : r.PolicyChange.Split(':')[0],
            r.PolicyVersion, forModerator ? names.GetValueOrDefault(r.AccountId) : null,
            forModerator && r.ResolvedById is { } by ? names.GetValueOrDefault(by) : null)).ToList();
    }

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
