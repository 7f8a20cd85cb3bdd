using Gazouille.Hosting;

namespace Gazouille.Features.Accounts;

/// <summary>
/// Follower, following and post counts of accounts as employees see them (plain totals), kept for a few seconds: every
/// post on a timeline page shows its author's counts, and counting a popular author's followers on every request was a
/// quarter of the home timeline's time. An entry is dropped as soon as the <see cref="ChangeClock"/> says its account
/// changed (its posts, its follows either way, on this node, another node or the CLI), and lives
/// <see cref="Lifetime"/> at most. Guests' and anonymous readers' counts depend on what they may see (I3) and are never cached.
/// </summary>
public sealed class AccountCounts(TimeProvider clock, ChangeClock changes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 100_000;

    public readonly record struct Counts(int Followers, int Following, int Statuses);

    private readonly BoundedMap<long, (Counts Counts, long Since, DateTimeOffset Expires)> entries = new(MaxEntries);

    /// <summary>The clock reading to take before counting, and to hand to <see cref="Store"/>.</summary>
    public long Start() => changes.Now;

    public bool TryGet(long accountId, out Counts counts)
    {
        if (entries.TryGetValue(accountId, out var e) && e.Expires > clock.GetUtcNow()
            && changes.UnchangedSince(e.Since, [new ChangeKey(ChangeKind.Account, accountId)]))
        {
            counts = e.Counts;
            return true;
        }
        counts = default;
        return false;
    }

    /// <summary>Keeps counts read after <paramref name="since"/>, unless the account changed meanwhile.</summary>
    public void Store(long since, long accountId, Counts counts)
    {
        if (!changes.UnchangedSince(since, [new ChangeKey(ChangeKind.Account, accountId)])) return;
        entries.Set(accountId, (counts, since, clock.GetUtcNow() + Lifetime));
    }
}
