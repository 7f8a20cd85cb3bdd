using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.LeakGuard;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Statuses;

/// <summary>
/// Loads and renders statuses for one viewer. Counts only include replies, boosts and favourites that the viewer may
/// see (I3), and the viewer's own flags come from the viewer's rows.
/// </summary>
public sealed class StatusRenderer(GazouilleDb db, AccountRenderer accounts, InstanceUrls urls, LeakGate guard)
{
    /// <summary>Loads statuses by id with everything rendering needs, in the order of <paramref name="ids"/>.</summary>
    public async Task<List<Status>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        var rows = await db.Statuses.AsNoTracking().AsSplitQuery()
            .Include(s => s.Account).Include(s => s.Mentions).ThenInclude(m => m.Account).Include(s => s.Tags).Include(s => s.AudienceOrgs)
            .Include(s => s.ReblogOf).ThenInclude(r => r!.Account)
            .Include(s => s.ReblogOf).ThenInclude(r => r!.Mentions).ThenInclude(m => m.Account)
            .Include(s => s.ReblogOf).ThenInclude(r => r!.Tags)
            .Include(s => s.ReblogOf).ThenInclude(r => r!.AudienceOrgs)
            .Where(s => ids.Contains(s.Id)).ToListAsync(ct);
        var byId = rows.ToDictionary(s => s.Id);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public async Task<StatusEntity> RenderAsync(Viewer viewer, Status status, CancellationToken ct = default) =>
        (await RenderManyAsync(viewer, [status], ct))[0];

    public async Task<List<StatusEntity>> RenderManyAsync(Viewer viewer, IReadOnlyList<Status> statuses, CancellationToken ct = default)
    {
        if (statuses.Count == 0) return [];
        var all = statuses.Concat(statuses.Where(s => s.ReblogOf is not null).Select(s => s.ReblogOf!)).ToList();
        var ids = all.Select(s => s.Id).Distinct().ToArray();
        var visible = db.Statuses.Where(Visibility.StatusesVisibleTo(viewer));
        var visibleAccounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));

        var replies = await visible.Where(s => s.InReplyToId != null && ids.Contains(s.InReplyToId.Value))
            .GroupBy(s => s.InReplyToId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var reblogs = await visible.Where(s => s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))
            .GroupBy(s => s.ReblogOfId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var favourites = await db.Favourites.Where(f => ids.Contains(f.StatusId) && visibleAccounts.Any(a => a.Id == f.AccountId))
            .GroupBy(f => f.StatusId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

        HashSet<long> favourited = [], bookmarked = [], reblogged = [];
        if (viewer.IsSignedIn)
        {
            var me = viewer.AccountId;
            favourited = (await db.Favourites.Where(f => f.AccountId == me && ids.Contains(f.StatusId)).Select(f => f.StatusId).ToListAsync(ct)).ToHashSet();
            bookmarked = (await db.Bookmarks.Where(f => f.AccountId == me && ids.Contains(f.StatusId)).Select(f => f.StatusId).ToListAsync(ct)).ToHashSet();
            reblogged = (await db.Statuses.Where(s => s.AccountId == me && s.ReblogOfId != null && ids.Contains(s.ReblogOfId.Value))
                .Select(s => s.ReblogOfId!.Value).ToListAsync(ct)).ToHashSet();
        }

        var teamIds = all.Where(s => s.AudienceTeamId is not null).Select(s => s.AudienceTeamId!.Value).Distinct().ToArray();
        var teams = teamIds.Length == 0 ? [] : await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Handle, ct);
        var orgIds = all.SelectMany(s => s.AudienceOrgs).Select(o => o.PartnerOrgId).Distinct().ToArray();
        var orgs = orgIds.Length == 0 ? [] : await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Handle, ct);

        var teamMentions = (await db.StatusTeamMentions.Where(m => ids.Contains(m.StatusId))
                .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => new { m.StatusId, t.Handle }).ToListAsync(ct))
            .ToLookup(x => x.StatusId, x => x.Handle);

        // The author (only) sees the guard's verdict on their own posts, in their language.
        var ownIds = all.Where(s => viewer.IsSignedIn && s.AccountId == viewer.AccountId && s.ReblogOfId == null).Select(s => s.Id).Distinct().ToArray();
        var reviews = ownIds.Length == 0 ? [] : await db.LeakReviews.AsNoTracking().Where(r => ownIds.Contains(r.StatusId)).ToDictionaryAsync(r => r.StatusId, ct);
        var lang = ownIds.Length == 0 ? "fr" : await guard.LanguageAsync(viewer.AccountId, ct);

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
