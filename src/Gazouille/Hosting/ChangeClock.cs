using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Gazouille.Data.Entities;
using Gazouille.Features.Streaming;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gazouille.Hosting;

public enum ChangeKind : byte
{
    /// <summary>A post itself, or what is counted or marked on it (replies, boosts, favourites, bookmarks, its review).</summary>
    Status = 1,
    /// <summary>An account's new or changed posts: whoever follows it has a new home timeline.</summary>
    AuthorPosts = 2,
    /// <summary>Posts addressed to a team: whoever follows the team has a new home timeline.</summary>
    TeamPosts = 3,
    /// <summary>An account as it is shown beside its posts (name, picture, badges, counts, language).</summary>
    Account = 4,
    /// <summary>A personal access token (its revocation).</summary>
    Token = 5,
    /// <summary>An account's notifications (the unread badge on every web page).</summary>
    Notifications = 6,
    /// <summary>
    /// Who an account is to the access checks (<see cref="AccessCache"/>): its row (role, suspension, approval, security
    /// stamp), its tokens, follows and followed teams. Whatever changes it also changes <see cref="Account"/>; a post
    /// changes the author's <see cref="Account"/> (counts, last post) but not this, so publishing keeps its author's
    /// access cached.
    /// </summary>
    Access = 7,
}

public readonly record struct ChangeKey(ChangeKind Kind, long Id)
{
    /// <summary>An account as shown and as the access checks see it: what its row, tokens and follows change.</summary>
    public static ChangeKey[] AccountAndAccess(long accountId) => [new(ChangeKind.Account, accountId), new(ChangeKind.Access, accountId)];

    /// <summary>As numbers for the bus: kind, id, kind, id… (ids are snowflakes: all 64 bits are theirs).</summary>
    public static long[] Flatten(IEnumerable<ChangeKey> keys) => keys.SelectMany(k => new[] { (long)k.Kind, k.Id }).ToArray();

    public static IEnumerable<ChangeKey> Unflatten(long[] flat)
    {
        for (var i = 0; i + 1 < flat.Length; i += 2) yield return new((ChangeKind)flat[i], flat[i + 1]);
    }
}

/// <summary>
/// When each piece of data that cached pages are made of last changed on this node, as a sequence number: a cache entry
/// remembers the number read <em>before</em> it read the database, and is good only while none of what it shows has
/// changed since. Writes are noticed wherever they come from (<see cref="Watcher"/> reads the change tracker and the SQL
/// of bulk commands, once when a write runs and again when its transaction commits; a bulk command says what it changes
/// with <see cref="Declare"/>), other nodes and the admin CLI say
/// what they changed over the event bus, and without Redis the CLI touches <see cref="StampFile"/>, which the server
/// checks before trusting any entry. A write the watcher cannot attribute to ids (a bulk command) empties everything.
/// </summary>
public sealed class ChangeClock
{
    public const string StampFile = "changes.stamp";

    private static readonly AsyncLocal<ChangeKey[]?> Declared = new();

    /// <summary>
    /// Names what the bulk commands (ExecuteUpdate, ExecuteDelete) run inside the returned scope change, so that only the
    /// cached pages showing it are dropped; an undeclared bulk write to the tables pages are made of empties every cache.
    /// (EF Core does not send TagWith comments with bulk commands, so the scope travels with the async flow instead.)
    /// </summary>
    public static IDisposable Declare(params IEnumerable<ChangeKey> keys)
    {
        var previous = Declared.Value;
        Declared.Value = [.. keys];
        return new Scope(previous);
    }

    private sealed class Scope(ChangeKey[]? previous) : IDisposable
    {
        public void Dispose() => Declared.Value = previous;
    }
    private const int MaxKeys = 500_000;

    private readonly ConcurrentDictionary<ChangeKey, long> _last = new();
    private int _keys; // _last.Count without taking every lock of the dictionary (written under _writers)
    private readonly Lock _writers = new();
    private readonly IEventBus _bus;
    private readonly RedisConnection _redis;
    private readonly string _stampPath;
    private long _seq;
    private long _floor;
    private long _stampTicks;
    private long _stampCheckedAt;
    private bool _subscribed;

    public ChangeClock(IEventBus bus, RedisConnection redis, DataLocation data)
    {
        _bus = bus;
        _redis = redis;
        _stampPath = Path.Combine(data.DataDirectory, StampFile);
        _stampTicks = StampTicks();
    }

