using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Timelines;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Statuses;

/// <summary>
/// What the publisher knows of a post it has just written (<see cref="StatusPublisher.LastCreated"/>): the post,
/// detached, with its author and mentioned accounts; the handles of the teams it mentions; the guard's verdict kept with
/// it, if any; and its author's language for that verdict's explanations.
/// </summary>
public sealed record NewPost(Status Status, IReadOnlyList<string> TeamMentions, LeakReview? Review, string Language);

/// <summary>
/// Loads and renders statuses for one viewer. Counts only include replies, boosts and favourites that the viewer may
/// see (I3), and the viewer's own flags come from the viewer's rows.
/// </summary>
public sealed class StatusRenderer(GazouilleDb db, AccountRenderer accounts, InstanceUrls urls, LeakGate guard, ViewerPageCache cache)
{
    /// <summary>
    /// A timeline page's posts as <see cref="LoadAsync"/> then <see cref="RenderManyAsync"/> make them, kept
    /// (<see cref="ViewerPageCache"/>) until one of the posts, what is counted on them, or one of the accounts shown changes.
    /// The list and its entities are shared with later requests: callers must not change them.
    /// </summary>
    public async Task<RenderedPage> RenderPageAsync(Viewer viewer, IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return RenderedPage.Empty;
        var key = "page:" + string.Join(',', ids);
        var urlBase = urls.Base;
        if (cache.TryGet(viewer, urlBase, key, out RenderedPage cached)) return cached;
        var since = cache.Start();
        var loaded = await LoadAsync(ids, ct);
        var rendered = await RenderManyAsync(viewer, loaded, ct);
        var deps = new HashSet<ChangeKey> { new(ChangeKind.Account, viewer.AccountId) };
        foreach (var s in loaded.Concat(loaded.Where(s => s.ReblogOf is not null).Select(s => s.ReblogOf!)))
        {
            deps.Add(new(ChangeKind.Status, s.Id));
            deps.Add(new(ChangeKind.Account, s.AccountId));
            foreach (var m in s.Mentions) deps.Add(new(ChangeKind.Account, m.AccountId));
        }
        // A post that is no longer there (deleted between the two reads) is a dependency too: it must not stay missing.
        foreach (var id in ids) deps.Add(new(ChangeKind.Status, id));
        var page = new RenderedPage(rendered);
        cache.Store(viewer, urlBase, key, since, [.. deps], page);
        return page;
    }

    /// <summary>Loads statuses by id with everything rendering needs, in the order of <paramref name="ids"/>.</summary>
    /// <remarks>
    /// Five small queries (the posts with their authors, the boosted originals with theirs, then mentions, tags and partner
    /// orgs of all of them) rather than one Include graph: EF's split query repeated the posts-and-authors join in each of its
    /// nine parts, and that was a quarter of a home timeline request.
    /// </remarks>
    public async Task<List<Status>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        var wanted = ids as long[] ?? ids.ToArray();
        var rows = await db.Statuses.AsNoTracking().Include(s => s.Account).Where(s => wanted.Contains(s.Id)).ToListAsync(ct);
        var originalIds = rows.Where(s => s.ReblogOfId is not null).Select(s => s.ReblogOfId!.Value).Distinct().ToArray();
        var originals = originalIds.Length == 0
            ? []
            : await db.Statuses.AsNoTracking().Include(s => s.Account).Where(s => originalIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var all = rows.Concat(originals.Values).ToList();
        var allIds = all.Select(s => s.Id).Distinct().ToArray();
        var mentions = (await db.StatusMentions.AsNoTracking().Include(m => m.Account).Where(m => allIds.Contains(m.StatusId)).ToListAsync(ct))
            .ToLookup(m => m.StatusId);
        var tags = (await db.StatusTags.AsNoTracking().Where(t => allIds.Contains(t.StatusId)).ToListAsync(ct)).ToLookup(t => t.StatusId);
        var orgs = (await db.StatusAudienceOrgs.AsNoTracking().Where(o => allIds.Contains(o.StatusId)).ToListAsync(ct)).ToLookup(o => o.StatusId);
        foreach (var s in all)
        {
            s.Mentions = [.. mentions[s.Id]];
            s.Tags = [.. tags[s.Id]];
            s.AudienceOrgs = [.. orgs[s.Id]];
        }
        foreach (var s in rows)
            if (s.ReblogOfId is { } original) s.ReblogOf = originals.GetValueOrDefault(original);
        var byId = rows.ToDictionary(s => s.Id);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public async Task<StatusEntity> RenderAsync(Viewer viewer, Status status, CancellationToken ct = default) =>
        (await RenderManyAsync(viewer, [status], ct))[0];

    /// <summary>
    /// A post its author has just written, for the answer to its creation: nobody can have replied to it, boosted it,
    /// favourited or bookmarked it yet, so the four queries that count and mark are left out (they were the most expensive
    /// part of publishing: each carries the visibility rule), and its team mentions, the guard's verdict and the author's
    /// language come from the publisher rather than from the database. Everything else is rendered as for any read.
    /// </summary>
    public async Task<StatusEntity> RenderNewAsync(Viewer author, NewPost post, CancellationToken ct = default) =>
        (await RenderManyAsync(author, [post.Status], post, ct))[0];

    /// <summary>
    /// True when nobody has replied to, boosted, favourited or bookmarked <paramref name="status"/> (nor, for a boost, the
    /// post it boosts): every count then reads 0 and no viewer has a mark, whatever each viewer may see.
    /// </summary>
    public async Task<bool> NobodyReactedAsync(Status status, CancellationToken ct = default)
    {
        long[] ids = status.ReblogOfId is { } original ? [status.Id, original] : [status.Id];
        // One round trip: the hub asks this for every post it streams to more than one account.
        return !await db.Statuses.Where(s => (s.InReplyToId != null && ids.Contains(s.InReplyToId.Value))
                    || (s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))).Select(s => s.Id)
            .Concat(db.Favourites.Where(f => ids.Contains(f.StatusId)).Select(f => f.Id))
            .Concat(db.Bookmarks.Where(b => ids.Contains(b.StatusId)).Select(b => b.Id))
            .AnyAsync(ct);
    }

