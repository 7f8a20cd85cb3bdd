using System.Buffers;
using System.Runtime.CompilerServices;

namespace Gazouille.LeakGuard.Normalization;

/// <summary>A growable char buffer that remembers, for every char, the original span it came from.</summary>
/// <remarks>
/// Pooled, and one array for both ends of every span (start at 2i, end at 2i + 1): a scan builds two buffers per post
/// and keeps only the exact-size copies that <see cref="TextNormalizer"/> makes of them, in one array.
/// </remarks>
internal sealed class MappedBuffer : IDisposable
{
    private char[] _chars;
    private int[] _map;
    private int _length;

    public MappedBuffer(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _chars = ArrayPool<char>.Shared.Rent(capacity);
        _map = ArrayPool<int>.Shared.Rent(2 * capacity);
    }

    public int Length => _length;

    public char this[int index] => _chars[index];

    public char Last => _length == 0 ? '\0' : _chars[_length - 1];

    /// <summary>The chars appended so far.</summary>
    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(char c, int start, int end)
    {
        var n = _length;
        var chars = _chars;
        var map = _map;
        if ((uint)n >= (uint)chars.Length || (uint)(2 * n) + 1 >= (uint)map.Length)
        {
            Grow();
            chars = _chars;
            map = _map;
        }

        chars[n] = c;
        map[2 * n] = start;
        map[(2 * n) + 1] = end;
        _length = n + 1;
    }

    /// <summary>Appends <paramref name="c"/> standing for the same original span as char <paramref name="index"/> of <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendFrom(char c, MappedBuffer source, int index) =>
        Append(c, source._map[2 * index], source._map[(2 * index) + 1]);

    /// <summary>Makes room for <paramref name="count"/> more chars, to be written through <see cref="CharArray"/> and <see cref="MapArray"/>.</summary>
    public void Reserve(int count)
    {
        while (_length + count > _chars.Length || 2 * (_length + count) > _map.Length)
        {
            Grow();
        }
    }

    /// <summary>The buffer's own arrays (valid until the next append or <see cref="Reserve"/>): chars, and spans at 2i and 2i + 1.</summary>
    public char[] CharArray => _chars;

    public int[] MapArray => _map;

    /// <summary>Sets the length after chars were written straight into the arrays.</summary>
    public void SetLength(int length) => _length = length;

    private void Grow()
    {
        var size = _chars.Length * 2;
        var chars = ArrayPool<char>.Shared.Rent(size);
        var map = ArrayPool<int>.Shared.Rent(2 * size);
        _chars.AsSpan(0, _length).CopyTo(chars);
        _map.AsSpan(0, 2 * _length).CopyTo(map);
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_map);
        _chars = chars;
        _map = map;
    }

    public void Dispose()
    {
        if (_chars.Length != 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
        }

        if (_map.Length != 0)
        {
            ArrayPool<int>.Shared.Return(_map);
        }

        _chars = [];
        _map = [];
        _length = 0;
    }

    /// <summary>Widens the last char's source span, used when runs of spaces collapse into one.</summary>
    public void ExtendLast(int end) => _map[(2 * _length) - 1] = end;

    /// <summary>The chars alone, without leading or trailing white space (same as <c>ToMappedText().Text.Trim()</c>).</summary>
    public string ToTrimmedString() => new(_chars.AsSpan(0, _length).Trim());

    /// <summary>The view over this buffer's own pooled map, which the view now owns (see <see cref="MappedText.ReturnPooled"/>).</summary>
    public MappedText DetachMappedText()
    {
        var map = _map;
        var chars = _chars;
        _map = [];
        _chars = [];
        return new MappedText(chars, _length, map);
    }

    /// <summary>Copies the spans into <paramref name="map"/> at <paramref name="offset"/> and returns the view over them.</summary>
    public MappedText ToMappedText(int[] map, int offset)
    {
        _map.AsSpan(0, 2 * _length).CopyTo(map.AsSpan(offset));
        return new MappedText(new string(_chars, 0, _length), map, offset);
    }
}

/// <summary>A normalized view of a text and, per char, the original span [start, end) it stands for.</summary>
public sealed class MappedText
{
    // Start of char i at _offset + 2i, its end at _offset + 2i + 1 (both views of a post share one array).
    private int[] _map;
    private readonly int _offset;
    private readonly bool _pooled;

    internal MappedText(string text, int[] map, int offset)
    {
        _text = text;
        Length = text.Length;
        _map = map;
        _offset = offset;
    }

    /// <summary>A view over pooled chars and a pooled map, which it owns until <see cref="ReturnPooled"/>.</summary>
    internal MappedText(char[] chars, int length, int[] map)
    {
        _chars = chars;
        Length = length;
        _map = map;
        _pooled = true;
    }

    // A pooled view keeps its chars in _chars and makes the string only if someone asks for it (most checks never do).
    private char[]? _chars;
    private string? _text;

    /// <summary>
    /// Returns a pooled view's chars and map to the pool; reading its chars or mapping an offset afterwards throws
    /// rather than read reused arrays.
    /// </summary>
    internal void ReturnPooled()
    {
        if (!_pooled)
        {
            return;
        }

        var map = _map;
        if (map.Length != 0)
        {
            _map = [];
            ArrayPool<int>.Shared.Return(map);
        }

        if (_chars is { Length: > 0 } chars)
        {
            _chars = [];
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The view's chars as a string (made on first read for a pooled view).</summary>
    public string Text => _text ??= new string(Span);

    /// <summary>The view's chars, without making a string.</summary>
    internal ReadOnlySpan<char> Span => _text is not null ? _text.AsSpan() : _chars.AsSpan(0, Length);

    public int Length { get; }

    /// <summary>Maps a span of this view back to the original text; the result is always a valid, non-empty-or-empty range.</summary>
    public (int Start, int End) ToOriginal(int start, int end)
    {
        if (Length == 0)
        {
            return (0, 0);
        }

        start = Math.Clamp(start, 0, Length - 1);
        end = Math.Clamp(end, start + 1, Length);
        var s = _map[_offset + (2 * start)];
        var e = _map[_offset + (2 * (end - 1)) + 1];
        return e < s ? (s, s) : (s, e);
    }
}
