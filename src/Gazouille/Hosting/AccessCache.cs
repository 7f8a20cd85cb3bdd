using Gazouille.Data;

namespace Gazouille.Hosting;

/// <summary>
/// Who a request is, remembered on a single node: a personal token's account and scopes, and an employee's
/// <see cref="Viewer"/> (role, teams, follows, followed teams). Every signed-in request needs both, and reading them was
/// most of a cached timeline page's cost. An entry is good while nothing it was read from has changed on the
/// <see cref="ChangeClock"/>: a token's revocation, the account's row (role, suspension, approval, security stamp), its
/// follows and team follows (<see cref="ChangeKind.Access"/>, which the author's own posts leave alone), any team
/// membership (those empty everything). The stamp file the admin CLI touches is
/// looked at before every use, so a revocation made by the CLI counts from the moment the command has finished.
/// <para>
/// Off when Redis is configured: another node hears of a revocation a moment after it was made, and a request sent
/// to it in that moment must not pass. Guests are never remembered: their access depends on grants that expire by
/// the clock, and is read afresh every time.
/// </para>
/// </summary>
public sealed class AccessCache(ChangeClock changes, TimeProvider clock)
{
    /// <summary>The longest an entry lives even when no change was heard.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private const int MaxEntries = 20_000;

    public sealed record TokenAccess(long TokenId, long AccountId, string Scopes);

    private sealed record Entry<T>(T Value, long Since, DateTimeOffset Expires, ChangeKey[] Deps);

    private readonly BoundedMap<string, Entry<TokenAccess>> _tokens = new(MaxEntries, StringComparer.Ordinal);
    private readonly BoundedMap<(long Account, string Stamp), Entry<Viewer>> _viewers = new(MaxEntries);

    /// <summary>False with Redis, or when turned off by configuration (Gazouille:Caching:Access = false).</summary>
    public bool Enabled { get; init; } = true;

    private long _hits;

    /// <summary>How many lookups this cache answered (tests check that it is really used).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The clock reading to take before reading what will be stored.</summary>
    public long Start() => changes.Now;

    public bool TryGetToken(string hash, out TokenAccess token) => TryGet(_tokens, hash, out token);

    public void StoreToken(string hash, TokenAccess token, long since) =>
        Store(_tokens, hash, token, since, [new(ChangeKind.Token, token.TokenId), new(ChangeKind.Access, token.AccountId)]);

    /// <param name="securityStamp">The browser session's stamp, or null for a token.</param>
    public bool TryGetViewer(long accountId, string? securityStamp, out Viewer viewer) => TryGet(_viewers, (accountId, securityStamp ?? ""), out viewer);

    public void StoreViewer(string? securityStamp, Viewer viewer, long since)
    {
        if (viewer.Kind != ViewerKind.Employee) return;
        Store(_viewers, (viewer.AccountId, securityStamp ?? ""), viewer, since, [new(ChangeKind.Access, viewer.AccountId)]);
    }

    private bool TryGet<TKey, T>(BoundedMap<TKey, Entry<T>> entries, TKey key, out T value) where TKey : notnull
    {
        value = default!;
        if (!Enabled || !entries.TryGetValue(key, out var e)) return false;
        if (e.Expires <= clock.GetUtcNow() || !changes.UnchangedSince(e.Since, e.Deps, strict: true))
        {
            entries.Remove(key, e);
            return false;
        }
        value = e.Value;
        Interlocked.Increment(ref _hits);
        return true;
    }

    private void Store<TKey, T>(BoundedMap<TKey, Entry<T>> entries, TKey key, T value, long since, ChangeKey[] deps) where TKey : notnull
    {
        if (!Enabled || !changes.UnchangedSince(since, deps, strict: true)) return;
        entries.Set(key, new Entry<T>(value, since, clock.GetUtcNow() + Lifetime, deps));
    }
}
