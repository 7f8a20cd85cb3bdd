namespace Gazouille.LeakGuard.Tests;

/// <summary>Exception terms: what a moderator accepted as "not a leak" is never flagged again, and nothing else changes.</summary>
public sealed class ExceptionTermTests
{
    private static LeakGuardEngine Engine(string exceptions) =>
        new(LeakPolicy.Parse($$"""{"dictionaries": {"client": ["Orange"]}, "exception_terms": {{exceptions}}}"""));

    [Fact]
    public void A_finding_inside_an_exception_term_is_dropped_and_the_client_alone_still_warns()
    {
        var engine = Engine("""["café Orange Bleue", "01 23 45 67 89"]""");
        Assert.Equal(LeakDecision.Allow, engine.Check("Déjeuner au CAFE orange bleue demain.", LeakAudience.Partners).Decision);
        Assert.Equal(LeakDecision.Warn, engine.Check("Réunion avec Orange demain.", LeakAudience.Partners).Decision);
        // Both at once: only the finding outside the exception remains.
        var both = engine.Check("Café Orange Bleue puis réunion chez Orange.", LeakAudience.Partners);
        var finding = Assert.Single(both.Findings);
        Assert.Equal(36, finding.Start);
        Assert.Equal(LeakDecision.Allow, LeakGuardEngine.Default.Check("Déjeuner au café Orange Bleue.", LeakAudience.Partners).Decision);
    }

    [Theory]
    [InlineData("\"café\"", "expected an array")]
    [InlineData("[\"\"]", "non-empty string")]
    [InlineData("[\"\\u200b\\u200b\"]", "no letters or digits")]
    [InlineData("[42]", "non-empty string")]
    public void Bad_exception_terms_are_refused_with_a_clear_error(string exceptions, string expected)
    {
        var e = Assert.Throws<LeakPolicyException>(() => Engine(exceptions));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        var tooLong = Assert.Throws<LeakPolicyException>(() => Engine($"[\"{new string('a', 201)}\"]"));
        Assert.Contains("at most 200", tooLong.Message, StringComparison.Ordinal);
    }
}
