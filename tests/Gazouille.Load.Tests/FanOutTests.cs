using System.Diagnostics;
using System.Text;

namespace Gazouille.Load.Tests;

public class FanOutTests
{
    private const string Stream =
        ":thump\n\n" +
        "event: notification\ndata: {\"id\":\"77\",\"type\":\"follow\"}\n\n" +
        "event: update\ndata: {\"id\":\"116615455759470074\",\"created_at\":\"2026-11-28T00:52:13.475Z\"}\n\n" +
        "event: delete\ndata: 116615455759470074\n\n" +
        "event: status.update\ndata: {\"id\":\"5\"}\n\n" +
        "event: update\ndata: {\"id\":\"42\",\"content\":\"<p>event: update</p>\"}\n\n";

    private static List<long> Scan(IEnumerable<byte[]> chunks)
    {
        var found = new List<long>();
        var scanner = new UpdateScanner();
        foreach (var c in chunks) scanner.Read(c, found.Add);
        return found;
    }

    [Fact]
    public void The_scanner_finds_the_ids_of_update_events_only()
    {
        Assert.Equal([116615455759470074, 42], Scan([Encoding.UTF8.GetBytes(Stream)]));
    }

    [Fact]
    public void The_scanner_finds_each_id_once_wherever_the_reads_cut_the_stream()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        for (var size = 1; size <= 40; size++)
        {
            var chunks = bytes.Chunk(size).ToArray();
            Assert.Equal([116615455759470074, 42], Scan(chunks));
        }
        // Cut once at every position.
        for (var cut = 1; cut < bytes.Length; cut++)
            Assert.Equal([116615455759470074, 42], Scan([bytes[..cut], bytes[cut..]]));
    }

    [Fact]
    public void The_scanner_skips_a_marker_followed_by_something_that_is_not_an_id_and_goes_on()
    {
        var bytes = Encoding.UTF8.GetBytes("event: update\ndata: {\"id\":\"" + new string('x', 200) + "\"}\n\nevent: update\ndata: {\"id\":\"9\"}\n\n");
        Assert.Equal([9], Scan(bytes.Chunk(7)));
    }

    [Fact]
    public void The_plan_takes_followers_from_the_start_of_the_tokens_file_and_one_author_per_size_from_its_end()
    {
        var plan = FanOut.Plan([10, 100, 1000], 1003);
        Assert.Equal([(10, 1002), (100, 1001), (1000, 1000)], plan);
        Assert.All(plan, p => Assert.True(p.Author >= p.Followers, "an author is never one of its own followers"));
    }

    [Theory]
    [InlineData(new[] { 10_000 }, 10_000)]
    [InlineData(new[] { 10, 0 }, 100)]
    [InlineData(new int[0], 100)]
    public void The_plan_refuses_sizes_the_tokens_cannot_cover(int[] sizes, int tokens)
    {
        var e = Assert.Throws<ArgumentException>(() => FanOut.Plan(sizes, tokens));
        Assert.Contains("--", e.Message);
    }

    [Fact]
    public void A_result_counts_from_the_send_and_names_the_followers_not_reached()
    {
        var sent = 1_000_000L;
        long Ms(double ms) => sent + (long)(ms * Stopwatch.Frequency / 1000);
        long[] arrivals = [.. Enumerable.Range(1, 99).Select(i => Ms(i * 10)), 0];
        var r = FanOutResult.Of(100, "user stream", sent, Ms(5), arrivals, "");

        Assert.Equal(5, r.AnsweredMs, 0.01);
        Assert.Equal(10, r.FirstMs, 0.01);
        Assert.Equal(500, r.MedianMs, 0.01);
        Assert.Equal(990, r.P99Ms, 0.01);
        Assert.Equal(990, r.LastMs, 0.01);
        Assert.Equal(1, r.Missing);
        Assert.Contains("| 100 | user stream | 5.00 ms |", r.MarkdownRow());
    }

    [Fact]
    public void A_result_where_nobody_was_reached_says_so_instead_of_a_time()
    {
        var r = FanOutResult.Of(3, "home timeline read", 0, 10, [0, 0, 0], "");
        Assert.Equal(3, r.Missing);
        Assert.True(double.IsNaN(r.LastMs));
        Assert.Contains("**—**", r.MarkdownRow());
    }
}
