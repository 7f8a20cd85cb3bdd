using System.Globalization;

namespace Gazouille.Load;

/// <summary>CPU time a process has used so far (user + system, all threads), from /proc/PID/stat on Linux. Requests
/// per CPU second of the server varies far less with other work on a shared machine than requests per wall second.</summary>
public static class ServerCpu
{
    /// <summary>Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ) on every architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan? Read(int? pid)
    {
        if (pid is not { } p) return null;
        try
        {
            return Parse(File.ReadAllText($"/proc/{p}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Fields 14 and 15 of the stat line; the command name (field 2) may hold spaces and parentheses, so
    /// counting starts after its last ')'.</summary>
    public static TimeSpan Parse(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
