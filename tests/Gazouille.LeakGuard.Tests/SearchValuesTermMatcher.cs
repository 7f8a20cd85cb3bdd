using System.Buffers;
using Gazouille.LeakGuard.Detectors;

namespace Gazouille.LeakGuard.Tests;

/// <summary>
/// The previous <see cref="TermMatcher"/> scan (one <see cref="SearchValues{T}"/> of all keys, then one lookup per key
/// length at each word start it finds), kept as the oracle the word-start scan must agree with hit for hit and in the
/// same order, and as the baseline the dictionary benchmark compares against.
/// </summary>
internal sealed class SearchValuesTermMatcher
{
    private readonly SearchValues<string>? _values;
    private readonly Dictionary<string, List<int>> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int[] _lengths;

    public SearchValuesTermMatcher(IEnumerable<TermEntry> entries)
    {
        var index = 0;
        foreach (var entry in entries)
        {
            foreach (var key in TermMatcher.KeysOf(entry.Term))
            {
                if (!_byKey.TryGetValue(key, out var ids))
                {
                    _byKey[key] = ids = [];
                }

                if (!ids.Contains(index))
                {
                    ids.Add(index);
                }
            }

            index++;
        }

        _lookup = _byKey.GetAlternateLookup<ReadOnlySpan<char>>();
        _lengths = [.. _byKey.Keys.Select(k => k.Length).Distinct().OrderDescending()];
        _values = _byKey.Count == 0 ? null : SearchValues.Create([.. _byKey.Keys], StringComparison.Ordinal);
    }

    public void FindAll(ReadOnlySpan<char> text, List<TermHit> hits)
    {
        if (_values is null)
        {
            return;
        }

        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOfAny(_values);
            if (found < 0)
            {
                return;
            }

            var pos = offset + found;
            if (pos == 0 || !char.IsLetterOrDigit(text[pos - 1]))
            {
                MatchAt(text, pos, hits);
                offset = pos + 1;
                continue;
            }

            offset = pos + 1;
            while (offset < text.Length && char.IsLetterOrDigit(text[offset - 1]))
            {
                offset++;
            }
        }
    }

    private void MatchAt(ReadOnlySpan<char> text, int pos, List<TermHit> hits)
    {
        foreach (var length in _lengths)
        {
            var end = pos + length;
            if (end > text.Length || (end < text.Length && char.IsLetterOrDigit(text[end]) && char.IsLetterOrDigit(text[end - 1])))
            {
                continue;
            }

            if (_lookup.TryGetValue(text.Slice(pos, length), out var ids))
            {
                foreach (var id in ids)
                {
                    hits.Add(new TermHit(pos, length, id));
                }
            }
        }
    }
}
