using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Search;

/// <summary>What to look for and which page: Mastodon's search parameters after checking.</summary>
public sealed record SearchRequest(string Query, bool Following = false, long? AccountId = null, long? MaxId = null, long? MinId = null, int Limit = 20, int Offset = 0);

/// <summary>
/// Search over people, hashtags and posts, for the API and the web page. Every result passes the visibility rule
/// inside the query (never filtered afterwards, so pages and counts stay right); only the full-text match itself is
/// provider-specific: FTS5 on SQLite, a tsvector with French and English stemming on PostgreSQL (see the migrations).
/// </summary>
public sealed class SearchService(GazouilleDb db, TimeProvider clock)
{
    /// <summary>
    /// On PostgreSQL, spans of the newest posts searched first (a day, a week, a month, half a year) before all of them:
    /// the GIN index hands over every match before the newest can be kept, so a frequent word ("équipe", one post in
    /// eight of a million) cost 114 ms alone and seconds under load. A span that fills the page gives exactly the page
    /// the whole search would (every post outside it is older than all of its matches); a rare word falls through to
    /// the whole search, which is cheap for it.
    /// </summary>
    private static readonly TimeSpan[] PostgresWindows = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30), TimeSpan.FromDays(180)];

    /// <summary>People by username prefix or by the start of a word of their display name, among those the viewer may see (I5).</summary>
    public async Task<List<Account>> AccountsAsync(Viewer v, SearchRequest r, CancellationToken ct)
    {
        var q = SearchText.Clean(r.Query).TrimStart('@');
        var at = q.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) q = q[..at];
        q = q.Trim();
        if (q.Length == 0) return [];
        var upper = q.ToUpperInvariant();
        var lower = q.ToLowerInvariant();
        // SQLite's lower() folds ASCII letters only: the text as typed is tried too, so that "Élo" finds "Élodie".
        var wordStart = " " + lower;
        var query = db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(v))
            .Where(a => a.NormalizedUserName!.StartsWith(upper) || a.DisplayName.ToLower().StartsWith(lower) || a.DisplayName.ToLower().Contains(wordStart)
                || a.DisplayName.StartsWith(q) || a.DisplayName.Contains(" " + q));
        if (r.Following)
        {
            var following = v.FollowingIds;
            query = query.Where(a => following.Contains(a.Id));
        }
        return await query.OrderBy(a => a.NormalizedUserName == upper ? 0 : 1).ThenBy(a => a.UserName)
            .Skip(r.Offset).Take(r.Limit).ToListAsync(ct);
    }

    /// <summary>Hashtags starting with the query, among those on at least one post the viewer may read.</summary>
    public async Task<List<string>> HashtagsAsync(Viewer v, SearchRequest r, CancellationToken ct)
    {
        var cleaned = SearchText.Clean(r.Query).TrimStart('#');
        var first = SearchText.Words(cleaned).FirstOrDefault();
        if (first.End == 0 || first.Start != 0) return [];
        var prefix = cleaned[first.Start..first.End].ToLowerInvariant();
        if (prefix.Length > 100) return [];
        var visible = db.Statuses.Where(Visibility.StatusesVisibleTo(v));
        var tags = db.StatusTags;
        return await tags.Where(t => t.Name.StartsWith(prefix)).Select(t => t.Name).Distinct()
            .Where(name => tags.Any(t => t.Name == name && visible.Any(s => s.Id == t.StatusId)))
            .OrderBy(n => n.Length).ThenBy(n => n).Skip(r.Offset).Take(r.Limit).ToListAsync(ct);
    }

    /// <summary>Ids of the posts (not boosts) whose text holds every word, newest first, that the viewer may read.</summary>
    /// <remarks>
    /// Driven by the full-text match, each match checked by the visibility rule (EXISTS), the id window on the match
    /// itself: SQLite then walks the FTS5 index newest first and stops at the page's end (no sort of every match, no scan
    /// of every post); PostgreSQL takes the GIN index's matches and keeps the top of them, in the newest spans of
    /// <see cref="PostgresWindows"/> first.
    /// </remarks>
    public async Task<List<long>> StatusesAsync(Viewer v, SearchRequest r, CancellationToken ct)
    {
        var terms = SearchText.Terms(SearchText.Clean(r.Query));
        if (terms.Count == 0) return [];
        var visible = db.Statuses.AsNoTracking().Where(Visibility.StatusesVisibleTo(v)).Where(s => s.ReblogOfId == null);
        if (r.AccountId is { } author) visible = visible.Where(s => s.AccountId == author);
        IQueryable<long> Found(long? after) =>
            Matching(terms, after ?? r.MinId, r.MaxId).Where(m => visible.Any(s => s.Id == m.Id)).Select(m => m.Id);
        var found = Found(null);
        if (r.MinId is not null)
        {
            var ascending = await found.OrderBy(id => id).Skip(r.Offset).Take(r.Limit).ToListAsync(ct);
            ascending.Reverse();
            return ascending;
        }
        if (db.Database.IsNpgsql())
        {
            var top = r.MaxId ?? Snowflake.MinIdAt(clock.GetUtcNow().AddMinutes(1));
            foreach (var span in PostgresWindows)
            {
                var after = top - Snowflake.MinIdAt(DateTimeOffset.UnixEpoch.Add(span));
                var page = await Found(after).OrderByDescending(id => id).Skip(r.Offset).Take(r.Limit).ToListAsync(ct);
                if (page.Count >= r.Limit) return page;
            }
        }
        return await found.OrderByDescending(id => id).Skip(r.Offset).Take(r.Limit).ToListAsync(ct);
    }

    /// <summary>The ids of posts whose text matches every term, in the provider's own full-text engine, between two ids (both excluded).</summary>
    /// <remarks>
    /// On PostgreSQL the matches are taken whole inside an optimization fence (<c>OFFSET 0</c>), between the given ids:
    /// left to itself, the planner walked the primary key newest first and tested every post, expecting its estimated
    /// 1,550 matches to fill a page early; a word no post has ("meetings") then read all million posts (0.84 s).
    /// </remarks>
    private IQueryable<SearchMatch> Matching(IReadOnlyList<SearchTerm> terms, long? after = null, long? before = null)
    {
        if (db.Database.IsNpgsql())
        {
            var tsquery = SearchText.TsQuery(terms);
            var low = after ?? long.MinValue;
            var high = before ?? long.MaxValue;
            return db.Database.SqlQuery<SearchMatch>($"""
                SELECT "Id" FROM (
                    SELECT "Id" FROM "Statuses"
                    WHERE "SearchVector" @@ (to_tsquery('gazouille_fr'::regconfig, {tsquery}) || to_tsquery('gazouille_en'::regconfig, {tsquery}))
                      AND "Id" > {low} AND "Id" < {high}
                    OFFSET 0) AS matched
                """);
        }
        var match = SearchText.Fts5(terms);
        var matching = db.Database.SqlQuery<SearchMatch>($"""SELECT rowid AS "Id" FROM "StatusSearch" WHERE "StatusSearch" MATCH {match}""");
        if (after is { } a) matching = matching.Where(m => m.Id > a);
        if (before is { } b) matching = matching.Where(m => m.Id < b);
        return matching;
    }
}

/// <summary>A post that the full-text engine matched (a row of the provider's raw match query).</summary>
public sealed class SearchMatch
{
    public long Id { get; set; }
}