    /// <summary>True in the server, whose caches read this clock; the admin CLI only tells the server what it changed.</summary>
    public bool IsServer { get; set; }

    /// <summary>The number to remember before reading what a cache entry will hold.</summary>
    public long Now => Interlocked.Read(ref _seq);

    /// <summary>
    /// Whether an entry read at <paramref name="since"/> may be served: nothing in <paramref name="deps"/> changed since,
    /// nothing was emptied wholesale, and the bus that brings other nodes' changes is up.
    /// </summary>
    /// <param name="strict">Look at the CLI's stamp file now rather than at most every 20 ms (for who a request is).</param>
    public bool UnchangedSince(long since, IEnumerable<ChangeKey> deps, bool strict = false)
    {
        if (!Trustworthy(strict)) return false;
        foreach (var k in deps)
            if (_last.TryGetValue(k, out var at) && at > since) return false;
        return Interlocked.Read(ref _floor) <= since;
    }

    /// <summary>False while changes made elsewhere might be unheard: Redis is configured but down, or the CLI wrote.</summary>
    public bool Trustworthy(bool strict = false)
    {
        if (!EnsureSubscribed()) return false;
        if (_redis.Configured && _redis.Multiplexer is { IsConnected: false }) return false;
        CheckStamp(strict);
        return true;
    }

    public void Touch(ChangeKey key)
    {
        lock (_writers)
        {
            if (_keys >= MaxKeys) EmptyLocked();
            else if (_last.TryAdd(key, ++_seq)) _keys++;
            else _last[key] = _seq;
        }
    }

    public void TouchAll()
    {
        lock (_writers) EmptyLocked();
    }

    private void EmptyLocked()
    {
        Interlocked.Exchange(ref _floor, ++_seq);
        _last.Clear();
        _keys = 0;
    }

    /// <summary>Applies changes on this node only (a write inside a transaction, before its commit is announced).</summary>
    public void Apply(IEnumerable<ChangeKey> keys, bool all)
    {
        if (all) TouchAll();
        else foreach (var k in keys) Touch(k);
    }

    /// <summary>Applies changes made on this node, and tells the other nodes (and, without Redis, a server beside the CLI).</summary>
    public void Changed(IReadOnlyCollection<ChangeKey> keys, bool all)
    {
        Apply(keys, all);
        if (!all && keys.Count == 0) return;
        if (_redis.Configured && (all || TouchesAccess(keys))) AdvanceAccessEpoch();
        _bus.Publish(StreamEvent.DataChanged(all ? null : ChangeKey.Flatten(keys)));
        if (!IsServer && !_redis.Configured) WriteStamp();
    }

    private static bool TouchesAccess(IReadOnlyCollection<ChangeKey> keys)
    {
        foreach (var k in keys)
            if (k.Kind is ChangeKind.Access or ChangeKind.Token) return true;
        return false;
    }

    /// <summary>
    /// Increments the Redis counter every node's <see cref="AccessCache"/> compares before serving who a request is, before
    /// the request that made the change is answered (hence synchronously: these writes are rare). Should Redis refuse it,
    /// the other nodes still drop what they remembered when the bus brings the change, or after
    /// <see cref="AccessCache.Lifetime"/> at the latest.
    /// </summary>
    private void AdvanceAccessEpoch()
    {
        if (_redis.Multiplexer is not { } m) return;
        try
        {
            m.GetDatabase().StringIncrement(AccessCache.EpochKey);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The bus (below) and the entries' lifetime remain; readiness reports Redis down.
        }
    }

    /// <summary>Subscribes to other nodes' changes on first use; false (nothing cached is trusted) while that fails.</summary>
    private bool EnsureSubscribed()
    {
        if (Volatile.Read(ref _subscribed)) return true;
        lock (_writers)
        {
            if (_subscribed) return true;
            try
            {
                _bus.Subscribe(e =>
                {
                    if (e.Kind == StreamEventKind.DataChanged) Apply(e.Keys is null ? [] : ChangeKey.Unflatten(e.Keys), all: e.Keys is null);
                });
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                return false;
            }
            if (_redis.Configured && _redis.Multiplexer is { } m)
            {
                // Whatever was said while Redis was away is lost: nothing cached before the outage is trusted after it.
                m.ConnectionFailed += (_, _) => TouchAll();
                m.ConnectionRestored += (_, _) => TouchAll();
            }
            Volatile.Write(ref _subscribed, true);
        }
        return true;
    }

