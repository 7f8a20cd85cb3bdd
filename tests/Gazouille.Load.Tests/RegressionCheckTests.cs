namespace Gazouille.Load.Tests;

public class RegressionCheckTests
{
    [Fact]
    public void A_ratio_uses_the_mean_of_the_trivial_slices_around_the_scenario()
    {
        Assert.Equal(0.1, RegressionCheck.Ratio(150, 1000, 2000), 9);
        Assert.Equal(0, RegressionCheck.Ratio(150, 0, 0));
    }

    [Fact]
    public void The_median_ignores_one_noisy_round()
    {
        Assert.Equal(0.2, RegressionCheck.Median([0.2, 0.01, 0.21]));
        Assert.Equal(0.15, RegressionCheck.Median([0.1, 0.2]), 9);
        Assert.Throws<ArgumentException>(() => RegressionCheck.Median([]));
    }

    [Theory]
    [InlineData(0.2, 0.11, Verdict.Pass)]      // 1.8× slower: within the factor
    [InlineData(0.2, 0.1, Verdict.Pass)]       // exactly 2×
    [InlineData(0.2, 0.09, Verdict.Regressed)] // 2.2× slower
    [InlineData(0.2, 0.9, Verdict.Pass)]       // faster never fails
    public void Only_a_fall_of_more_than_the_factor_fails(double baseline, double measured, Verdict expected) =>
        Assert.Equal(expected, RegressionCheck.Judge(baseline, measured, 2, errors: 0));

    [Theory]
    [InlineData(0.09, 10.0, 25.0, Verdict.Regressed)] // ratio fell 2.2× and the CPU per request grew 2.5×: the scenario's own work
    [InlineData(0.09, 10.0, 15.0, Verdict.Pass)]      // ratio fell, cost did not: the trivial endpoint got cheaper (a quiet machine)
    [InlineData(0.19, 10.0, 25.0, Verdict.Pass)]      // cost grew, ratio held: everything got dearer (a busy machine)
    [InlineData(0.09, null, 15.0, Verdict.Regressed)] // no cost in the baseline: the ratio alone decides
    public void With_cpu_costs_both_the_ratio_and_the_cost_must_have_moved_by_the_factor(double ratio, double? baselineCost, double cost, Verdict expected) =>
        Assert.Equal(expected, RegressionCheck.Judge(0.2, ratio, 2, errors: 0, baselineCost, cost));

    [Fact]
    public void Merging_runs_keeps_the_lowest_ratio_and_the_highest_cost_of_each_scenario()
    {
        var a = new Baseline("a", Metrics.PerCpuSecond, 8, 2, new() { ["home"] = 0.02, ["check"] = 0.1 }, new() { ["home"] = 20, ["check"] = 3 });
        var b = new Baseline("b", Metrics.PerCpuSecond, 8, 2, new() { ["home"] = 0.03, ["check"] = 0.06, ["search"] = 0.04 }, new() { ["home"] = 30, ["check"] = 2 });
        var m = a.Merge(b);

        Assert.Equal(0.02, m.Ratios["home"]);
        Assert.Equal(0.06, m.Ratios["check"]);
        Assert.Equal(0.04, m.Ratios["search"]);
        Assert.Equal(30, m.CpuMsPerRequest!["home"]);
        Assert.Equal(3, m.CpuMsPerRequest["check"]);
        Assert.Contains("a", m.Measured, StringComparison.Ordinal);
        Assert.Contains("b", m.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_that_answers_errors_fails_however_fast_it_is() =>
        Assert.Equal(Verdict.Errors, RegressionCheck.Judge(0.2, 5, 2, errors: 3));

    [Fact]
    public void A_scenario_without_a_baseline_is_reported_as_such() =>
        Assert.Equal(Verdict.NoBaseline, RegressionCheck.Judge(null, 0.2, 2, errors: 0));

    [Fact]
    public void The_baseline_file_round_trips()
    {
        var path = Path.GetTempFileName();
        try
        {
            new Baseline("today", Metrics.PerCpuSecond, 8, 2, new SortedDictionary<string, double> { ["home"] = 0.15, ["check"] = 0.3 }).Write(path);
            var read = Baseline.Read(path);
            Assert.Equal(0.15, read.Ratios["home"]);
            Assert.Equal(8, read.Connections);
            Assert.Equal(Metrics.PerCpuSecond, read.Metric);
            Assert.Contains("\"ratios\"", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Check_requests_rotate_texts_and_audiences_and_stay_valid_json()
    {
        var check = Scenario.Known["check"];
        var bodies = Enumerable.Range(0, 35).Select(i => check.Render(i, 1000 + i).Body!).ToList();

        foreach (var body in bodies)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("text").GetString()));
        }
        Assert.Equal(35, bodies.Distinct().Count());
        Assert.Equal(5, bodies.Select(b => System.Text.Json.JsonDocument.Parse(b).RootElement.GetProperty("audience").GetString()).Distinct().Count());
        Assert.Contains(bodies, b => b.Contains("IBAN FR76", StringComparison.Ordinal));
        Assert.Equal("/api/v2/search?type=statuses&limit=20&q=livr*", Scenario.Known["search"].Render(1, 1).Path);
    }
}

public class ServerCpuTests
{
    [Fact]
    public void User_and_system_ticks_are_read_after_a_command_name_holding_spaces_and_parentheses()
    {
        const string stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 0 0 20 0 30 0 100 0 0";
        Assert.Equal(TimeSpan.FromSeconds(18), ServerCpu.Parse(stat));
    }

    [Fact]
    public void This_process_has_used_some_cpu_and_a_missing_process_has_none()
    {
        Assert.True(ServerCpu.Read(Environment.ProcessId) > TimeSpan.Zero);
        Assert.Null(ServerCpu.Read(null));
        Assert.Null(ServerCpu.Read(int.MaxValue));
    }
}
