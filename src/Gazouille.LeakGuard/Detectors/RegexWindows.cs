using System.Buffers;
using System.Text.RegularExpressions;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// Runs a regex only where it can match. A pattern that must contain one of a few literal words (its "anchors") and
/// extends at most <c>before</c> chars before and <c>after</c> chars past the anchor cannot match anywhere else, so
/// scanning the merged windows around the anchors gives exactly the matches of a whole-text scan, for a fraction of
/// the cost (most patterns start with a lookbehind and an alternation that would otherwise be tried at every letter).
/// The span handed to the regex always starts at 0, so lookbehinds see the real text before a window.
/// </summary>
internal ref struct RegexWindows
{
    private (int Start, int End)[]? _pooled;
    private Span<(int Start, int End)> _windows;
    private int _count;
    private readonly int _length;

    public RegexWindows(Span<(int Start, int End)> initial, int length)
    {
        _windows = initial;
        _length = length;
    }

    public readonly int Count => _count;

    public readonly (int Start, int End) this[int index] => _windows[index];

    /// <summary>Adds the window around an anchor at [start, end); anchors must come in increasing order.</summary>
    public void Add(int start, int end, int before, int after)
    {
        var s = Math.Max(0, start - before);
        var e = (int)Math.Min(_length, (long)end + after);
        if (_count > 0 && s <= _windows[_count - 1].End)
        {
            _windows[_count - 1].End = Math.Max(_windows[_count - 1].End, e);
            return;
        }

        if (_count == _windows.Length)
        {
            var bigger = ArrayPool<(int, int)>.Shared.Rent(Math.Max(16, _windows.Length * 2));
            _windows[.._count].CopyTo(bigger);
            if (_pooled is not null)
            {
                ArrayPool<(int, int)>.Shared.Return(_pooled);
            }

            _pooled = bigger;
            _windows = bigger;
        }

        _windows[_count++] = (s, e);
    }

    /// <summary>Adds a window around every occurrence of any of <paramref name="anchors"/> in <paramref name="text"/>.</summary>
    public void AddAll(ReadOnlySpan<char> text, SearchValues<string> anchors, int before, int after)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOfAny(anchors);
            if (found < 0)
            {
                return;
            }

            var pos = offset + found;
            Add(pos, pos + 1, before, after);
            offset = pos + 1;
        }
    }

    public void Dispose()
    {
        if (_pooled is not null)
        {
            ArrayPool<(int, int)>.Shared.Return(_pooled);
            _pooled = null;
        }
    }
}