    private void CheckStamp(bool strict)
    {
        var now = Environment.TickCount64;
        if (!strict && now - Interlocked.Read(ref _stampCheckedAt) < 20) return;
        Interlocked.Exchange(ref _stampCheckedAt, now);
        var ticks = StampTicks();
        if (ticks != Interlocked.Exchange(ref _stampTicks, ticks)) TouchAll();
    }

    private long StampTicks()
    {
        // One stat call: a missing file reads as 1601-01-01, a constant like any unchanged stamp (checked on every request).
        try { return File.GetLastWriteTimeUtc(_stampPath).Ticks; }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    private void WriteStamp()
    {
        try
        {
            File.WriteAllText(_stampPath, DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            File.SetLastWriteTimeUtc(_stampPath, DateTime.UtcNow);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Notices writes for the <see cref="ChangeClock"/>: entities saved through the change tracker name what they change;
    /// bulk commands (ExecuteUpdate, ExecuteDelete, raw SQL) on the tables that pages are made of empty every cache.
    /// Changes are applied when the write runs and again when its transaction commits, so a reader who read between the two
    /// (still seeing the old rows) cannot keep what it read.
    /// </summary>
    public sealed class Watcher(ChangeClock clock) : SaveChangesInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
    {
        private sealed class Pending
        {
            public readonly HashSet<ChangeKey> Keys = [];
            public bool All;
        }

        private readonly ConditionalWeakTable<DbContext, Pending> _tracked = new();
        private readonly ConditionalWeakTable<DbTransaction, Pending> _bulk = new();

        /// <summary>The tables whose rows a cached page shows or counts, or that say who a request is (<see cref="AccessCache"/>), and the signing keys.</summary>
        private static readonly string[] Tables =
        [
            "\"Statuses\"", "\"Favourites\"", "\"Bookmarks\"", "\"StatusMentions\"", "\"StatusTeamMentions\"", "\"StatusTags\"",
            "\"StatusAudienceOrgs\"", "\"LeakReviews\"", "\"Follows\"", "\"AspNetUsers\"", "\"Teams\"", "\"PartnerOrgs\"",
            "\"TeamMembers\"", "\"PartnerGrants\"", "\"TeamFollows\"", "\"PersonalAccessTokens\"", "\"Notifications\"",
            "\"SigningKeys\"",
        ];

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Collect(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Collect(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            Saved(eventData.Context);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Saved(eventData.Context);
            return ValueTask.FromResult(result);
        }

        private void Collect(DbContext? db)
        {
            if (db is null) return;
            var p = _tracked.GetValue(db, _ => new Pending());
            foreach (var entry in db.ChangeTracker.Entries())
            {
                if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
                switch (entry.Entity)
                {
                    case Status s:
                        p.Keys.Add(new(ChangeKind.Status, s.Id));
                        p.Keys.Add(new(ChangeKind.AuthorPosts, s.AccountId));
                        p.Keys.Add(new(ChangeKind.Account, s.AccountId));
                        if (s.AudienceTeamId is { } team) p.Keys.Add(new(ChangeKind.TeamPosts, team));
                        if (s.InReplyToId is { } parent) p.Keys.Add(new(ChangeKind.Status, parent));
                        if (s.ReblogOfId is { } original) p.Keys.Add(new(ChangeKind.Status, original));
                        break;
                    case Favourite f: p.Keys.Add(new(ChangeKind.Status, f.StatusId)); break;
                    case Bookmark b: p.Keys.Add(new(ChangeKind.Status, b.StatusId)); break;
                    case StatusMention m: p.Keys.Add(new(ChangeKind.Status, m.StatusId)); break;
                    case StatusTeamMention m: p.Keys.Add(new(ChangeKind.Status, m.StatusId)); break;
                    case StatusTag t: p.Keys.Add(new(ChangeKind.Status, t.StatusId)); break;
                    case StatusAudienceOrg o: p.Keys.Add(new(ChangeKind.Status, o.StatusId)); break;
                    case StatusEdit e: p.Keys.Add(new(ChangeKind.Status, e.StatusId)); break;
                    case LeakReview r: p.Keys.Add(new(ChangeKind.Status, r.StatusId)); break;
                    case Notification n: p.Keys.Add(new(ChangeKind.Notifications, n.AccountId)); break;
                    case Follow f:
                        p.Keys.UnionWith(ChangeKey.AccountAndAccess(f.FollowerId));
                        p.Keys.Add(new(ChangeKind.Account, f.TargetId));
                        break;
                    case TeamFollow f: p.Keys.UnionWith(ChangeKey.AccountAndAccess(f.AccountId)); break;
                    case PersonalAccessToken t:
                        p.Keys.Add(new(ChangeKind.Token, t.Id));
                        p.Keys.UnionWith(ChangeKey.AccountAndAccess(t.AccountId));
                        break;
                    case Account a:
                        // Suspension and organization decide whose favourites and replies count for everyone (I3, I5).
                        if (entry.State != EntityState.Modified || entry.Property(nameof(Account.Suspended)).IsModified
                            || entry.Property(nameof(Account.PartnerOrgId)).IsModified)
                            p.All = true;
                        else p.Keys.UnionWith(ChangeKey.AccountAndAccess(a.Id));
                        break;
                    case SigningKey:
                        // A rotation: the key that signs new posts (SigningKeyCache) changes everywhere at once.
                        p.All = true;
                        break;
                    case Team or PartnerOrg or TeamMember or PartnerGrant:
                        // Rare writes that change team names, member counts and who may post where (the compose box's choices).
                        p.All = true;
                        break;
                }
            }
        }

        private void Saved(DbContext? db)
        {
            if (db is null || !_tracked.TryGetValue(db, out var p)) return;
            if (p.Keys.Count == 0 && !p.All) return;
            if (db.Database.CurrentTransaction is null)
            {
                clock.Changed(p.Keys, p.All);
                p.Keys.Clear();
                p.All = false;
            }
            else
            {
                clock.Apply(p.Keys, p.All); // now (the rows are written), and announced at the commit
            }
        }

        private void Bulk(DbCommand command, CommandSource source)
        {
            if (source == CommandSource.SaveChanges) return;
            var sql = command.CommandText;
            if (sql.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase)) return;
            if (!Writes(sql)) return;
            // Undeclared, a bulk write may have changed anything. Inside a transaction it is applied now and announced at the commit.
            var keys = Declared.Value ?? [];
            var all = Declared.Value is null;
            if (command.Transaction is { } t)
            {
                var p = _bulk.GetValue(t, _ => new Pending());
                p.Keys.UnionWith(keys);
                p.All |= all;
                clock.Apply(keys, all);
            }
            else clock.Changed(keys, all);
        }

        private static bool Writes(string sql)
        {
            foreach (var table in Tables)
                if (sql.Contains(table, StringComparison.Ordinal)
                    && (sql.Contains("UPDATE", StringComparison.OrdinalIgnoreCase) || sql.Contains("DELETE", StringComparison.OrdinalIgnoreCase)
                        || sql.Contains("INSERT", StringComparison.OrdinalIgnoreCase)))
                    return true;
            return false;
        }

        private void Committed(DbTransaction transaction, DbContext? db)
        {
            var keys = new HashSet<ChangeKey>();
            var all = false;
            if (_bulk.TryGetValue(transaction, out var bulk))
            {
                all = bulk.All;
                keys.UnionWith(bulk.Keys);
                _bulk.Remove(transaction);
            }
            if (db is not null && _tracked.TryGetValue(db, out var p))
            {
                all |= p.All;
                keys.UnionWith(p.Keys);
                p.Keys.Clear();
                p.All = false;
            }
            if (all || keys.Count > 0) clock.Changed(keys, all);
        }

        private void RolledBack(DbContext? db)
        {
            if (db is not null && _tracked.TryGetValue(db, out var p))
            {
                p.Keys.Clear();
                p.All = false;
            }
        }

        public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(transaction, eventData.Context);

        public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Committed(transaction, eventData.Context);
            return Task.CompletedTask;
        }

        public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

        public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            RolledBack(eventData.Context);
            return Task.CompletedTask;
        }

        public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            Bulk(command, eventData.CommandSource);
            return result;
        }

        public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            Bulk(command, eventData.CommandSource);
            return ValueTask.FromResult(result);
        }

        public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            Bulk(command, eventData.CommandSource);
            return result;
        }

        public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Bulk(command, eventData.CommandSource);
            return ValueTask.FromResult(result);
        }
    }
}

