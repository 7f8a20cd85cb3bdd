namespace Gazouille.Data;

/// <summary>
/// Sortable 64-bit ids in the spirit of Mastodon's: milliseconds since the Unix epoch in the high bits and
/// 16 bits of per-millisecond sequence (seeded randomly so that two nodes rarely collide), rendered as decimal strings.
/// </summary>
public static class Snowflake
{
    private static readonly Lock Gate = new();
    private static long _lastMillis;
    private static long _sequence = Random.Shared.Next(0, 1 << 15);

    public static long NewId() => NewId(DateTimeOffset.UtcNow);

    public static long NewId(DateTimeOffset at)
    {
        var millis = at.ToUnixTimeMilliseconds();
        lock (Gate)
        {
            if (millis <= _lastMillis)
            {
                millis = _lastMillis;
                _sequence++;
                if (_sequence >= 1 << 16)
                {
                    millis++;
                    _sequence = 0;
                }
            }
            else
            {
                _sequence = Random.Shared.Next(0, 1 << 12);
            }
            _lastMillis = millis;
            return (millis << 16) | _sequence;
        }
    }

    /// <summary>The smallest id that could have been created at <paramref name="at"/>, for time-based paging.</summary>
    public static long MinIdAt(DateTimeOffset at) => at.ToUnixTimeMilliseconds() << 16;

    public static DateTimeOffset TimeOf(long id) => DateTimeOffset.FromUnixTimeMilliseconds(id >> 16);
}
