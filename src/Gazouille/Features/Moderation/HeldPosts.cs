using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Statuses;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Moderation;

/// <summary>
/// What moderators do with held posts: approve (published now, its notifications sent then), reject with a reason
/// (the author is told why), or ask the author for an edit (the post stays held). Each decision is audited, and two
/// moderators deciding at once cannot both win: the state changes only if the post is still held.
/// </summary>
public sealed class HeldPosts(
    GazouilleDb db, StatusPublisher publisher, AuditLog audit, LeakGate guard, TimeProvider clock, Trust.PostSigner signer,
    Streaming.StreamOutbox stream, Operations.GazouilleMetrics metrics)
{
    public const string RejectedNotification = "gazouille.leak_guard.rejected";
    public const string ApprovedNotification = "gazouille.leak_guard.approved";
    public const string EditRequestedNotification = "gazouille.leak_guard.edit_requested";
    public const int MaxReasonLength = 1000;

    /// <summary>The posts waiting in the queue: held, not boosts, with a review still pending.</summary>
    public IQueryable<Status> Pending() =>
        db.Statuses.AsNoTracking().Where(s => s.State == StatusState.Held && s.ReblogOfId == null && db.LeakReviews.Any(r => r.StatusId == s.Id && r.Pending));

    public async Task ApproveAsync(Viewer moderator, long id, CancellationToken ct)
    {
        var (status, review) = await FindHeldAsync(moderator, id, ct);
        await signer.PrepareAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Statuses.Where(s => s.Id == id && s.State == StatusState.Held).ExecuteUpdateAsync(u => u.SetProperty(s => s.State, StatusState.Published), ct) == 0)
            throw NoLongerHeld();
        status.State = StatusState.Published;
        await publisher.SetBoostsStateAsync(id, StatusState.Published, ct);
        var now = clock.GetUtcNow();
        Close(review, moderator, "approved", null, now);
        await db.Users.Where(a => a.Id == status.AccountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.LastStatusAt, now), ct);
        await publisher.NotifyPublishedAsync(status, ct);
        // Signed now: a held version is attested only once a moderator lets it out.
        await signer.SignAsync(status, ct);
        TellAuthor(status, ApprovedNotification, now);
        // Streams get the post now, never before: a held post is nobody's event until a moderator approves it.
        stream.Raise(db, Streaming.StreamEvent.Published(id));
        foreach (var boost in await db.Statuses.Where(s => s.ReblogOfId == id && s.State == StatusState.Published).Select(s => s.Id).ToListAsync(ct))
            stream.Raise(db, Streaming.StreamEvent.Published(boost));
        metrics.PostPublished();
        await audit.AppendAsync(await guard.ActorAsync(moderator.AccountId, ct), "moderation.approve", $"status:{id}",
            new { author = status.AccountId, decision = review?.Decision, leak_audience = review?.Audience }, ct);
        await tx.CommitAsync(ct);
    }

    public async Task RejectAsync(Viewer moderator, long id, string? rawReason, CancellationToken ct)
    {
        var (status, review) = await FindHeldAsync(moderator, id, ct);
        var reason = ValidateReason(rawReason, required: true)!;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Statuses.Where(s => s.Id == id && s.State == StatusState.Held).ExecuteUpdateAsync(u => u.SetProperty(s => s.State, StatusState.Rejected), ct) == 0)
            throw NoLongerHeld();
        var now = clock.GetUtcNow();
        Close(review, moderator, "rejected", reason, now);
        TellAuthor(status, RejectedNotification, now);
        await audit.AppendAsync(await guard.ActorAsync(moderator.AccountId, ct), "moderation.reject", $"status:{id}",
            new { author = status.AccountId, decision = review?.Decision, leak_audience = review?.Audience, reason }, ct);
        await tx.CommitAsync(ct);
    }

    public async Task RequestEditAsync(Viewer moderator, long id, string? rawReason, CancellationToken ct)
    {
        var (status, review) = await FindHeldAsync(moderator, id, ct);
        var reason = ValidateReason(rawReason, required: true)!;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Statuses.AnyAsync(s => s.Id == id && s.State == StatusState.Held, ct)) throw NoLongerHeld();
        var now = clock.GetUtcNow();
        if (review is not null)
        {
            review.Outcome = "edit_requested";
            review.ReviewReason = reason;
            review.ReviewedById = moderator.AccountId;
            review.ReviewedAt = now;
        }
        TellAuthor(status, EditRequestedNotification, now);
        await audit.AppendAsync(await guard.ActorAsync(moderator.AccountId, ct), "moderation.request_edit", $"status:{id}",
            new { author = status.AccountId, decision = review?.Decision, reason }, ct);
        await tx.CommitAsync(ct);
    }

    private async Task<(Status Status, LeakReview? Review)> FindHeldAsync(Viewer moderator, long id, CancellationToken ct)
    {
        if (!moderator.IsModerator) throw ApiException.Forbidden("Only moderators and administrators review held posts");
        var status = await db.Statuses.AsNoTracking().Include(s => s.Mentions).Include(s => s.AudienceOrgs)
            .FirstOrDefaultAsync(s => s.Id == id && s.ReblogOfId == null && s.State != StatusState.Published, ct) ?? throw ApiException.NotFound();
        if (status.State != StatusState.Held) throw NoLongerHeld();
        if (status.AccountId == moderator.AccountId) throw ApiException.Forbidden("Another moderator must review your own post");
        var review = await db.LeakReviews.FirstOrDefaultAsync(r => r.StatusId == id, ct);
        return (status, review);
    }

    private static ApiException NoLongerHeld() => ApiException.Unprocessable("Validation failed: this post is no longer waiting for review (another moderator decided)");

    private static void Close(LeakReview? review, Viewer moderator, string outcome, string? reason, DateTimeOffset now)
    {
        if (review is null) return;
        review.Pending = false;
        review.Outcome = outcome;
        review.ReviewReason = reason;
        review.ReviewedById = moderator.AccountId;
        review.ReviewedAt = now;
    }

    /// <summary>The author learns of the decision through a notification "from" their own account: moderators stay anonymous.</summary>
    private void TellAuthor(Status status, string type, DateTimeOffset now) =>
        db.Notifications.Add(new Notification { Id = Snowflake.NewId(now), AccountId = status.AccountId, FromAccountId = status.AccountId, Type = type, StatusId = status.Id, CreatedAt = now });

    public static string? ValidateReason(string? raw, bool required)
    {
        var text = StatusText.NormalizeNewlines(raw ?? "").Trim();
        if (text.Length == 0)
            return required ? throw ApiException.Unprocessable("Validation failed: reason must tell the author why (it cannot be empty)") : null;
        if (text.Length > MaxReasonLength) throw ApiException.Unprocessable($"Validation failed: reason is longer than {MaxReasonLength} characters");
        if (text.Any(c => char.IsControl(c) && c != '\n')) throw ApiException.Unprocessable("Validation failed: reason contains characters that are not text");
        return text;
    }
}