    /// <summary>
    /// Whether <paramref name="viewer"/> gets, for a post <see cref="NobodyReactedAsync"/> found untouched, the very same
    /// rendering as every other viewer for whom this holds, so that one rendering can serve them all (the streams of
    /// 10,000 followers). What the rendering takes from its viewer is: counts and marks (all 0 and false for such a post),
    /// the authors' counts (plain totals for employees, in <see cref="AccountRenderer"/>), the partner orgs of the audience
    /// (filtered for guests) and the guard's verdict and language (for the author only). Keep this in step with
    /// <see cref="RenderManyAsync(Viewer, IReadOnlyList{Status}, NewPost?, CancellationToken)"/> and AccountRenderer.
    /// </summary>
    public static bool RendersAlike(Viewer viewer, Status status) =>
        viewer.IsEmployee && status.AccountId != viewer.AccountId && status.ReblogOf?.AccountId != viewer.AccountId;

    public async Task<List<StatusEntity>> RenderManyAsync(Viewer viewer, IReadOnlyList<Status> statuses, CancellationToken ct = default) =>
        await RenderManyAsync(viewer, statuses, null, ct);

    /// <summary>
    /// A post <see cref="NobodyReactedAsync"/> found untouched, for the readers that share one rendering
    /// (<see cref="RendersAlike"/>): its counts are 0 and its marks false without asking again, so that a reply landing
    /// between the check and the rendering cannot be counted for one reader and sent to all of them.
    /// </summary>
    public async Task<StatusEntity> RenderUntouchedAsync(Viewer viewer, Status status, CancellationToken ct = default) =>
        (await RenderManyAsync(viewer, [status], null, ct, untouched: true))[0];

    private async Task<List<StatusEntity>> RenderManyAsync(Viewer viewer, IReadOnlyList<Status> statuses, NewPost? fresh, CancellationToken ct,
        bool untouched = false)
    {
        var isNew = fresh is not null || untouched;
        if (statuses.Count == 0) return [];
        var all = statuses.Concat(statuses.Where(s => s.ReblogOf is not null).Select(s => s.ReblogOf!)).ToList();
        var ids = all.Select(s => s.Id).Distinct().ToArray();

        Dictionary<long, int> replies = [], reblogs = [], favourites = [];
        HashSet<long> favourited = [], bookmarked = [], reblogged = [];
        if (!isNew)
        {
            var visible = db.Statuses.Where(Visibility.StatusesVisibleTo(viewer));
            var visibleAccounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));

