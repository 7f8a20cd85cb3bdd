using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Timelines;

/// <summary>
/// The timelines, as pages of status ids newest first: read-time merges of the statuses the viewer may see (fan-out on
/// read). The Mastodon API and the web pages both read through here.
/// </summary>
public sealed class TimelineReader(GazouilleDb db, TimeProvider clock, TimelineReader.WindowHints hints, ViewerPageCache cache)
{
    /// <summary>Lower bounds tried, newest first, before the whole history: 1 hour, 12 hours, 6 days, 60 days.</summary>
    private static readonly TimeSpan[] HomeWindows = [TimeSpan.FromHours(1), TimeSpan.FromHours(12), TimeSpan.FromDays(6), TimeSpan.FromDays(60)];

    /// <summary>
    /// Which home window filled a viewer's first page last time: the next request starts there instead of running the
    /// shorter windows that came up short (a reader who follows quiet people needed three queries per page). Any window
    /// gives the same page, so a hint only changes the cost, never the answer. One request in
    /// <see cref="RetryShorterEvery"/> starts from the shortest window again, so that the hint follows activity down.
    /// </summary>
    public sealed class WindowHints
    {
        private const int MaxEntries = 100_000;
        public const int RetryShorterEvery = 16;
        private readonly BoundedMap<long, int> _start = new(MaxEntries);
        private int _requests;

        public int StartFor(long accountId) =>
            Interlocked.Increment(ref _requests) % RetryShorterEvery == 0 ? 0 : _start.GetValueOrDefault(accountId);

        public void Filled(long accountId, int window)
        {
            _start.Set(accountId, window);
        }
    }

    private IQueryable<Status> Visible(Viewer viewer) => db.Statuses.AsNoTracking().Where(Visibility.StatusesVisibleTo(viewer));

    /// <summary>
    /// A page of the home timeline. The page of ids is kept (<see cref="ViewerPageCache"/>) until the reader's sources post
    /// (the reader, the people and teams it follows) or a post on the page changes: a reader who comes back to an unchanged
    /// home costs no query.
    /// </summary>
    public async Task<List<long>> HomeAsync(Viewer v, PageRequest page, CancellationToken ct)
    {
        var key = $"home:{page.MaxId}:{page.SinceId}:{page.MinId}:{page.Limit}";
        if (cache.TryGet(v, "", key, out List<long> cached)) return [.. cached];
        var since = cache.Start();
        var ids = await ReadHomeAsync(v, page, ct);
        var deps = new List<ChangeKey>(2 + v.FollowingIds.Length + v.FollowedTeamIds.Length + ids.Count) { new(ChangeKind.AuthorPosts, v.AccountId) };
        foreach (var a in v.FollowingIds) deps.Add(new(ChangeKind.AuthorPosts, a));
        foreach (var t in v.FollowedTeamIds) deps.Add(new(ChangeKind.TeamPosts, t));
        foreach (var id in ids) deps.Add(new(ChangeKind.Status, id));
        cache.Store(v, "", key, since, [.. deps], ids.ToList());
        return ids;
    }

    private async Task<List<long>> ReadHomeAsync(Viewer v, PageRequest page, CancellationToken ct)
    {
        // Newest first, a page is complete as soon as a recent window holds `limit` posts: every post outside the window
        // is older than all of them. Short windows keep the work proportional to recent activity, not to history.
        if (page.MinId is null)
        {
            var top = page.MaxId ?? Snowflake.MinIdAt(clock.GetUtcNow().AddMinutes(1));
            var firstPage = page.MaxId is null && page.SinceId is null;
            for (var w = firstPage ? hints.StartFor(v.AccountId) : 0; w < HomeWindows.Length; w++)
            {
                var after = top - Snowflake.MinIdAt(DateTimeOffset.UnixEpoch.Add(HomeWindows[w]));
                if (page.SinceId is { } since && since >= after) break;
                var ids = await page.ApplyAsync(HomeQuery(v, after), s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
                if (ids.Count >= page.Limit)
                {
                    if (firstPage) hints.Filled(v.AccountId, w);
                    return ids;
                }
            }
            if (firstPage) hints.Filled(v.AccountId, HomeWindows.Length); // only the whole history fills it
        }
        return await page.ApplyAsync(HomeQuery(v, null), s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));
    }

    /// <summary>How many home posts are newer than <paramref name="sinceId"/> (the web's "N new posts" banner), capped.</summary>
    public Task<int> CountNewerInHomeAsync(Viewer v, long sinceId, int cap, CancellationToken ct) =>
        HomeQuery(v, sinceId).OrderByDescending(s => s.Id).Take(cap).CountAsync(ct); // ordered: EF warns on an unordered Take

