using System.Globalization;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Gazouille.Web;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

/// <summary>Turns accounts into Mastodon entities for one viewer; counts include only what that viewer may see (I3).</summary>
public sealed class AccountRenderer(GazouilleDb db, InstanceUrls urls, AccountCounts cache, AccountRenderer.Queries queries)
{
    /// <summary>
    /// The employees' plain counts as a query compiled once per server (a singleton: a compiled query belongs to one
    /// model). Every post's answer counts its author afresh (the post changed the counts), and turning the LINQ of this
    /// three-part UNION into parameters again on every call was a seventh of publishing's CPU.
    /// </summary>
    public sealed class Queries
    {
        internal readonly Func<GazouilleDb, long[], IAsyncEnumerable<CountRow>> PlainCounts = EF.CompileAsyncQuery(
            (GazouilleDb db, long[] ids) =>
                db.Follows.Where(f => ids.Contains(f.TargetId)).GroupBy(f => f.TargetId).Select(g => new CountRow { Kind = 0, Key = g.Key, Count = g.Count() })
                    .Concat(db.Follows.Where(f => ids.Contains(f.FollowerId)).GroupBy(f => f.FollowerId).Select(g => new CountRow { Kind = 1, Key = g.Key, Count = g.Count() }))
                    .Concat(db.Statuses.Where(s => s.State == StatusState.Published && ids.Contains(s.AccountId)).GroupBy(s => s.AccountId)
                        .Select(g => new CountRow { Kind = 2, Key = g.Key, Count = g.Count() })));
    }

    /// <summary>A tagged count (a member initializer, not a constructor: EF translates only those inside UNION ALL).</summary>
    internal sealed class CountRow
    {
        public int Kind { get; init; }
        public long Key { get; init; }
        public int Count { get; init; }
    }

    public async Task<AccountEntity> RenderAsync(Viewer viewer, Account account, bool withSource = false, CancellationToken ct = default) =>
        (await RenderManyAsync(viewer, [account], withSource, ct))[0];

    public async Task<List<AccountEntity>> RenderManyAsync(Viewer viewer, IReadOnlyList<Account> accounts, bool withSource = false, CancellationToken ct = default)
    {
        var ids = accounts.Select(a => a.Id).Distinct().ToArray();
        // Employees see every account, so their counts are plain totals read from the indexes (Mastodon's behaviour) and
        // cached briefly (AccountCounts); guests and anonymous readers get counts of only what they may see (I3), which
        // costs a visibility check per row and is never cached.
        Dictionary<long, AccountCounts.Counts> counts;
        if (viewer.IsEmployee)
        {
            counts = [];
            var missing = new List<long>();
            foreach (var id in ids)
            {
                if (cache.TryGet(id, out var c)) counts[id] = c;
                else missing.Add(id);
            }
            if (missing.Count > 0)
            {
                var epoch = cache.Start();
                var rows = new List<CountRow>();
                await foreach (var row in queries.PlainCounts(db, [.. missing]).WithCancellation(ct)) rows.Add(row);
                var counted = Tally(rows);
                foreach (var id in missing)
                {
                    counts[id] = counted.GetValueOrDefault(id);
                    cache.Store(epoch, id, counts[id]);
                }
            }
        }
        else
        {
            var visibleAccounts = db.Users.Where(Visibility.AccountsVisibleTo(viewer));
            counts = await CountAsync(ids,
                db.Follows.Where(f => visibleAccounts.Any(a => a.Id == f.FollowerId)),
                db.Follows.Where(f => visibleAccounts.Any(a => a.Id == f.TargetId)),
                db.Statuses.Where(Visibility.StatusesVisibleTo(viewer)), ct);
        }
        var orgIds = accounts.Where(a => a.PartnerOrgId is not null).Select(a => a.PartnerOrgId!.Value).Distinct().ToArray();
        var orgs = orgIds.Length == 0 ? [] : await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);

        return accounts.Select(a =>
        {
            PartnerRef? partner = a.PartnerOrgId is { } o && orgs.TryGetValue(o, out var org) ? new PartnerRef(org.Handle, org.Name, org.Verified) : null;
            var avatar = urls.Avatar(a);
            var n = counts.GetValueOrDefault(a.Id);
            var note = a.Bio.Length == 0 ? "" : StatusText.Render(a.Bio, _ => null, urls.Base);
            return new AccountEntity(
                Ids.Format(a.Id), a.UserName!, a.UserName!, a.DisplayName, false, false, true, false,
                Iso(a.CreatedAt), note, urls.Profile(a.UserName!), urls.Profile(a.UserName!), avatar, avatar,
                urls.MissingHeader, urls.MissingHeader,
                n.Followers, n.Following, n.Statuses,
                a.LastStatusAt?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), [], [],
                withSource ? new AccountSource(VisibilityOf(a.DefaultAudience), false, a.Language, a.Bio, [], 0, a.DefaultAudience) : null,
                new AccountExtension(a.IsGuest ? "guest" : "employee", a.Role.ToString().ToLowerInvariant(), a.Official, partner));
        }).ToList();
    }

    /// <summary>Followers, following and posts of <paramref name="ids"/> among the given rows, in one round trip.</summary>
    private static async Task<Dictionary<long, AccountCounts.Counts>> CountAsync(IReadOnlyCollection<long> ids,
        IQueryable<Follow> followers, IQueryable<Follow> following, IQueryable<Status> statuses, CancellationToken ct)
    {
        var rows = await followers.Where(f => ids.Contains(f.TargetId)).GroupBy(f => f.TargetId).Select(g => new CountRow { Kind = 0, Key = g.Key, Count = g.Count() })
            .Concat(following.Where(f => ids.Contains(f.FollowerId)).GroupBy(f => f.FollowerId).Select(g => new CountRow { Kind = 1, Key = g.Key, Count = g.Count() }))
            .Concat(statuses.Where(s => ids.Contains(s.AccountId)).GroupBy(s => s.AccountId).Select(g => new CountRow { Kind = 2, Key = g.Key, Count = g.Count() }))
            .ToListAsync(ct);
        return Tally(rows);
    }

    private static Dictionary<long, AccountCounts.Counts> Tally(List<CountRow> rows)
    {
        var counts = new Dictionary<long, AccountCounts.Counts>();
        foreach (var r in rows)
        {
            var c = counts.GetValueOrDefault(r.Key);
            counts[r.Key] = r.Kind switch
            {
                0 => c with { Followers = r.Count },
                1 => c with { Following = r.Count },
                _ => c with { Statuses = r.Count },
            };
        }
        return counts;
    }

    private static string VisibilityOf(string audience) =>
        AudienceSpec.TryParse(audience, out var spec, out _) ? AudienceSpec.ToVisibility(spec.Kind, true) : "public";

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