            // Replies and boosts counted in one round trip: 0 reply, 1 boost.
            var counted = await visible.Where(s => s.InReplyToId != null && ids.Contains(s.InReplyToId.Value))
                .GroupBy(s => s.InReplyToId!.Value).Select(g => new { Kind = 0, g.Key, Count = g.Count() })
                .Concat(visible.Where(s => s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))
                    .GroupBy(s => s.ReblogOfId!.Value).Select(g => new { Kind = 1, g.Key, Count = g.Count() }))
                .ToListAsync(ct);
            replies = counted.Where(c => c.Kind == 0).ToDictionary(c => c.Key, c => c.Count);
            reblogs = counted.Where(c => c.Kind == 1).ToDictionary(c => c.Key, c => c.Count);
            favourites = await db.Favourites.Where(f => ids.Contains(f.StatusId) && visibleAccounts.Any(a => a.Id == f.AccountId))
                .GroupBy(f => f.StatusId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        }

        if (viewer.IsSignedIn && !isNew)
        {
            // The viewer's own marks on the page, in one round trip: 0 favourite, 1 bookmark, 2 boost.
            var me = viewer.AccountId;
            var marks = await db.Favourites.Where(f => f.AccountId == me && ids.Contains(f.StatusId)).Select(f => new { Kind = 0, Id = f.StatusId })
                .Concat(db.Bookmarks.Where(b => b.AccountId == me && ids.Contains(b.StatusId)).Select(b => new { Kind = 1, Id = b.StatusId }))
                .Concat(db.Statuses.Where(s => s.AccountId == me && s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))
                    .Select(s => new { Kind = 2, Id = s.ReblogOfId!.Value }))
                .ToListAsync(ct);
            foreach (var m in marks) (m.Kind switch { 0 => favourited, 1 => bookmarked, _ => reblogged }).Add(m.Id);
        }

        var teamIds = all.Where(s => s.AudienceTeamId is not null).Select(s => s.AudienceTeamId!.Value).Distinct().ToArray();
        var teams = teamIds.Length == 0 ? [] : await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Handle, ct);
        var orgIds = all.SelectMany(s => s.AudienceOrgs).Select(o => o.PartnerOrgId).Distinct().ToArray();
        var orgs = orgIds.Length == 0 ? [] : await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Handle, ct);

        var teamMentions = fresh is not null
            ? fresh.TeamMentions.ToLookup(_ => fresh.Status.Id)
            : (await db.StatusTeamMentions.Where(m => ids.Contains(m.StatusId))
                    .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => new { m.StatusId, t.Handle }).ToListAsync(ct))
                .ToLookup(x => x.StatusId, x => x.Handle);

        // The author (only) sees the guard's verdict on their own posts, in their language.
        var ownIds = all.Where(s => viewer.IsSignedIn && s.AccountId == viewer.AccountId && s.ReblogOfId == null).Select(s => s.Id).Distinct().ToArray();
        var reviews = fresh is not null ? (fresh.Review is { } r ? new Dictionary<long, LeakReview> { [r.StatusId] = r } : [])
            : ownIds.Length == 0 ? [] : await db.LeakReviews.AsNoTracking().Where(r => ownIds.Contains(r.StatusId)).ToDictionaryAsync(r => r.StatusId, ct);
        var lang = fresh is not null ? fresh.Language : ownIds.Length == 0 ? "fr" : await guard.LanguageAsync(viewer.AccountId, ct);

        var authorList = all.Select(s => s.Account!).DistinctBy(a => a.Id).ToList();
        var rendered = (await accounts.RenderManyAsync(viewer, authorList, ct: ct)).ToDictionary(a => a.Id);

        StatusEntity Render(Status s)
        {
            var author = rendered[Ids.Format(s.AccountId)];
            var audience = AudienceSpec.Format(s.AudienceKind, s.AudienceTeamId is { } t ? teams.GetValueOrDefault(t) : null,
                // A guest never learns which other orgs share a channel (I3): it sees its own org only.
                s.AudienceOrgs.Where(o => !viewer.IsGuest || o.PartnerOrgId == viewer.PartnerOrgId)
                    .Select(o => orgs.GetValueOrDefault(o.PartnerOrgId) ?? "?"));
            var mentions = s.Mentions.Where(m => m.Account is not null)
                .Select(m => new MentionEntity(Ids.Format(m.AccountId), m.Account!.UserName!, urls.Profile(m.Account.UserName!), m.Account.UserName!)).ToArray();
            var mentionUrls = mentions.ToDictionary(m => m.Username.ToLowerInvariant(), m => m.Url);
            foreach (var handle in teamMentions[s.Id]) mentionUrls.TryAdd(handle, urls.Team(handle));
            var content = StatusText.Render(s.Text, u => mentionUrls.GetValueOrDefault(u), urls.Base);
            LeakGuardState? guard = null;
            if (ownIds.Contains(s.Id))
            {
                var review = reviews.GetValueOrDefault(s.Id);
                guard = new LeakGuardState(LeakReport.StateOf(s.State), review?.Decision ?? "allow",
                    review is null ? [] : LeakReport.ReadFindings(review.FindingsJson).Select(f => (object)f.ToEntity(lang)).ToArray())
                {
                    Override = review?.Override,
                    Reason = s.State == StatusState.Rejected || review?.Outcome == "edit_requested" ? review?.ReviewReason : null,
                };
            }
            return new StatusEntity(
                Ids.Format(s.Id), AccountRenderer.Iso(s.CreatedAt), s.InReplyToId is { } r ? Ids.Format(r) : null,
                s.InReplyToAccountId is { } ra ? Ids.Format(ra) : null, s.Sensitive, s.SpoilerText,
                AudienceSpec.ToVisibility(s.AudienceKind, s.Listed), s.Language,
                urls.Status(s.Account!.UserName!, s.Id), urls.Status(s.Account.UserName!, s.Id),
                replies.GetValueOrDefault(s.Id), reblogs.GetValueOrDefault(s.Id), favourites.GetValueOrDefault(s.Id),
                s.EditedAt is { } e ? AccountRenderer.Iso(e) : null,
                favourited.Contains(s.Id), reblogged.Contains(s.Id), false, bookmarked.Contains(s.Id), false,
                s.ReblogOf is null ? content : "",
                s.ReblogOf is null ? null : Render(s.ReblogOf), null, author, [], mentions,
                s.Tags.Select(t => new TagRef(t.Name, $"{urls.Base}/tags/{Uri.EscapeDataString(t.Name)}")).ToArray(),
                [], null, null, [], audience, guard);
        }

        return statuses.Select(Render).ToList();
    }
}
