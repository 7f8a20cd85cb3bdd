using System.Collections.Concurrent;

namespace Gazouille.Hosting;

/// <summary>
/// A concurrent map that empties itself when it grows past <c>max</c> entries (the caches' memory bound), counting its
/// own entries: <see cref="ConcurrentDictionary{TKey,TValue}.Count"/> takes every lock of the dictionary, and asking it
/// on every store showed up as lock contention when many requests stored at once. The count is approximate around a
/// concurrent <see cref="Clear"/>, which only moves the moment of the next emptying.
/// </summary>
public sealed class BoundedMap<TKey, TValue>(int max, IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _map = new(comparer);
    private int _size;

    /// <summary>The bound: one more new key empties the map.</summary>
    public int Max { get; set; } = max;

    public bool TryGetValue(TKey key, out TValue value) => _map.TryGetValue(key, out value!);

    public TValue? GetValueOrDefault(TKey key) => _map.TryGetValue(key, out var value) ? value : default;

    /// <summary>Adds or replaces; empties the map first when a new key would take it past its bound.</summary>
    public void Set(TKey key, TValue value)
    {
        if (_map.TryAdd(key, value))
        {
            if (Interlocked.Increment(ref _size) > Max) Clear();
        }
        else _map[key] = value;
    }

    /// <summary>Removes the entry only if it still holds <paramref name="value"/> (another request may have replaced it).</summary>
    public void Remove(TKey key, TValue value)
    {
        if (_map.TryRemove(new KeyValuePair<TKey, TValue>(key, value))) Interlocked.Decrement(ref _size);
    }

    public void Clear()
    {
        _map.Clear();
        Volatile.Write(ref _size, 0);
    }
}
