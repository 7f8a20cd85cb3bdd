using System.Globalization;
using Gazouille.Features.Web;

namespace Gazouille.Tests;

/// <summary>
/// A post's relative time is kept for the second it was computed in (<see cref="Display.Relative"/>): it must still
/// follow the clock from one second to the next, and never give one language's words to a reader of the other.
/// </summary>
public sealed class RelativeTimeTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static string In(string culture, Func<string> read)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try { return read(); }
        finally { CultureInfo.CurrentUICulture = previous; }
    }

    [Fact]
    public void Follows_the_clock_and_the_reader_s_language()
    {
        var posted = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var iso = posted.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var clock = new Clock(posted.AddMinutes(5).AddMilliseconds(300));

        Assert.Equal("il y a 5 minutes", In("fr", () => Display.Relative(iso, clock)));
        Assert.Equal("5 minutes ago", In("en", () => Display.Relative(iso, clock)));
        Assert.Equal("il y a 5 minutes", In("fr", () => Display.Relative(iso, clock))); // kept, and still French

        clock.Now = posted.AddMinutes(7);
        Assert.Equal("7 minutes ago", In("en", () => Display.Relative(iso, clock)));
        clock.Now = posted.AddHours(3);
        Assert.Equal("il y a 3 heures", In("fr", () => Display.Relative(iso, clock)));
        Assert.Equal("pas une date", Display.Relative("pas une date", clock));
    }
}
