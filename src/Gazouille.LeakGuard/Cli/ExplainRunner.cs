namespace Gazouille.LeakGuard.Cli;

/// <summary><c>gazouille leakguard explain "text"</c>: the verdict for people, in French or English.</summary>
public static class ExplainRunner
{
    public static int Run(string text, TextWriter output, LeakPolicy policy, string audienceName, string? lang, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!LeakAudiences.TryParse(audienceName, out var audience, out var channel))
        {
            error.WriteLine($"Unknown audience '{audienceName}': use team, followers, company, partners or public.");
            return 2;
        }

        var fr = lang is not null && lang.StartsWith("fr", StringComparison.OrdinalIgnoreCase);
        var verdict = new LeakGuardEngine(policy).Check(text ?? string.Empty, audience, channel);
        output.WriteLine(fr
            ? $"Décision pour l'audience « {audience.ToWire()} » : {Fr(verdict.Decision)} (score {verdict.Score:0.00})"
            : $"Decision for audience \"{audience.ToWire()}\": {verdict.Decision.ToWire()} (score {verdict.Score:0.00})");
        if (verdict.Findings.Count == 0)
        {
            output.WriteLine(fr ? "Rien de sensible trouvé." : "Nothing sensitive found.");
            return 0;
        }

        foreach (var f in verdict.Findings)
        {
            var decision = fr ? Fr(f.Decision) : f.Decision.ToWire();
            output.WriteLine($"- [{decision}] {f.Type} \"{f.Text}\" ({f.Start}..{f.End}, {(fr ? "confiance" : "confidence")} {f.Confidence:0.00})");
            output.WriteLine($"    {f.Reason.In(lang)}");
            output.WriteLine($"    {(fr ? "Que faire" : "What to do")}: {f.WayOut.In(lang)}");
        }

        return 0;
    }

    private static string Fr(LeakDecision d) => d switch
    {
        LeakDecision.Allow => "autoriser",
        LeakDecision.Warn => "avertir",
        LeakDecision.Hold => "retenir pour relecture",
        _ => "bloquer",
    };
}
