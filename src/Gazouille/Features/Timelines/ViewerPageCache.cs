using Gazouille.Data;
using Gazouille.Hosting;

namespace Gazouille.Features.Timelines;

/// <summary>
/// What a reader's timeline page was made of — its page of ids, its rendered posts — kept on this node while nothing it
/// depends on has changed (<see cref="ChangeClock"/>), for between one and two <see cref="Lifetime"/>s. An entry is only served to the
/// same reader with exactly the same access as when it was made (teams, follows, grants, role: the whole
/// <see cref="Viewer"/>, which is loaded afresh on every request), so a revocation or an unfollow is never answered from
/// here. Entries are immutable and shared: callers must not change what they get.
/// </summary>
public sealed class ViewerPageCache(ChangeClock changes, TimeProvider clock)
{
    /// <summary>
    /// How long an entry lives at least when no change was heard (a write nobody announced); each entry draws its own
    /// lifetime between this and twice this, so that the pages made together after a start (every reader missing at
    /// once) do not all expire, and miss again, together.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private TimeSpan DrawLifetime() => Lifetime * (1 + Random.Shared.NextDouble());

    /// <summary>
    /// A rendered page is some tens of kilobytes: at most this many entries (about 200–300 MB at worst), emptied when full.
    /// </summary>
    public int MaxEntries { get => _entries.Max; init => _entries.Max = value; }

    /// <summary>
    /// What the values read inside a <see cref="Record"/> scope depend on, whether they came from a cache (any instance) or
    /// were read and stored: something made of them (a page's HTML) is good exactly as long as they all are.
    /// </summary>
    public sealed class Dependencies : IDisposable
    {
        private readonly Dependencies? _outer;
        private readonly HashSet<ChangeKey> _keys = [];

        internal Dependencies(Dependencies? outer) => _outer = outer;

        public IReadOnlyCollection<ChangeKey> Keys => _keys;

        internal void Add(ChangeKey[] keys)
        {
            for (var d = this; d is not null; d = d._outer)
                lock (d._keys) d._keys.UnionWith(keys);
        }

        public void Dispose() => Recording.Value = _outer;
    }

    private static readonly AsyncLocal<Dependencies?> Recording = new();

    /// <summary>Starts recording what the cached reads of this async flow depend on, until the result is disposed.</summary>
    public static Dependencies Record() => Recording.Value = new Dependencies(Recording.Value);

    private sealed record Entry(Viewer Viewer, string Base, long Since, DateTimeOffset Expires, ChangeKey[] Deps, object Value);

    private readonly BoundedMap<(long Account, ViewerKind Kind, string Key), Entry> _entries = new(4_000);

    /// <summary>Turned off by configuration (Gazouille:Caching:Pages = false) to measure or to rule the cache out.</summary>
    public bool Enabled { get; set; } = true;

    private long _hits;

    /// <summary>How many reads this cache answered (tests check that it is really used).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The clock reading to take before reading what will be stored.</summary>
    public long Start() => changes.Now;

    public bool TryGet<T>(Viewer viewer, string urlBase, string key, out T value) where T : class
    {
        value = null!;
        if (!Enabled || !_entries.TryGetValue((viewer.AccountId, viewer.Kind, key), out var e)) return false;
        if (e.Expires <= clock.GetUtcNow() || e.Base != urlBase || !SameAccess(e.Viewer, viewer) || !changes.UnchangedSince(e.Since, e.Deps)
            || e.Value is not T v)
        {
            _entries.Remove((viewer.AccountId, viewer.Kind, key), e);
            return false;
        }
        value = v;
        Recording.Value?.Add(e.Deps);
        Interlocked.Increment(ref _hits);
        return true;
    }

    /// <param name="since">What <see cref="Start"/> said before the value was read from the database.</param>
    public void Store(Viewer viewer, string urlBase, string key, long since, ChangeKey[] deps, object value)
    {
        Recording.Value?.Add(deps);
        if (!Enabled || !changes.UnchangedSince(since, deps)) return;
        _entries.Set((viewer.AccountId, viewer.Kind, key), new Entry(viewer, urlBase, since, clock.GetUtcNow() + DrawLifetime(), deps, value));
    }

    private static bool SameAccess(Viewer a, Viewer b) =>
        a.AccountId == b.AccountId && a.Kind == b.Kind && a.Role == b.Role && a.PartnerOrgId == b.PartnerOrgId
        && a.TeamIds.AsSpan().SequenceEqual(b.TeamIds) && a.FollowingIds.AsSpan().SequenceEqual(b.FollowingIds)
        && a.FollowedTeamIds.AsSpan().SequenceEqual(b.FollowedTeamIds) && a.GrantedTeamIds.AsSpan().SequenceEqual(b.GrantedTeamIds)
        && a.GuestVisibleEmployeeIds.AsSpan().SequenceEqual(b.GuestVisibleEmployeeIds);
}
