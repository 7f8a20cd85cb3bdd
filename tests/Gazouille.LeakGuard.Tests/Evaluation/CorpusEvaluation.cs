namespace Gazouille.LeakGuard.Evaluation;

/// <summary>The targets, measured on one part of the labelled corpus.</summary>
public sealed record CorpusScores(
    string Part,
    int Posts,
    int Leaks,
    int Severe,
    int Harmless,
    double PartnersLeaksFlagged,
    double PublicLeaksFlagged,
    double PartnersSevereHeld,
    double PublicSevereHeld,
    double PartnersHarmlessFlagged,
    double PublicHarmlessFlagged,
    double CompanyHarmlessFlagged,
    double TypeRecall,
    IReadOnlyList<string> Misses);

public static class CorpusEvaluation
{
    public static CorpusScores Score(string part, IReadOnlyList<LabelledPost> posts, LeakGuardEngine engine)
    {
        var misses = new List<string>();
        var leaks = posts.Where(p => p.Label != PostLabel.Harmless).ToList();
        var severe = posts.Where(p => p.Label == PostLabel.Severe).ToList();
        var harmless = posts.Where(p => p.Label == PostLabel.Harmless).ToList();

        // A post written for a partner channel is judged in that channel; public posting never has a channel.
        LeakVerdict Partners(LabelledPost p) => engine.Check(p.Text, LeakAudience.Partners, p.ChannelClient);
        LeakVerdict Public(LabelledPost p) => engine.Check(p.Text, LeakAudience.Public);
        double Rate(List<LabelledPost> set, Func<LabelledPost, bool> ok, string what)
        {
            if (set.Count == 0)
            {
                return 1;
            }

            var good = 0;
            foreach (var p in set)
            {
                if (ok(p))
                {
                    good++;
                }
                else
                {
                    misses.Add($"{what}: {p.Id} \"{p.Text}\"");
                }
            }

            return (double)good / set.Count;
        }

        var publicHarmless = harmless.Where(p => p.ChannelClient is null).ToList();
        var publicLeaks = leaks.Where(p => p.ChannelClient is null).ToList();
        var publicSevere = severe.Where(p => p.ChannelClient is null).ToList();
        var typeHits = 0;
        var typeTotal = 0;
        foreach (var p in leaks)
        {
            var found = engine.Check(p.Text, LeakAudience.Public).Findings.Select(f => f.Type).ToHashSet();
            foreach (var t in p.Types)
            {
                typeTotal++;
                if (found.Contains(t))
                {
                    typeHits++;
                }
                else
                {
                    misses.Add($"type {t} not found: {p.Id} \"{p.Text}\"");
                }
            }
        }

        return new CorpusScores(
            part, posts.Count, leaks.Count, severe.Count, harmless.Count,
            Rate(leaks, p => Partners(p).Decision >= LeakDecision.Warn, "partners leak not flagged"),
            Rate(publicLeaks, p => Public(p).Decision >= LeakDecision.Warn, "public leak not flagged"),
            Rate(severe, p => Partners(p).Decision >= LeakDecision.Hold, "partners severe not held"),
            Rate(publicSevere, p => Public(p).Decision >= LeakDecision.Hold, "public severe not held"),
            1 - Rate(harmless, p => Partners(p).Decision == LeakDecision.Allow, "partners harmless flagged"),
            1 - Rate(publicHarmless, p => Public(p).Decision == LeakDecision.Allow, "public harmless flagged"),
            1 - Rate(harmless, p => engine.Check(p.Text, LeakAudience.Company).Decision == LeakDecision.Allow, "company harmless flagged"),
            typeTotal == 0 ? 1 : (double)typeHits / typeTotal,
            misses);
    }
}
