using Gazouille.LeakGuard.Evaluation;

namespace Gazouille.LeakGuard.Tests;

/// <summary>
/// The issue's targets on our labelled corpus, and honest floors on the public data sets. The held-out part is never
/// tuned on, so its floors are set lower in advance; docs/leak-guard-evaluation.md reports the actual numbers.
/// </summary>
public class EvaluationTests
{
    private static readonly LeakGuardEngine Engine = new(LabelledCorpus.Policy);

    [Fact]
    public void The_corpus_has_at_least_300_posts_of_every_kind()
    {
        var all = LabelledCorpus.Tune.Concat(LabelledCorpus.Holdout).ToList();
        Assert.True(all.Count >= 300, $"{all.Count} posts");
        Assert.Contains(all, p => p.Label == PostLabel.Harmless);
        Assert.Contains(all, p => p.Label == PostLabel.Leak);
        Assert.Contains(all, p => p.Label == PostLabel.Severe);
    }

    [Fact]
    public void Tuning_part_meets_the_issue_targets()
    {
        var s = CorpusEvaluation.Score("tuning", LabelledCorpus.Tune, Engine);
        var why = string.Join("\n", s.Misses);
        Assert.True(s.PartnersLeaksFlagged >= 0.95, $"partners leaks flagged {s.PartnersLeaksFlagged:P1}\n{why}");
        Assert.True(s.PublicLeaksFlagged >= 0.95, $"public leaks flagged {s.PublicLeaksFlagged:P1}\n{why}");
        Assert.True(s.PartnersSevereHeld >= 0.90, $"partners severe held {s.PartnersSevereHeld:P1}\n{why}");
        Assert.True(s.PublicSevereHeld >= 0.90, $"public severe held {s.PublicSevereHeld:P1}\n{why}");
        Assert.True(s.PartnersHarmlessFlagged <= 0.05, $"partners harmless flagged {s.PartnersHarmlessFlagged:P1}\n{why}");
        Assert.True(s.PublicHarmlessFlagged <= 0.05, $"public harmless flagged {s.PublicHarmlessFlagged:P1}\n{why}");
        Assert.True(s.CompanyHarmlessFlagged <= 0.02, $"company harmless flagged {s.CompanyHarmlessFlagged:P1}\n{why}");
    }

    [Fact]
    public void Held_out_part_stays_near_the_targets()
    {
        var s = CorpusEvaluation.Score("held-out", LabelledCorpus.Holdout, Engine);
        var why = string.Join("\n", s.Misses);
        Assert.True(s.PartnersLeaksFlagged >= 0.85, $"partners leaks flagged {s.PartnersLeaksFlagged:P1}\n{why}");
        Assert.True(s.PublicLeaksFlagged >= 0.85, $"public leaks flagged {s.PublicLeaksFlagged:P1}\n{why}");
        Assert.True(s.PartnersSevereHeld >= 0.80, $"partners severe held {s.PartnersSevereHeld:P1}\n{why}");
        Assert.True(s.PartnersHarmlessFlagged <= 0.10, $"partners harmless flagged {s.PartnersHarmlessFlagged:P1}\n{why}");
        Assert.True(s.CompanyHarmlessFlagged <= 0.05, $"company harmless flagged {s.CompanyHarmlessFlagged:P1}\n{why}");
    }

    [Theory]
    [InlineData("email", 0.95, 0.95)]
    [InlineData("iban", 0.95, 0.95)]
    [InlineData("card", 0.95, 0.85)]
    [InlineData("ip", 0.95, 0.75)]
    [InlineData("phone", 0.85, 0.15)]
    public void Presidio_synth_floors(string type, double precision, double recall)
    {
        var s = PublicDatasets.Score("presidio-synth", PublicDatasets.Presidio(), 0.5).Single(x => x.Type == type);
        Assert.True(s.Precision >= precision && s.Recall >= recall, $"{type}: P {s.Precision:P1} R {s.Recall:P1}");
    }

    [Theory]
    [InlineData("email", 0.95, 0.90)]
    [InlineData("nir", 0.95, 0.55)]
    [InlineData("phone", 0.65, 0.15)]
    public void Eds_pseudo_fr_floors(string type, double precision, double recall)
    {
        var s = PublicDatasets.Score("eds-pseudo-fr", PublicDatasets.EdsPseudo(), 0.5).Single(x => x.Type == type);
        Assert.True(s.Precision >= precision && s.Recall >= recall, $"{type}: P {s.Precision:P1} R {s.Recall:P1}");
    }
}
