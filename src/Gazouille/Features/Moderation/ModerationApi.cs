using System.Globalization;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Moderation;

/// <summary>A held post as moderators see it: the post, its parent for context, and the guard's findings.</summary>
public sealed record HeldPostEntity(
    string Id, string State, StatusEntity Status, StatusEntity? InReplyTo, string Audience, string Decision, double Score,
    FindingEntity[] Findings, string CheckedAt, string? Outcome, string? Reason, string? Override);

/// <summary>The moderation queue of the Leak Guard (moderators and admins).</summary>
public static class ModerationApi
{
    public static RouteGroupBuilder MapModerationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/moderation").WithTags("Moderation");
        group.MapGet("/held", List).RequireScope("read:statuses");
        group.MapGet("/held/{id}", Get).RequireScope("read:statuses");
        group.MapPost("/held/{id}/approve", Approve).RequireScope("write:statuses");
        group.MapPost("/held/{id}/reject", Reject).RequireScope("write:statuses");
        group.MapPost("/held/{id}/request_edit", RequestEdit).RequireScope("write:statuses");
        return group;
    }

    private static void RequireModerator(HttpContext http)
    {
        if (!http.Viewer().IsModerator) throw ApiException.Forbidden("Only moderators and administrators review held posts");
    }

    /// <summary>Held posts, newest first, paged like Mastodon; filters: team, audience, type, older_than, newer_than (e.g. 90m, 24h, 7d).</summary>
    private static async Task<Ok<List<HeldPostEntity>>> List(HttpContext http, ApiParams p, GazouilleDb db, HeldPosts held, StatusRenderer renderer, CancellationToken ct)
    {
        RequireModerator(http);
        var query = held.Pending();
        if (p.Get("team") is { Length: > 0 } team)
        {
            var handle = team.Trim().TrimStart('@').ToLowerInvariant();
            var teamId = await db.Teams.Where(t => t.Handle == handle).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct) ?? -1;
            query = query.Where(s => s.AudienceTeamId == teamId);
        }
        if (p.Get("audience") is { Length: > 0 } audience)
        {
            var kind = audience.Trim().ToLowerInvariant().Split(':')[0] switch
            {
                "direct" => AudienceKind.Direct,
                "followers" => AudienceKind.Followers,
                "team" => AudienceKind.Team,
                "company" => AudienceKind.Company,
                "partners" => AudienceKind.Partners,
                "public" => AudienceKind.Public,
                _ => throw ApiException.Unprocessable("Validation failed: audience must be direct, followers, team, company, partners or public"),
            };
            query = query.Where(s => s.AudienceKind == kind);
        }
        if (p.Get("type") is { Length: > 0 } type)
        {
            var t = type.Trim().ToLowerInvariant();
            if (t.Length > 64 || t.Any(char.IsWhiteSpace)) throw ApiException.Unprocessable("Validation failed: type must be a finding type such as client or iban");
            var padded = $" {t} ";
            query = query.Where(s => db.LeakReviews.Any(r => r.StatusId == s.Id && r.Types.Contains(padded)));
        }
        // Ids are time-ordered (snowflakes), so an age is an id bound.
        var now = DateTimeOffset.UtcNow;
        if (Age(p, "older_than") is { } older)
        {
            var bound = Snowflake.MinIdAt(now - older);
            query = query.Where(s => s.Id < bound);
        }
        if (Age(p, "newer_than") is { } newer)
        {
            var bound = Snowflake.MinIdAt(now - newer);
            query = query.Where(s => s.Id >= bound);
        }

        var page = PageRequest.From(p);
        var ids = await page.ApplyAsync(query, s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
        LinkHeader.Set(http, ids.Count == 0 ? null : ids[0], ids.Count == 0 ? null : ids[^1]);
        return TypedResults.Ok(await RenderAsync(http, db, renderer, ids, ct));
    }

    private static TimeSpan? Age(ApiParams p, string name)
    {
        var raw = p.Get(name)?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(raw)) return null;
        var unit = raw[^1];
        if (raw.Length < 2 || raw.Length > 8 || !int.TryParse(raw[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000)
            throw ApiException.Unprocessable($"Validation failed: {name} must be a duration such as 90m, 24h or 7d");
        return unit switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => throw ApiException.Unprocessable($"Validation failed: {name} must be a duration such as 90m, 24h or 7d"),
        };
    }

    private static async Task<Results<Ok<HeldPostEntity>, NotFound<ApiError>>> Get(string id, HttpContext http, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        RequireModerator(http);
        if (!Ids.TryParse(id, out var sid)) return TypedResults.NotFound(ApiError.NotFound);
        // Held or rejected posts only: a published post is read through the API like any other, within its audience.
        var exists = await db.Statuses.AnyAsync(s => s.Id == sid && s.ReblogOfId == null && s.State != StatusState.Published
                                                    && db.LeakReviews.Any(r => r.StatusId == s.Id), ct);
        if (!exists) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok((await RenderAsync(http, db, renderer, [sid], ct))[0]);
    }

    private static async Task<Results<Ok<HeldPostEntity>, NotFound<ApiError>>> Approve(string id, HttpContext http, HeldPosts held, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        RequireModerator(http);
        if (!Ids.TryParse(id, out var sid)) return TypedResults.NotFound(ApiError.NotFound);
        await held.ApproveAsync(http.Viewer(), sid, ct);
        return TypedResults.Ok((await RenderAsync(http, db, renderer, [sid], ct))[0]);
    }

    private static async Task<Results<Ok<HeldPostEntity>, NotFound<ApiError>>> Reject(string id, HttpContext http, ApiParams p, HeldPosts held, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        RequireModerator(http);
        if (!Ids.TryParse(id, out var sid)) return TypedResults.NotFound(ApiError.NotFound);
        await held.RejectAsync(http.Viewer(), sid, p.Get("reason"), ct);
        return TypedResults.Ok((await RenderAsync(http, db, renderer, [sid], ct))[0]);
    }

    private static async Task<Results<Ok<HeldPostEntity>, NotFound<ApiError>>> RequestEdit(string id, HttpContext http, ApiParams p, HeldPosts held, GazouilleDb db, StatusRenderer renderer, CancellationToken ct)
    {
        RequireModerator(http);
        if (!Ids.TryParse(id, out var sid)) return TypedResults.NotFound(ApiError.NotFound);
        await held.RequestEditAsync(http.Viewer(), sid, p.Get("reason"), ct);
        return TypedResults.Ok((await RenderAsync(http, db, renderer, [sid], ct))[0]);
    }

    internal static async Task<List<HeldPostEntity>> RenderAsync(HttpContext http, GazouilleDb db, StatusRenderer renderer, List<long> ids, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var statuses = await renderer.LoadAsync(ids, ct);
        // The parent gives context only if the moderator may read it anyway: reviewing a post opens no other channel.
        var wanted = statuses.Where(s => s.InReplyToId is not null).Select(s => s.InReplyToId!.Value).Distinct().ToList();
        var parentIds = await db.Statuses.Where(Visibility.StatusesVisibleTo(viewer)).Where(s => wanted.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        var all = await renderer.LoadAsync([.. ids, .. parentIds.Except(ids)], ct);
        var rendered = (await renderer.RenderManyAsync(viewer, all, ct)).ToDictionary(s => s.Id);
        var reviews = await db.LeakReviews.AsNoTracking().Where(r => ids.Contains(r.StatusId)).ToDictionaryAsync(r => r.StatusId, ct);
        var lang = await http.RequestServices.GetRequiredService<LeakGate>().LanguageAsync(viewer.AccountId, ct);
        return statuses.Select(s =>
        {
            var review = reviews.GetValueOrDefault(s.Id);
            return new HeldPostEntity(Ids.Format(s.Id), LeakReport.StateOf(s.State), rendered[Ids.Format(s.Id)],
                s.InReplyToId is { } parent ? rendered.GetValueOrDefault(Ids.Format(parent)) : null,
                rendered[Ids.Format(s.Id)].Audience, review?.Decision ?? "allow", review?.Score ?? 0,
                review is null ? [] : LeakReport.ReadFindings(review.FindingsJson).Select(f => f.ToEntity(lang)).ToArray(),
                review is null ? Accounts.AccountRenderer.Iso(s.CreatedAt) : Accounts.AccountRenderer.Iso(review.CheckedAt),
                review?.Outcome, review?.ReviewReason, review?.Override);
        }).ToList();
    }
}
