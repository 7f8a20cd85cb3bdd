namespace Gazouille.LeakGuard.Tests;

public class DecisionTests
{
    private static LeakDecision Decide(string text, LeakAudience audience, string? channel = null) =>
        TestPolicies.Engine.Check(text, audience, channel).Decision;

    [Fact]
    public void A_finished_check_leaves_its_policy_free_to_be_collected()
    {
        // Checks reuse a per-thread scan context: once a check returns, it must not keep the policy (and its
        // dictionaries) alive, or an idle thread would hold a replaced policy for ever.
        var policy = CheckWithAThrowawayPolicy();
        for (var i = 0; i < 3 && policy.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(policy.IsAlive, "a finished check still holds its policy");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference CheckWithAThrowawayPolicy()
    {
        var policy = LeakPolicy.Parse(TestPolicies.Json);
        var verdict = new LeakGuardEngine(policy).Check("Groupe Atlas : 20 personnes, galère, mdp : Soleil2024!", LeakAudience.Public);
        Assert.NotEmpty(verdict.Findings);
        return new WeakReference(policy);
    }

    [Fact]
    public void A_detector_that_runs_out_of_time_makes_the_check_fail_closed()
    {
        var engine = new LeakGuardEngine(TestPolicies.Engine.Policy)
        {
            ExtraDetector = _ => throw new System.Text.RegularExpressions.RegexMatchTimeoutException("x", "y", TimeSpan.FromMilliseconds(250)),
        };
        const string harmless = "On se retrouve à la cafétéria à midi ?";
        Assert.Equal(LeakDecision.Allow, TestPolicies.Engine.Check(harmless, LeakAudience.Public).Decision);
        var outside = engine.Check(harmless, LeakAudience.Partners);
        Assert.True(outside.Incomplete);
        Assert.Equal(LeakDecision.Hold, outside.Decision);
        Assert.Equal(LeakDecision.Hold, engine.Check(harmless, LeakAudience.Public).Decision);
        Assert.Equal(LeakDecision.Warn, engine.Check(harmless, LeakAudience.Team).Decision);
        // Never looser than what the detectors that did run found.
        const string leak = "Pff, encore un projet avec Groupe Atlas qui m'échappe, galère 20 personnes sur le carreau";
        Assert.Equal(LeakDecision.Block, engine.Check(leak, LeakAudience.Public).Decision);
        Assert.False(TestPolicies.Engine.Check(leak, LeakAudience.Public).Incomplete);
    }

    [Fact]
    public void The_issue_example_is_held_for_partners_and_blocked_in_public()
    {
        const string text = "Pff, encore un projet avec Groupe Atlas qui m'échappe, galère 20 personnes sur le carreau";
        Assert.Equal(LeakDecision.Allow, Decide(text, LeakAudience.Company));
        Assert.Equal(LeakDecision.Hold, Decide(text, LeakAudience.Partners));
        Assert.Equal(LeakDecision.Block, Decide(text, LeakAudience.Public));
        var verdict = TestPolicies.Engine.Check(text, LeakAudience.Public);
        var client = Assert.Single(verdict.Findings, f => f.Type == FindingTypes.Client);
        Assert.Equal("Groupe Atlas", text[client.Start..client.End]);
        Assert.Equal(LeakRule.BusinessSevere, client.Rule);
        Assert.InRange(verdict.Score, 0.5, 1);
    }

    [Fact]
    public void Obfuscated_client_is_found_at_the_right_offsets()
    {
        const string text = "Encore G.r.o.u.p.e A.t.l.a.s, quelle galère";
        var client = Assert.Single(TestPolicies.Engine.Check(text, LeakAudience.Public).Findings, f => f.Type == FindingTypes.Client);
        Assert.Equal("G.r.o.u.p.e A.t.l.a.s", client.Text);
    }

    [Fact]
    public void Client_alone_is_fine_in_its_own_partner_channel()
    {
        const string text = "Merci Groupe Atlas pour l'atelier";
        Assert.Equal(LeakDecision.Warn, Decide(text, LeakAudience.Partners));
        Assert.Equal(LeakDecision.Allow, Decide(text, LeakAudience.Partners, "atlas"));
        Assert.Equal(LeakDecision.Warn, Decide(text, LeakAudience.Partners, "horizon"));
    }

    [Fact]
    public void Common_word_needs_context()
    {
        Assert.Equal(LeakDecision.Allow, Decide("Neptune est visible ce soir", LeakAudience.Public));
        Assert.Equal(LeakDecision.Hold, Decide("Le projet Neptune passe en recette", LeakAudience.Public));
    }

    [Fact]
    public void Confidential_marker_follows_the_design_table()
    {
        const string text = "Confidentiel : nouvelle grille";
        Assert.Equal(LeakDecision.Warn, Decide(text, LeakAudience.Company));
        Assert.Equal(LeakDecision.Hold, Decide(text, LeakAudience.Partners));
        Assert.Equal(LeakDecision.Block, Decide(text, LeakAudience.Public));
    }

    [Fact]
    public void Internal_only_with_business_details_is_held_for_partners()
    {
        Assert.Equal(LeakDecision.Warn, Decide("Usage interne uniquement : la procédure", LeakAudience.Partners));
        Assert.Equal(LeakDecision.Hold, Decide("Usage interne uniquement : CA de 3 M€", LeakAudience.Partners));
    }

    [Fact]
    public void Health_about_a_named_person_is_personal_data() =>
        Assert.Equal(LeakDecision.Hold, Decide("Marie Dupont est en arrêt maladie", LeakAudience.Company));

    [Fact]
    public void A_policy_can_make_decisions_stricter_and_wider_audiences_follow()
    {
        var policy = LeakPolicy.Parse("""{"decisions": {"money_or_headcount": {"company": "warn"}}}""");
        Assert.Equal(LeakDecision.Warn, policy.Decisions[LeakRule.MoneyOrHeadcount, LeakAudience.Company]);
        Assert.Equal(LeakDecision.Warn, policy.Decisions[LeakRule.MoneyOrHeadcount, LeakAudience.Partners]);
        Assert.Equal(LeakDecision.Hold, policy.Decisions[LeakRule.MoneyOrHeadcount, LeakAudience.Public]);
        Assert.Equal(LeakDecision.Allow, policy.Decisions[LeakRule.MoneyOrHeadcount, LeakAudience.Team]);
    }

    [Fact]
    public void Every_finding_explains_itself_in_both_languages()
    {
        var verdict = TestPolicies.Engine.Check("Groupe Atlas : 20 personnes, mdp : Soleil2024!", LeakAudience.Partners);
        Assert.NotEmpty(verdict.Findings);
        foreach (var f in verdict.Findings)
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Reason.En));
            Assert.False(string.IsNullOrWhiteSpace(f.Reason.Fr));
            Assert.False(string.IsNullOrWhiteSpace(f.WayOut.Fr));
            Assert.NotEqual(f.Reason.En, f.Reason.Fr);
        }
    }

    [Fact]
    public void The_engine_gives_the_same_answer_from_many_threads()
    {
        const string text = "Groupe Atlas : 1,2 M€ et 06 12 34 56 78, logs sur build.corp.example";
        var expected = TestPolicies.Engine.Check(text, LeakAudience.Public);
        Parallel.For(0, 200, _ =>
        {
            var v = TestPolicies.Engine.Check(text, LeakAudience.Public);
            Assert.Equal(expected.Decision, v.Decision);
            Assert.Equal(expected.Findings.Select(f => (f.Type, f.Start, f.End)), v.Findings.Select(f => (f.Type, f.Start, f.End)));
        });
    }

    [Fact]
    public void The_default_engine_works_without_a_policy_file() =>
        Assert.Equal(LeakDecision.Block, LeakGuardEngine.Default.Check("password: Hx7!kLp92qZ", LeakAudience.Company).Decision);
}
