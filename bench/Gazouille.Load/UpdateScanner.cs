using System.Text;

namespace Gazouille.Load;

/// <summary>
/// Finds the ids of the posts an event stream announces (<c>event: update</c> followed by <c>data: {"id":"…"</c>), in
/// bytes as they arrive: a frame cut between two reads is still found, and each id is reported once, with the time of
/// the read that completed it. Other events (notifications, deletions, heartbeats) are skipped.
/// </summary>
public sealed class UpdateScanner
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("event: update\ndata: {\"id\":\"");
    private const int MaxIdLength = 24;
    private byte[] _carry = [];

    /// <summary>Reads one chunk and calls <paramref name="found"/> for each id it completes.</summary>
    public void Read(ReadOnlySpan<byte> chunk, Action<long> found)
    {
        ReadOnlySpan<byte> buffer;
        byte[]? joined = null;
        if (_carry.Length > 0)
        {
            joined = new byte[_carry.Length + chunk.Length];
            _carry.CopyTo(joined, 0);
            chunk.CopyTo(joined.AsSpan(_carry.Length));
            buffer = joined;
        }
        else buffer = chunk;

        var keepFrom = Math.Max(0, buffer.Length - (Marker.Length - 1)); // a marker may begin in the last bytes
        var at = 0;
        while (at < buffer.Length)
        {
            var i = buffer[at..].IndexOf(Marker);
            if (i < 0) break;
            var start = at + i + Marker.Length;
            var end = buffer[start..].IndexOf((byte)'"');
            if (end < 0)
            {
                // The id is not complete yet: keep from the marker on, unless what follows cannot be an id.
                keepFrom = buffer.Length - start > MaxIdLength ? buffer.Length : at + i;
                break;
            }
            if (long.TryParse(buffer.Slice(start, end), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                found(id);
            at = start + end + 1;
            keepFrom = Math.Max(at, buffer.Length - (Marker.Length - 1));
        }
        _carry = buffer[Math.Min(keepFrom, buffer.Length)..].ToArray();
    }
}
