using Gazouille.Data;
using Gazouille.Features.Streaming;

namespace Gazouille.Hosting;

/// <summary>
/// Who a request is, remembered on each node: a personal token's account and scopes, and an employee's
/// <see cref="Viewer"/> (role, teams, follows, followed teams). Every signed-in request needs both, and reading them was
/// most of a cached timeline page's cost. An entry is good while nothing it was read from has changed on the
/// <see cref="ChangeClock"/>: a token's revocation, the account's row (role, suspension, approval, security stamp), its
/// follows and team follows (<see cref="ChangeKind.Access"/>, which the author's own posts leave alone), any team
/// membership (those empty everything). The stamp file the admin CLI touches is
/// looked at before every use, so a revocation made by the CLI counts from the moment the command has finished.
/// <para>
/// With Redis, a change made on another node is heard over the bus a moment after it was made, and a request sent to
/// this node in that moment must not pass. So every change that touches access (<see cref="ChangeKind.Access"/>,
/// <see cref="ChangeKind.Token"/>, or everything) first increments a counter in Redis (<see cref="EpochKey"/>, by
/// <see cref="ChangeClock.Changed"/>, before the request that made it is answered), each request reads that counter once
/// before anything else (<see cref="RequestEpoch"/>), and an entry is served only to a request that read the same
/// counter as the one that stored it. One Redis GET per request instead of the token, account, teams and follows.
/// Guests are never remembered: their access depends on grants that expire by the clock, and is read afresh every time.
/// </para>
/// </summary>
public sealed class AccessCache(ChangeClock changes, TimeProvider clock)
{
    /// <summary>The Redis counter of changes to access, across every node (see the class remarks).</summary>
    public static readonly StackExchange.Redis.RedisKey EpochKey = "gazouille:access-epoch";

    /// <summary>The longest an entry lives even when no change was heard.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private const int MaxEntries = 20_000;

    public sealed record TokenAccess(long TokenId, long AccountId, string Scopes);

    private sealed record Entry<T>(T Value, long Since, long Epoch, DateTimeOffset Expires, ChangeKey[] Deps);

    private readonly BoundedMap<string, Entry<TokenAccess>> _tokens = new(MaxEntries, StringComparer.Ordinal);
    private readonly BoundedMap<(long Account, string Stamp), Entry<Viewer>> _viewers = new(MaxEntries);

    /// <summary>False when turned off by configuration (Gazouille:Caching:Access = false).</summary>
    public bool Enabled { get; init; } = true;

    private long _hits;

    /// <summary>How many lookups this cache answered (tests check that it is really used).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The clock reading to take before reading what will be stored.</summary>
    public long Start() => changes.Now;

    /// <param name="epoch">The request's <see cref="RequestEpoch"/> (null: Redis could not be read, nothing is served).</param>
    public bool TryGetToken(string hash, long? epoch, out TokenAccess token) => TryGet(_tokens, hash, epoch, out token);

    public void StoreToken(string hash, TokenAccess token, long since, long? epoch) =>
        Store(_tokens, hash, token, since, epoch, [new(ChangeKind.Token, token.TokenId), new(ChangeKind.Access, token.AccountId)]);

    /// <param name="securityStamp">The browser session's stamp, or null for a token.</param>
    /// <param name="epoch">The request's <see cref="RequestEpoch"/>.</param>
    public bool TryGetViewer(long accountId, string? securityStamp, long? epoch, out Viewer viewer) =>
        TryGet(_viewers, (accountId, securityStamp ?? ""), epoch, out viewer);

    public void StoreViewer(string? securityStamp, Viewer viewer, long since, long? epoch)
    {
        if (viewer.Kind != ViewerKind.Employee) return;
        Store(_viewers, (viewer.AccountId, securityStamp ?? ""), viewer, since, epoch, [new(ChangeKind.Access, viewer.AccountId)]);
    }

    private bool TryGet<TKey, T>(BoundedMap<TKey, Entry<T>> entries, TKey key, long? epoch, out T value) where TKey : notnull
    {
        value = default!;
        if (!Enabled || epoch is null || !entries.TryGetValue(key, out var e)) return false;
        if (e.Epoch != epoch || e.Expires <= clock.GetUtcNow() || !changes.UnchangedSince(e.Since, e.Deps, strict: true))
        {
            entries.Remove(key, e);
            return false;
        }
        value = e.Value;
        Interlocked.Increment(ref _hits);
        return true;
    }

    private void Store<TKey, T>(BoundedMap<TKey, Entry<T>> entries, TKey key, T value, long since, long? epoch, ChangeKey[] deps) where TKey : notnull
    {
        if (!Enabled || epoch is null || !changes.UnchangedSince(since, deps, strict: true)) return;
        entries.Set(key, new Entry<T>(value, since, epoch.Value, clock.GetUtcNow() + Lifetime, deps));
    }

    /// <summary>
    /// The access counter as this request read it, once, before it read anything else: 0 without Redis, null when Redis
    /// could not be read or the cache is off (then nothing is served from the cache or stored in it, and Redis is not asked).
    /// </summary>
    public sealed class RequestEpoch(RedisConnection redis, AccessCache cache)
    {
        private static readonly Task<long?> Zero = Task.FromResult<long?>(0), Unread = Task.FromResult<long?>(null);

        private Task<long?>? _read;

        public Task<long?> ReadAsync() => _read ??= !cache.Enabled ? Unread : redis.Configured ? ReadRedisAsync() : Zero;

        private async Task<long?> ReadRedisAsync()
        {
            if (redis.Multiplexer is not { IsConnected: true } m) return null;
            try
            {
                var value = await m.GetDatabase().StringGetAsync(EpochKey);
                return value.IsNull ? 0 : (long)value;
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                return null;
            }
        }
    }
}