    /// <summary>
    /// The home timeline: visible statuses whose author is the viewer or someone the viewer follows, or that are
    /// addressed to a team the viewer follows. The author/team condition is also written as an id subquery so that
    /// SQLite drives the query from the (AccountId, Id) and (AudienceTeamId, Id) indexes instead of scanning every
    /// visible post; the full condition is still applied to each row.
    /// </summary>
    private IQueryable<Status> HomeQuery(Viewer v, long? after)
    {
        var me = v.AccountId;
        var following = v.FollowingIds;
        var teams = v.FollowedTeamIds;
        var candidates = db.Statuses.Where(c => c.AccountId == me || following.Contains(c.AccountId)
            || (c.AudienceTeamId != null && teams.Contains(c.AudienceTeamId.Value)));
        if (after is { } a) candidates = candidates.Where(c => c.Id > a);
        var candidateIds = candidates.Select(c => c.Id);
        return Visible(v).Where(s => candidateIds.Contains(s.Id)).Where(s => s.AccountId == me || following.Contains(s.AccountId)
            || (s.AudienceTeamId != null && teams.Contains(s.AudienceTeamId.Value) && s.ReblogOfId == null));
    }

    public IQueryable<Status> Public(Viewer v) =>
        Visible(v).Where(s => s.AudienceKind == AudienceKind.Public && s.Listed && s.ReblogOfId == null);

    public IQueryable<Status> Company(Viewer v) =>
        Visible(v).Where(s => (s.AudienceKind == AudienceKind.Company || s.AudienceKind == AudienceKind.Public) && s.Listed && s.ReblogOfId == null);

    /// <summary>The team's channel, or null when the team does not exist for this viewer (a guest sees only its granted teams).</summary>
    public async Task<IQueryable<Status>?> TeamAsync(Viewer v, string handle, CancellationToken ct)
    {
        var h = handle.ToLowerInvariant();
        var team = await db.Teams.AsNoTracking().Where(t => t.Handle == h).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
        if (team is not { } id || (v.IsGuest && !v.GrantedTeamIds.Contains(id))) return null;
        return Visible(v).Where(s => s.AudienceTeamId == id && s.ReblogOfId == null);
    }

    public IQueryable<Status> Tag(Viewer v, string hashtag)
    {
        var tag = hashtag.TrimStart('#').ToLowerInvariant();
        return Visible(v).Where(s => s.Tags.Any(t => t.Name == tag) && s.ReblogOfId == null);
    }

    /// <summary>An account's posts and boosts that the viewer may see (its profile).</summary>
    public IQueryable<Status> Account(Viewer v, long accountId, bool excludeReplies = false, bool excludeBoosts = false, string? tagged = null)
    {
        var query = Visible(v).Where(s => s.AccountId == accountId);
        if (excludeReplies) query = query.Where(s => s.InReplyToId == null || s.InReplyToAccountId == accountId);
        if (excludeBoosts) query = query.Where(s => s.ReblogOfId == null);
        if (tagged is { Length: > 0 })
        {
            var t = tagged.TrimStart('#').ToLowerInvariant();
            query = query.Where(s => s.Tags.Any(x => x.Name == t));
        }
        return query;
    }

    public Task<List<long>> PageAsync(IQueryable<Status> query, PageRequest page, CancellationToken ct) =>
        page.ApplyAsync(query, s => s.Id, q => q.Select(s => s.Id).ToListAsync(ct));

    /// <summary>The viewer's favourites, paged by when they were made: (favourite id, status id).</summary>
    public Task<List<(long Id, long StatusId)>> FavouritesAsync(Viewer v, PageRequest page, CancellationToken ct)
    {
        var visible = Visible(v);
        return page.ApplyAsync(db.Favourites.Where(f => f.AccountId == v.AccountId && visible.Any(s => s.Id == f.StatusId)), f => f.Id,
            async q => (await q.Select(f => new { f.Id, f.StatusId }).ToListAsync(ct)).Select(r => (r.Id, r.StatusId)).ToList());
    }

    /// <summary>The viewer's bookmarks, paged by when they were made: (bookmark id, status id).</summary>
    public Task<List<(long Id, long StatusId)>> BookmarksAsync(Viewer v, PageRequest page, CancellationToken ct)
    {
        var visible = Visible(v);
        return page.ApplyAsync(db.Bookmarks.Where(f => f.AccountId == v.AccountId && visible.Any(s => s.Id == f.StatusId)), f => f.Id,
            async q => (await q.Select(f => new { f.Id, f.StatusId }).ToListAsync(ct)).Select(r => (r.Id, r.StatusId)).ToList());
    }
}
