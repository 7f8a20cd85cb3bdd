namespace Gazouille.LeakGuard;

/// <summary>What happens to a post; ordered so that the strictest of several decisions is their maximum.</summary>
public enum LeakDecision
{
    Allow = 0,
    Warn = 1,
    Hold = 2,
    Block = 3,
}

public static class LeakDecisions
{
    public static string ToWire(this LeakDecision decision) => decision switch
    {
        LeakDecision.Allow => "allow",
        LeakDecision.Warn => "warn",
        LeakDecision.Hold => "hold",
        _ => "block",
    };

    public static bool TryParse(string? value, out LeakDecision decision)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "allow": decision = LeakDecision.Allow; return true;
            case "warn": decision = LeakDecision.Warn; return true;
            case "hold": decision = LeakDecision.Hold; return true;
            case "block": decision = LeakDecision.Block; return true;
            default: decision = LeakDecision.Allow; return false;
        }
    }
}
