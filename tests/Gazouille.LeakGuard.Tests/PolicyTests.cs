namespace Gazouille.LeakGuard.Tests;

public class PolicyTests
{
    private static string ErrorOf(string text)
    {
        var e = Assert.Throws<LeakPolicyException>(() => LeakPolicy.Parse(text));
        return e.Message;
    }

    [Fact]
    public void Json_and_yaml_give_the_same_policy()
    {
        var json = LeakPolicy.Parse(TestPolicies.Json);
        var yaml = LeakPolicy.Parse("""
            dictionaries:
              client:
                - term: Groupe Atlas
                  org: atlas
                - Banque Horizon
              project: ["~Neptune", Chrysalide]
              person: [Marie Dupont]
              confidential: [diffusion limitée]
              internal_only: [interne Gazouille]
            internal_domains: [corp.example]
            company_domains: [example.fr]
            internal_networks: [10.20.0.0/16]
            """);
        Assert.Equal(json.Terms.Select(t => (t.Category, t.Term, t.Ambiguous, t.Org)), yaml.Terms.Select(t => (t.Category, t.Term, t.Ambiguous, t.Org)));
        Assert.Equal(json.InternalNetworks, yaml.InternalNetworks);
    }

    [Theory]
    [InlineData("{\"dictionaries\": {\"client\": [\"Atlas\", 42]}}", "dictionaries.client[1]")]
    [InlineData("{\"dictionaries\": {\"client\": \"Atlas\"}}", "dictionaries.client")]
    [InlineData("{\"dictionaries\": []}", "dictionaries")]
    [InlineData("{\"internal_networks\": [\"10.20.0.0/33\"]}", "internal_networks[0]")]
    [InlineData("{\"internal_domains\": [\"not a domain\"]}", "internal_domains[0]")]
    [InlineData("{\"decisions\": {\"secret\": {\"public\": \"allow\"}}}", "decisions.secret.public")]
    [InlineData("{\"decisions\": {\"nope\": {}}}", "decisions.nope")]
    [InlineData("{\"decisions\": {\"client_or_project\": {\"partners\": \"maybe\"}}}", "decisions.client_or_project.partners")]
    [InlineData("{\"min_confidence\": \"high\"}", "min_confidence")]
    [InlineData("{\"dictionary\": {}}", "'dictionary'")]
    [InlineData("{\"dictionaries\": {\"Bad Name\": []}}", "dictionaries.Bad Name")]
    [InlineData("{\"dictionaries\": {\"client\": [{\"org\": \"x\"}]}}", "dictionaries.client[0].term")]
    [InlineData("{\"dictionaries\": {\"client\": [\"\"]}}", "dictionaries.client[0]")]
    public void Errors_name_the_field(string text, string field) => Assert.Contains(field, ErrorOf(text), StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"dictionaries\": ")]
    [InlineData("{'dictionaries': {}}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    [InlineData("dictionaries: [unclosed")]
    public void Malformed_files_give_a_clear_error(string text) => Assert.StartsWith("Invalid Leak Guard policy", ErrorOf(text), StringComparison.Ordinal);

    [Fact]
    public void Deep_nesting_is_refused() =>
        Assert.Contains("depth", ErrorOf(new string('[', 5000) + new string(']', 5000)), StringComparison.Ordinal);

    [Fact]
    public void Yaml_alias_bombs_are_refused()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 0; i < 9; i++)
        {
            var prev = (char)('a' + i);
            var next = (char)('a' + i + 1);
            bomb += $"{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n";
        }

        // Expanded, this document is 10^10 values (hours of work and all the memory); the node budget (2 million values,
        // enough for a 100k-term policy) stops it after a few seconds. The bound is wide because CI machines are shared:
        // an 11 s run was seen at load 20, which says nothing about expansion.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<LeakPolicyException>(() => LeakPolicy.Parse(bomb, PolicyFormat.Yaml));
        Assert.Contains("aliases", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"refusing the alias bomb took {watch.Elapsed}");
    }

    [Fact]
    public void Many_errors_are_reported_together()
    {
        var e = Assert.Throws<LeakPolicyException>(() => LeakPolicy.Parse("{\"internal_domains\": [1, 2, 3], \"min_confidence\": 7}"));
        Assert.Equal(4, e.Errors.Count);
    }

    [Fact]
    public void Missing_file_says_what_to_do()
    {
        var e = Assert.Throws<LeakPolicyException>(() => LeakPolicy.Load("/nonexistent/policy.json"));
        Assert.Contains("--policy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_large_policy_loads()
    {
        var terms = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"Client numero {i}\""));
        var policy = LeakPolicy.Parse($"{{\"dictionaries\": {{\"client\": [{terms}]}}}}");
        var engine = new LeakGuardEngine(policy);
        Assert.Equal(LeakDecision.Warn, engine.Check("Atelier avec Client numero 12345 demain", LeakAudience.Partners).Decision);
    }

    [Fact]
    public void Custom_categories_are_findings_of_their_own_type()
    {
        var engine = new LeakGuardEngine(LeakPolicy.Parse("""{"dictionaries": {"codename": ["Opération Phénix"]}, "custom_rules": {"codename": "confidential_marker"}}"""));
        var verdict = engine.Check("point sur operation phenix", LeakAudience.Partners);
        Assert.Equal("codename", Assert.Single(verdict.Findings).Type);
        Assert.Equal(LeakDecision.Hold, verdict.Decision);
    }
}
