using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Statuses;

public static class StatusesApi
{
    public static RouteGroupBuilder MapStatusesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/statuses").WithTags("Statuses");
        group.MapPost("/", CreateStatus).RequireScope("write:statuses");
        group.MapGet("/{id}", GetStatus);
        group.MapPut("/{id}", EditStatus).RequireScope("write:statuses");
        group.MapDelete("/{id}", DeleteStatus).RequireScope("write:statuses");
        group.MapGet("/{id}/context", GetContext);
        group.MapGet("/{id}/history", GetHistory);
        group.MapGet("/{id}/source", GetSource).RequireScope("read:statuses");
        group.MapStatusInteractions();
        return group;
    }

    private static async Task<Ok<StatusEntity>> CreateStatus(HttpContext http, ApiParams p, StatusPublisher publisher, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (p.GetAll("media_ids").Count > 0) throw ApiException.Unprocessable("Validation failed: media attachments are not supported yet");
        if (p.Has("poll[options]")) throw ApiException.Unprocessable("Validation failed: polls are not supported yet");
        var input = new NewStatus(p.Get("status"), p.Get("spoiler_text"), p.GetBool("sensitive") ?? false, p.Get("language"),
            p.GetId("in_reply_to_id"), p.Get("audience"), p.Get("visibility"), http.Request.Headers["Idempotency-Key"].FirstOrDefault())
        {
            LeakGuardOverride = p.Get("leak_guard_override"),
        };
        var status = await publisher.CreateAsync(viewer, input, ct);
        if (publisher.LastCreated is { } created) return TypedResults.Ok(await renderer.RenderNewAsync(viewer, created, ct));
        var loaded = await renderer.LoadAsync([status.Id], ct);
        return TypedResults.Ok(await renderer.RenderAsync(viewer, loaded[0], ct));
    }

    private static async Task<Results<Ok<StatusEntity>, NotFound<ApiError>>> GetStatus(string id, HttpContext http, StatusFinder finder, StatusRenderer renderer, CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(http.Viewer(), id, ct);
        return status is null ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), status, ct));
    }

    private static async Task<Results<Ok<StatusEntity>, NotFound<ApiError>>> EditStatus(string id, HttpContext http, ApiParams p, StatusPublisher publisher, StatusRenderer renderer, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out var statusId)) return TypedResults.NotFound(ApiError.NotFound);
        if (p.Get("audience") is { Length: > 0 } requested)
        {
            var current = await renderer.LoadAsync([statusId], ct);
            if (current.Count == 1 && current[0].AccountId == http.Viewer().AccountId
                && !string.Equals(requested.Trim(), (await renderer.RenderAsync(http.Viewer(), current[0], ct)).Audience, StringComparison.OrdinalIgnoreCase))
                throw ApiException.Unprocessable("Validation failed: the audience of a published post cannot be changed; delete it and post again");
        }
        var status = await publisher.EditAsync(http.Viewer(), statusId, p.Get("status"), p.Get("spoiler_text"), p.GetBool("sensitive"), p.Get("language"),
            p.Get("leak_guard_override"), ct);
        var loaded = await renderer.LoadAsync([status.Id], ct);
        return TypedResults.Ok(await renderer.RenderAsync(http.Viewer(), loaded[0], ct));
    }

    private static async Task<Results<Ok<StatusEntity>, NotFound<ApiError>>> DeleteStatus(string id, HttpContext http, StatusFinder finder, StatusPublisher publisher, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var status = await finder.FindVisibleAsync(viewer, id, ct);
        if (status is null || (status.AccountId != viewer.AccountId && !viewer.IsModerator)) return TypedResults.NotFound(ApiError.NotFound);
        var rendered = await renderer.RenderAsync(viewer, status, ct) with { Text = status.Text };
        await publisher.DeleteAsync(viewer, status, ct);
        return TypedResults.Ok(rendered);
    }

    private static async Task<Results<Ok<ContextEntity>, NotFound<ApiError>>> GetContext(string id, HttpContext http, StatusFinder finder, StatusRenderer renderer, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var status = await finder.FindVisibleAsync(viewer, id, ct);
        if (status is null) return TypedResults.NotFound(ApiError.NotFound);

        var (ancestors, descendants) = await finder.ContextAsync(viewer, status, ct);
        var loaded = await renderer.LoadAsync([.. ancestors, .. descendants], ct);
        var rendered = (await renderer.RenderManyAsync(viewer, loaded, ct)).ToDictionary(s => s.Id);
        return TypedResults.Ok(new ContextEntity(
            ancestors.Select(Ids.Format).Where(rendered.ContainsKey).Select(i => rendered[i]).ToList(),
            descendants.Select(Ids.Format).Where(rendered.ContainsKey).Select(i => rendered[i]).ToList()));
    }

    private static async Task<Results<Ok<List<StatusEditEntity>>, NotFound<ApiError>>> GetHistory(string id, HttpContext http, StatusFinder finder, GazouilleDb db, StatusRenderer renderer, AccountRenderer accounts, InstanceUrls urls, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var status = await finder.FindVisibleAsync(viewer, id, ct);
        if (status is null || status.ReblogOf is not null) return TypedResults.NotFound(ApiError.NotFound);
        var author = await accounts.RenderAsync(viewer, status.Account!, ct: ct);
        var edits = await db.StatusEdits.AsNoTracking().Where(e => e.StatusId == status.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var current = await renderer.RenderAsync(viewer, status, ct);
        if (edits.Count == 0)
            return TypedResults.Ok(new List<StatusEditEntity> { new(current.Content, status.SpoilerText, status.Sensitive, current.CreatedAt, author, [], []) });
        var mentionUrls = current.Mentions.ToDictionary(m => m.Username.ToLowerInvariant(), m => m.Url);
        return TypedResults.Ok(edits.Select(e => new StatusEditEntity(
            StatusText.Render(e.Text, u => mentionUrls.GetValueOrDefault(u), urls.Base), e.SpoilerText, e.Sensitive,
            AccountRenderer.Iso(e.CreatedAt), author, [], [])).ToList());
    }

    private static async Task<Results<Ok<StatusSourceEntity>, NotFound<ApiError>>> GetSource(string id, HttpContext http, StatusFinder finder, CancellationToken ct)
    {
        var status = await finder.FindVisibleAsync(http.Viewer(), id, ct);
        if (status is null || status.AccountId != http.Viewer().AccountId) return TypedResults.NotFound(ApiError.NotFound);
        return TypedResults.Ok(new StatusSourceEntity(Ids.Format(status.Id), status.Text, status.SpoilerText));
    }
}

