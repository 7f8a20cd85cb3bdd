namespace Gazouille.Load.Tests;

public class PercentileTests
{
    [Fact]
    public void Percentiles_of_one_to_ten_thousand_microseconds_are_read_in_milliseconds_within_the_histogram_precision()
    {
        var r = new LatencyRecorder();
        for (var us = 1; us <= 10_000; us++)
        {
            var t = TimeSpan.FromTicks(us * 10L);
            r.Record(TimeSpan.Zero, TimeSpan.Zero, t, new Outcome(200));
        }
        var p = Percentiles.Of(r.FromIntended);

        Assert.Equal(5.0, p.P50, 0.01);
        Assert.Equal(9.0, p.P90, 0.01);
        Assert.Equal(9.9, p.P99, 0.01);
        Assert.Equal(9.99, p.P999, 0.01);
        Assert.Equal(10.0, p.Max, 0.01);
        Assert.Equal(5.0, p.Mean, 0.01);
    }

    [Fact]
    public void Lanes_merge_into_one_distribution_and_their_counts_add_up()
    {
        var fast = new LatencyRecorder();
        var slow = new LatencyRecorder();
        for (var i = 0; i < 98; i++) fast.Record(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(2), new Outcome(200));
        slow.Record(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(300), new Outcome(500));
        slow.Record(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(400), Outcome.Failed);

        var all = new LatencyRecorder();
        all.Add(fast);
        all.Add(slow);
        var p = Percentiles.Of(all.FromIntended);

        Assert.Equal(100, all.Completed);
        Assert.Equal(1, all.Non2xx);
        Assert.Equal(1, all.Failed);
        Assert.Equal(2.0, p.P90, 0.01);
        Assert.Equal(300, p.P99, 0.5); // the 99th of 100 values
        Assert.Equal(400, p.Max, 0.5);
        Assert.Equal(TimeSpan.FromMilliseconds(400), all.LastEnd);
    }

    [Fact]
    public void A_latency_beyond_a_minute_is_recorded_as_a_minute_not_an_exception()
    {
        var r = new LatencyRecorder();
        r.Record(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(5), new Outcome(200));
        Assert.InRange(Percentiles.Of(r.FromIntended).Max, 59_940, 60_060);
    }

    [Fact]
    public void An_empty_run_reports_zeros()
    {
        var report = new RunReport("x", "10 req/s", TimeSpan.FromSeconds(1), new LatencyRecorder());
        Assert.Equal(0, report.Achieved);
        Assert.Equal(0, report.Corrected.P99);
        Assert.StartsWith("| x | 10 req/s | 0.0 |", report.MarkdownRow(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_markdown_row_shows_corrected_percentiles_and_the_service_p99()
    {
        var r = new LatencyRecorder();
        for (var i = 0; i < 100; i++)
            r.Record(TimeSpan.FromMilliseconds(i * 10), TimeSpan.FromMilliseconds(i * 10 + 20), TimeSpan.FromMilliseconds(i * 10 + 23), new Outcome(200));
        var row = new RunReport("check", "100 req/s", TimeSpan.FromSeconds(1), r).MarkdownRow();
        // 100 answers, the last at 1.013 s: 98.7 answers per second.

        Assert.Equal("| check | 100 req/s | 98.7 | 23.01 ms | 23.01 ms | 23.01 ms | 23.01 ms | 23.01 ms | 3.00 ms | 0 / 0 / 0 |", row);
    }
}
