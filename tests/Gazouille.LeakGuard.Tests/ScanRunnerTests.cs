using System.Text.Json;
using Gazouille.LeakGuard.Cli;

namespace Gazouille.LeakGuard.Tests;

public class ScanRunnerTests
{
    private static (int Exit, string[] Lines, string Error) Scan(string input, string audience = "company")
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = ScanRunner.Run(new StringReader(input), output, error, LeakPolicy.Parse(TestPolicies.Json), audience);
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    [Fact]
    public void One_line_out_per_line_in_in_order()
    {
        var (exit, lines, _) = Scan("""
            {"id": "h001", "text": "Pff, encore un projet avec Groupe Atlas qui m'échappe, galère 20 personnes sur le carreau", "audience": "public"}
            {"id": "h002", "text": "Qui vient courir ce midi ?"}
            {"id": 3, "text": "mdp : Soleil2024!", "audience": "team"}
            """);
        Assert.Equal(0, exit);
        Assert.Equal(3, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("h001", first.RootElement.GetProperty("id").GetString());
        Assert.Equal("block", first.RootElement.GetProperty("decision").GetString());
        var client = first.RootElement.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("type").GetString() == "client");
        Assert.Equal(27, client.GetProperty("start").GetInt32());
        Assert.Equal(39, client.GetProperty("end").GetInt32());
        Assert.Equal("Groupe Atlas", client.GetProperty("text").GetString());
        Assert.False(string.IsNullOrEmpty(client.GetProperty("reason").GetString()));
        Assert.Equal("allow", JsonDocument.Parse(lines[1]).RootElement.GetProperty("decision").GetString());
        Assert.Equal(3, JsonDocument.Parse(lines[2]).RootElement.GetProperty("id").GetInt32());
        Assert.Equal("block", JsonDocument.Parse(lines[2]).RootElement.GetProperty("decision").GetString());
    }

    [Fact]
    public void A_bad_line_is_reported_in_place_and_the_rest_still_runs()
    {
        var (exit, lines, _) = Scan("{\"id\":\"a\",\"text\":\"ok\"}\nnot json\n{\"id\":\"c\",\"text\":\"ok\"}\n{\"id\":\"d\"}\n");
        Assert.Equal(1, exit);
        Assert.Equal(4, lines.Length);
        using var bad = JsonDocument.Parse(lines[1]);
        Assert.Equal(2, bad.RootElement.GetProperty("line").GetInt32());
        Assert.False(string.IsNullOrEmpty(bad.RootElement.GetProperty("error").GetString()));
        Assert.Equal("c", JsonDocument.Parse(lines[2]).RootElement.GetProperty("id").GetString());
        Assert.Equal(4, JsonDocument.Parse(lines[3]).RootElement.GetProperty("line").GetInt32());
    }

    [Fact]
    public void The_line_audience_wins_over_the_option()
    {
        var (_, lines, _) = Scan("{\"id\":\"x\",\"text\":\"Confidentiel : grille\",\"audience\":\"public\"}", "team");
        Assert.Equal("block", JsonDocument.Parse(lines[0]).RootElement.GetProperty("decision").GetString());
        Assert.Equal("public", JsonDocument.Parse(lines[0]).RootElement.GetProperty("audience").GetString());
    }

    [Fact]
    public void An_unknown_default_audience_fails_with_a_sentence()
    {
        var (exit, _, error) = Scan("", "everyone");
        Assert.NotEqual(0, exit);
        Assert.Contains("team, followers, company, partners or public", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_speaks_french_when_asked()
    {
        var output = new StringWriter();
        ExplainRunner.Run("Groupe Atlas : 20 personnes sur le carreau", output, LeakPolicy.Parse(TestPolicies.Json), "public", "fr", new StringWriter());
        Assert.Contains("Décision", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Que faire", output.ToString(), StringComparison.Ordinal);
    }
}