/// <summary>Finds a status the viewer may read; anything else is indistinguishable from a status that does not exist (I4).</summary>
public sealed class StatusFinder(GazouilleDb db, StatusRenderer renderer)
{
    public async Task<Status?> FindVisibleAsync(Viewer viewer, string rawId, CancellationToken ct)
    {
        if (!Ids.TryParse(rawId, out var id)) return null;
        var visible = await db.Statuses.Where(Visibility.StatusesVisibleToAuthorIncluded(viewer)).AnyAsync(s => s.Id == id, ct);
        if (!visible) return null;
        var loaded = await renderer.LoadAsync([id], ct);
        return loaded.FirstOrDefault();
    }

    /// <summary>The ids of the visible ancestors (oldest first) and descendants (depth first) of a status in its thread.</summary>
    public async Task<(List<long> Ancestors, List<long> Descendants)> ContextAsync(Viewer viewer, Status status, CancellationToken ct)
    {
        var thread = await db.Statuses.AsNoTracking().Where(Visibility.StatusesVisibleTo(viewer))
            .Where(s => s.ThreadId == status.ThreadId && s.ReblogOfId == null)
            .OrderBy(s => s.Id).Take(4000).Select(s => new { s.Id, s.InReplyToId }).ToListAsync(ct);
        var parentOf = thread.ToDictionary(s => s.Id, s => s.InReplyToId);

        var ancestors = new List<long>();
        var cursor = status.InReplyToId;
        while (cursor is { } c && parentOf.TryGetValue(c, out var up) && ancestors.Count < 1000)
        {
            ancestors.Insert(0, c);
            cursor = up;
        }
        var children = thread.Where(s => s.InReplyToId is not null).ToLookup(s => s.InReplyToId!.Value, s => s.Id);
        var descendants = new List<long>();
        void Walk(long parent)
        {
            foreach (var child in children[parent])
            {
                descendants.Add(child);
                if (descendants.Count < 4000) Walk(child);
            }
        }
        Walk(status.Id);

        return (ancestors, descendants);
    }
}
