using System.Buffers;

namespace Gazouille.LeakGuard.Normalization;

/// <summary>A growable char buffer that remembers, for every char, the original span it came from.</summary>
internal sealed class MappedBuffer : IDisposable
{
    private char[] _chars;
    private int[] _starts;
    private int[] _ends;

    public MappedBuffer(int capacity)
    {
        // Pooled: a scan builds two buffers per post and keeps only the exact-size copies made by ToMappedText.
        capacity = Math.Max(capacity, 16);
        _chars = ArrayPool<char>.Shared.Rent(capacity);
        _starts = ArrayPool<int>.Shared.Rent(capacity);
        _ends = ArrayPool<int>.Shared.Rent(capacity);
    }

    public int Length { get; private set; }

    public char this[int index] => _chars[index];

    public char Last => Length == 0 ? '\0' : _chars[Length - 1];

    public void Append(char c, int start, int end)
    {
        if (Length == _chars.Length)
        {
            var size = _chars.Length * 2;
            _chars = Grow(_chars, size, Length);
            _starts = Grow(_starts, size, Length);
            _ends = Grow(_ends, size, Length);
        }

        _chars[Length] = c;
        _starts[Length] = start;
        _ends[Length] = end;
        Length++;
    }

    private static T[] Grow<T>(T[] old, int size, int used)
    {
        var bigger = ArrayPool<T>.Shared.Rent(size);
        old.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(old);
        return bigger;
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<int>.Shared.Return(_ends);
        _chars = [];
        _starts = [];
        _ends = [];
        Length = 0;
    }

    /// <summary>Widens the last char's source span, used when runs of spaces collapse into one.</summary>
    public void ExtendLast(int end) => _ends[Length - 1] = end;

    public int StartOf(int index) => _starts[index];

    public int EndOf(int index) => _ends[index];

    /// <summary>The chars alone, without leading or trailing white space (same as <c>ToMappedText().Text.Trim()</c>).</summary>
    public string ToTrimmedString() => new(_chars.AsSpan(0, Length).Trim());

    public MappedText ToMappedText() => new(new string(_chars, 0, Length), _starts[..Length], _ends[..Length]);
}

/// <summary>A normalized view of a text and, per char, the original span [start, end) it stands for.</summary>
public sealed class MappedText
{
    private readonly int[] _starts;
    private readonly int[] _ends;

    internal MappedText(string text, int[] starts, int[] ends)
    {
        Text = text;
        _starts = starts;
        _ends = ends;
    }

    public string Text { get; }

    /// <summary>Maps a span of this view back to the original text; the result is always a valid, non-empty-or-empty range.</summary>
    public (int Start, int End) ToOriginal(int start, int end)
    {
        if (Text.Length == 0)
        {
            return (0, 0);
        }

        start = Math.Clamp(start, 0, Text.Length - 1);
        end = Math.Clamp(end, start + 1, Text.Length);
        var s = _starts[start];
        var e = _ends[end - 1];
        return e < s ? (s, s) : (s, e);
    }
}
