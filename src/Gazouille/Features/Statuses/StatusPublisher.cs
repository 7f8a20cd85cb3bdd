using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Notifications;
using Gazouille.Hosting;
using Gazouille.LeakGuard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Statuses;

public sealed record NewStatus(
    string? Text, string? SpoilerText, bool Sensitive, string? Language, long? InReplyToId, string? Audience, string? Visibility, string? IdempotencyKey)
{
    /// <summary>The author's justification for publishing despite a Leak Guard warning.</summary>
    public string? LeakGuardOverride { get; init; }
}

/// <summary>
/// Writes posts: create, edit, delete. Every failure is an <see cref="ApiException"/> thrown before anything is saved.
/// The Leak Guard judges every new text for the post's audience before it is saved (see <see cref="LeakGate"/>).
/// </summary>
public sealed class StatusPublisher(
    GazouilleDb db, AudienceResolver audiences, ViewerLoader viewers, Notifier notifier, IOptions<GazouilleSettings> settings, TimeProvider clock,
    LeakGate guard, AuditLog audit, Trust.PostSigner signer, Streaming.StreamOutbox stream, Operations.GazouilleMetrics metrics)
{
    /// <summary>
    /// The post the last <see cref="CreateAsync"/> wrote, detached from the context and with its author and mentioned
    /// accounts attached, as <see cref="StatusRenderer.LoadAsync"/> would read it back, with what else its rendering
    /// needs: the answer to its creation is rendered from it without reading anything back (six statements per post).
    /// Null when it answered with a post written earlier (the same Idempotency-Key), which may have been answered,
    /// boosted or favourited since and is rendered like any read.
    /// </summary>
    public NewPost? LastCreated { get; private set; }

    public async Task<Status> CreateAsync(Viewer author, NewStatus input, CancellationToken ct)
    {
        LastCreated = null;
        if (input.IdempotencyKey is { Length: > 0 } key)
        {
            if (key.Length > 256) throw ApiException.Unprocessable("Validation failed: Idempotency-Key is too long (maximum is 256 characters)");
            var previous = await db.IdempotencyRecords.AsNoTracking().Where(r => r.AccountId == author.AccountId && r.Key == key)
                .Select(r => (long?)r.StatusId).FirstOrDefaultAsync(ct);
            if (previous is { } id && await db.Statuses.Include(s => s.Mentions).Include(s => s.AudienceOrgs).FirstOrDefaultAsync(s => s.Id == id, ct) is { } earlier)
                return earlier;
        }

        var text = StatusText.NormalizeNewlines(input.Text ?? "");
        var spoiler = StatusText.NormalizeNewlines(input.SpoilerText ?? "").Trim();
        ValidateText(text, spoiler);
        await signer.PrepareAsync(ct);
        var language = ValidateLanguage(input.Language);
        var justification = guard.ValidateOverride(input.LeakGuardOverride);

        Status? parent = null;
        if (input.InReplyToId is { } parentId)
        {
            parent = await db.Statuses.AsNoTracking().Include(s => s.AudienceOrgs).Include(s => s.Mentions)
                .Where(Visibility.StatusesVisibleTo(author)).FirstOrDefaultAsync(s => s.Id == parentId && s.ReblogOfId == null, ct)
                ?? throw ApiException.NotFound();
        }

        var account = await db.Users.AsNoTracking().FirstAsync(a => a.Id == author.AccountId, ct);
        var (audience, error) = await audiences.ResolveAsync(author, input.Audience, input.Visibility, account.DefaultAudience, parent, ct);
        if (audience is null) throw ApiException.Unprocessable("Validation failed: " + error);
        if (parent is not null && author.IsGuest && !AudienceResolver.IsWithin(audience, parent))
            throw ApiException.Unprocessable("Validation failed: a reply stays in the channel of the post it answers");

        var now = clock.GetUtcNow();
        var status = new Status
        {
            Id = Snowflake.NewId(now), AccountId = author.AccountId, Text = text, SpoilerText = spoiler, Sensitive = input.Sensitive || spoiler.Length > 0,
            Language = language, AudienceKind = audience.Kind, AudienceTeamId = audience.TeamId, AudienceOwnerId = audience.OwnerId,
            Listed = audience.Listed, InReplyToId = parent?.Id, InReplyToAccountId = parent?.AccountId, State = StatusState.Published, CreatedAt = now,
        };
        status.ThreadId = parent?.ThreadId ?? status.Id;
        status.AudienceOrgs = audience.OrgIds.Select(o => new StatusAudienceOrg { StatusId = status.Id, PartnerOrgId = o }).ToList();

        var (mentioned, teams) = await ResolveMentionsAsync(author, text, ct);
        if (audience.Kind == AudienceKind.Direct && parent is not null)
        {
            // A private reply reaches only people who could already read the conversation (I2).
            var allowed = new List<Account>();
            foreach (var m in mentioned)
                if (await viewers.LoadAsync(m.Id, ct) is { } v && Visibility.CanSee(v, parent)) allowed.Add(m);
            mentioned = allowed;
        }
        status.Mentions = mentioned.Select(m => new StatusMention { StatusId = status.Id, AccountId = m.Id }).ToList();
        status.Tags = StatusText.Hashtags(text).Select(t => new StatusTag { StatusId = status.Id, Name = t }).ToList();

        var audienceText = await AudienceTextAsync(audience.Kind, audience.TeamId, audience.OrgIds, ct);
        var target = await guard.TargetAsync(author, audience.Kind, audience.OrgIds, mentioned.Select(m => m.Id).ToList(), ct);
        var verdict = await guard.JudgeAsync(text, spoiler, target, ct);
        status.State = await guard.DecideAsync(author.AccountId, verdict, justification, audienceText, "status:new", ct);

        db.Statuses.Add(status);
        db.StatusTeamMentions.AddRange(teams.Select(t => new StatusTeamMention { StatusId = status.Id, TeamId = t.Id }));
        if (input.IdempotencyKey is { Length: > 0 } k)
            db.IdempotencyRecords.Add(new IdempotencyRecord { AccountId = author.AccountId, Key = k, StatusId = status.Id, CreatedAt = now });
        var review = Remember(status, verdict, verdict.Decision == LeakDecision.Warn ? justification : null, now);
        if (status.State == StatusState.Published)
        {
            using (ChangeClock.Declare(new ChangeKey(ChangeKind.Account, author.AccountId)))
                await db.Users.Where(a => a.Id == author.AccountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.LastStatusAt, now), ct);
            await NotifyPublishedAsync(status, ct);
            await signer.SignAsync(status, ct, account.UserName);
        }

        try
        {
            await SaveAuditedAsync(author.AccountId, status, verdict, justification, audienceText, ct);
        }
        catch (DbUpdateException) when (input.IdempotencyKey is { Length: > 0 })
        {
            // Two requests with the same key raced: the other one won; answer with its post.
            db.ChangeTracker.Clear();
            var winner = await db.IdempotencyRecords.AsNoTracking().Where(r => r.AccountId == author.AccountId && r.Key == input.IdempotencyKey)
                .Select(r => r.StatusId).FirstAsync(ct);
            return await db.Statuses.AsNoTracking().FirstAsync(s => s.Id == winner, ct);
        }
        LastCreated = new NewPost(AsRead(status, account, mentioned), teams.Select(t => t.Handle).ToList(), review, guard.LanguageOf(account.Language));
        return status;
    }

    private Status AsRead(Status status, Account author, List<Account> mentioned)
    {
        var copy = (Status)db.Entry(status).CurrentValues.ToObject();
        var accounts = mentioned.ToDictionary(a => a.Id);
        // The author's row as it is now: publishing set its LastStatusAt with a statement of its own.
        if (status.State == StatusState.Published) author.LastStatusAt = status.CreatedAt;
        copy.Account = author;
        copy.Mentions = status.Mentions.Select(m => new StatusMention { StatusId = m.StatusId, AccountId = m.AccountId, Account = accounts[m.AccountId] }).ToList();
        copy.Tags = status.Tags.Select(t => new StatusTag { StatusId = t.StatusId, Name = t.Name }).ToList();
        copy.AudienceOrgs = status.AudienceOrgs.Select(o => new StatusAudienceOrg { StatusId = o.StatusId, PartnerOrgId = o.PartnerOrgId }).ToList();
        return copy;
    }

    public Task<Status> EditAsync(Viewer author, long id, string? text, string? spoilerText, bool? sensitive, string? language, CancellationToken ct) =>
        EditAsync(author, id, text, spoilerText, sensitive, language, null, ct);

    /// <summary>
    /// Edits a post. The new text is judged for the post's audience like a new post: a held post whose new text passes
    /// is published (its notifications go out then); a published post whose new text must be reviewed becomes held.
    /// A post a moderator rejected cannot be edited.
    /// </summary>
    public async Task<Status> EditAsync(Viewer author, long id, string? text, string? spoilerText, bool? sensitive, string? language, string? leakGuardOverride, CancellationToken ct)
    {
        var status = await db.Statuses.Include(s => s.Mentions).Include(s => s.Tags).Include(s => s.AudienceOrgs)
            .FirstOrDefaultAsync(s => s.Id == id && s.AccountId == author.AccountId && s.ReblogOfId == null, ct)
            ?? throw ApiException.NotFound();
        if (status.State == StatusState.Rejected)
            throw ApiException.Unprocessable("Validation failed: a moderator rejected this post; it cannot be edited. Write a new one.");
        if (status.State == StatusState.Hidden)
            throw ApiException.Unprocessable("Validation failed: a moderator hid this post after a report; it cannot be edited.");
        var newText = text is null ? status.Text : StatusText.NormalizeNewlines(text);
        var newSpoiler = spoilerText is null ? status.SpoilerText : StatusText.NormalizeNewlines(spoilerText).Trim();
        ValidateText(newText, newSpoiler);
        await signer.PrepareAsync(ct);
        var justification = guard.ValidateOverride(leakGuardOverride);
        var now = clock.GetUtcNow();

        // Judged before anything changes: a refusal saves nothing but its audit entry.
        var orgIds = status.AudienceOrgs.Select(o => o.PartnerOrgId).ToArray();
        var audienceText = await AudienceTextAsync(status.AudienceKind, status.AudienceTeamId, orgIds, ct);
        var target = await guard.TargetAsync(author, status.AudienceKind, orgIds, status.Mentions.Select(m => m.AccountId).ToList(), ct);
        var verdict = await guard.JudgeAsync(newText, newSpoiler, target, ct);
        var wasPublished = status.State == StatusState.Published;
        status.State = await guard.DecideAsync(author.AccountId, verdict, justification, audienceText, $"status:{status.Id}", ct);

        if (status.EditCount == 0)
            db.StatusEdits.Add(new StatusEdit { Id = Snowflake.NewId(status.CreatedAt), StatusId = status.Id, Text = status.Text, SpoilerText = status.SpoilerText, Sensitive = status.Sensitive, CreatedAt = status.CreatedAt });
        status.Text = newText;
        status.SpoilerText = newSpoiler;
        status.Sensitive = (sensitive ?? status.Sensitive) || newSpoiler.Length > 0;
        if (language is not null) status.Language = ValidateLanguage(language);
        status.EditedAt = now;
        status.EditCount++;
        db.StatusEdits.Add(new StatusEdit { Id = Snowflake.NewId(now), StatusId = status.Id, Text = status.Text, SpoilerText = status.SpoilerText, Sensitive = status.Sensitive, CreatedAt = now });

        // Mentions of a direct message are its audience: an edit never adds readers. Elsewhere they follow the text.
        if (status.AudienceKind != AudienceKind.Direct)
        {
            var (mentioned, _) = await ResolveMentionsAsync(author, newText, ct);
            status.Mentions.RemoveAll(m => mentioned.All(a => a.Id != m.AccountId));
            foreach (var m in mentioned.Where(m => status.Mentions.All(x => x.AccountId != m.Id)))
                status.Mentions.Add(new StatusMention { StatusId = status.Id, AccountId = m.Id });
        }
        var tags = StatusText.Hashtags(newText);
        status.Tags.RemoveAll(t => !tags.Contains(t.Name));
        foreach (var t in tags.Where(t => status.Tags.All(x => x.Name != t))) status.Tags.Add(new StatusTag { StatusId = status.Id, Name = t });

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var review = await db.LeakReviews.FirstOrDefaultAsync(r => r.StatusId == status.Id, ct);
        Remember(status, verdict, verdict.Decision == LeakDecision.Warn ? justification : null, now, review);
        if (wasPublished != (status.State == StatusState.Published)) await SetBoostsStateAsync(status.Id, status.State, ct);
        // Streams: an edit of a published post is shown again; a post held by its edit disappears until it is approved.
        if (status.State == StatusState.Published)
        {
            stream.Raise(db, wasPublished ? Streaming.StreamEvent.Edited(status.Id) : Streaming.StreamEvent.Published(status.Id));
            if (!wasPublished) metrics.PostPublished();
        }
        else if (wasPublished)
        {
            stream.Raise(db, Streaming.StreamEvent.Removed(status));
        }
        if (status.State == StatusState.Published)
        {
            var boosters = await db.Statuses.Where(s => s.ReblogOfId == status.Id).Select(s => s.AccountId).Distinct().ToListAsync(ct);
            foreach (var b in boosters) await notifier.NotifyAsync(b, author.AccountId, "update", status, ct);
            if (!wasPublished) await NotifyPublishedAsync(status, ct);
            await signer.SignAsync(status, ct);
        }
        await SaveAuditedAsync(author.AccountId, status, verdict, justification, audienceText, ct);
        await tx.CommitAsync(ct);
        return status;
    }

    /// <summary>Boosts follow their original: held with it (they would show its text), published again with it.</summary>
    public Task SetBoostsStateAsync(long originalId, StatusState state, CancellationToken ct) =>
        db.Statuses.Where(s => s.ReblogOfId == originalId && s.State != StatusState.Rejected && s.State != StatusState.Hidden).ExecuteUpdateAsync(u => u.SetProperty(s => s.State, state), ct);

    /// <summary>Notifies the mentioned people and the parent's author, once a post is published (now or on approval).</summary>
    public async Task NotifyPublishedAsync(Status status, CancellationToken ct)
    {
        foreach (var m in status.Mentions) await notifier.NotifyAsync(m.AccountId, status.AccountId, "mention", status, ct);
        if (status.InReplyToAccountId is { } parentAuthor && status.Mentions.All(m => m.AccountId != parentAuthor))
            await notifier.NotifyAsync(parentAuthor, status.AccountId, "mention", status, ct);
    }

    /// <summary>Keeps the verdict with the post when there is anything to show (findings, a justification, a hold).</summary>
    /// <returns>The review kept with the post, or null when there is none.</returns>
    private LeakReview? Remember(Status status, LeakJudgement verdict, string? justification, DateTimeOffset now, LeakReview? previous = null)
    {
        if (verdict.Findings.Count == 0 && justification is null && status.State == StatusState.Published)
        {
            if (previous is not null) db.LeakReviews.Remove(previous);
            return null;
        }
        var review = previous ?? db.LeakReviews.Add(new LeakReview { StatusId = status.Id, AccountId = status.AccountId }).Entity;
        review.Decision = verdict.Decision.ToWire();
        review.Audience = verdict.Audience.ToWire();
        review.Score = verdict.Score;
        review.FindingsJson = LeakReport.SerializeFindings(verdict);
        review.Types = LeakReport.TypesOf(verdict);
        review.Override = justification;
        review.CheckedAt = now;
        review.Pending = status.State == StatusState.Held;
        // An edit that is still held keeps the moderator's earlier request, so the queue shows it came back.
        if (status.State != StatusState.Held)
        {
            review.Outcome = null;
            review.ReviewReason = null;
            review.ReviewedById = null;
            review.ReviewedAt = null;
        }
        return review;
    }

    /// <summary>Saves the post; a hold or an overridden warning is audited in the same transaction.</summary>
    private async Task SaveAuditedAsync(long authorId, Status status, LeakJudgement verdict, string? justification, string audienceText, CancellationToken ct)
    {
        var action = status.State == StatusState.Held ? "leak_guard.hold"
            : verdict.Decision == LeakDecision.Warn && justification is not null ? "leak_guard.override"
            : null;
        if (action is null)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        await audit.AppendAsync(await guard.ActorAsync(authorId, ct), action, $"status:{status.Id}", LeakReport.AuditDetails(verdict, audienceText, justification), ct);
    }

    private async Task<string> AudienceTextAsync(AudienceKind kind, long? teamId, IReadOnlyCollection<long> orgIds, CancellationToken ct)
    {
        var team = teamId is { } t ? await db.Teams.AsNoTracking().Where(x => x.Id == t).Select(x => x.Handle).FirstOrDefaultAsync(ct) : null;
        var orgs = orgIds.Count == 0 ? [] : await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).Select(o => o.Handle).ToListAsync(ct);
        return AudienceSpec.Format(kind, team, orgs);
    }

    /// <summary>Deletes a post and its boosts; joins the caller's transaction if there is one (a moderator acting on a report).</summary>
    public async Task DeleteAsync(Viewer viewer, Status status, CancellationToken ct)
    {
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        // Who could read the post and its boosts is kept for the streams' delete events: afterwards nothing is left to ask.
        var gone = await db.Statuses.AsNoTracking().AsSplitQuery().Include(s => s.Mentions).Include(s => s.AudienceOrgs).Include(s => s.Tags)
            .Where(s => (s.Id == status.Id || s.ReblogOfId == status.Id) && s.State == StatusState.Published).ToListAsync(ct);
        foreach (var s in gone) stream.Raise(db, Streaming.StreamEvent.Removed(s));
        var ids = await db.Statuses.Where(s => s.Id == status.Id || s.ReblogOfId == status.Id).Select(s => s.Id).ToListAsync(ct);
        await db.Favourites.Where(f => ids.Contains(f.StatusId)).ExecuteDeleteAsync(ct);
        await db.Bookmarks.Where(f => ids.Contains(f.StatusId)).ExecuteDeleteAsync(ct);
        await db.StatusEdits.Where(e => ids.Contains(e.StatusId)).ExecuteDeleteAsync(ct);
        await db.StatusProofs.Where(e => ids.Contains(e.StatusId)).ExecuteDeleteAsync(ct);
        await db.StatusTeamMentions.Where(e => ids.Contains(e.StatusId)).ExecuteDeleteAsync(ct);
        await db.IdempotencyRecords.Where(e => ids.Contains(e.StatusId)).ExecuteDeleteAsync(ct);
        await db.Notifications.Where(n => n.StatusId != null && ids.Contains(n.StatusId.Value)).ExecuteDeleteAsync(ct);
        await db.StatusMentions.Where(n => ids.Contains(n.StatusId)).ExecuteDeleteAsync(ct);
        await db.StatusTags.Where(n => ids.Contains(n.StatusId)).ExecuteDeleteAsync(ct);
        await db.StatusAudienceOrgs.Where(n => ids.Contains(n.StatusId)).ExecuteDeleteAsync(ct);
        await db.LeakReviews.Where(r => ids.Contains(r.StatusId)).ExecuteDeleteAsync(ct);
        await db.Statuses.Where(s => s.ReblogOfId == status.Id).ExecuteDeleteAsync(ct);
        await db.Statuses.Where(s => s.Id == status.Id).ExecuteDeleteAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
    }

    private void ValidateText(string text, string spoiler)
    {
        var max = settings.Value.Posts.MaxLength;
        if (StatusText.Validate(text, max) is { } error) throw ApiException.Unprocessable("Validation failed: " + error);
        if (spoiler.Length > 0 && StatusText.Validate(spoiler, max) is { } e2) throw ApiException.Unprocessable("Validation failed: spoiler_text: " + e2);
        if (StatusText.CountCharacters(text) + StatusText.CountCharacters(spoiler) > max)
            throw ApiException.Unprocessable($"Validation failed: Text and content warning together are longer than {max} characters");
    }

    private static string? ValidateLanguage(string? language)
    {
        if (string.IsNullOrWhiteSpace(language)) return null;
        var l = language.Trim().ToLowerInvariant();
        if (l.Length is < 2 or > 3 || !l.All(char.IsAsciiLetterLower))
            throw ApiException.Unprocessable("Validation failed: language must be an ISO 639 code such as fr or en");
        return l;
    }

    private async Task<(List<Account> Accounts, List<(long Id, string Handle)> Teams)> ResolveMentionsAsync(Viewer author, string text, CancellationToken ct)
    {
        var names = StatusText.Mentions(text).Take(30).ToArray();
        if (names.Length == 0) return ([], []);
        var normalized = names.Select(n => n.ToUpperInvariant()).ToArray();
        var accounts = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(author))
            .Where(a => normalized.Contains(a.NormalizedUserName!)).ToListAsync(ct);
        var rest = names.Where(n => accounts.All(a => !string.Equals(a.UserName, n, StringComparison.OrdinalIgnoreCase))).ToArray();
        var teams = rest.Length == 0 ? [] : await db.Teams.AsNoTracking().Where(t => rest.Contains(t.Handle))
            .Where(t => author.IsEmployee || author.GrantedTeamIds.Contains(t.Id)).Select(t => new { t.Id, t.Handle }).ToListAsync(ct);
        return (accounts, teams.Select(t => (t.Id, t.Handle)).ToList());
    }
}
