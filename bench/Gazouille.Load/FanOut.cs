using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gazouille.Load;

/// <summary>
/// The fan-out scenario (issue 9): an author with N followers publishes; how long until the last follower's home
/// timeline has the post, and until the last follower's open stream delivers it. Authors and followers are holders of
/// generated tokens: the followers are the first N of the tokens file, each size gets its own author from the end of it,
/// and the follows are made through the API before measuring.
/// </summary>
public sealed class FanOut(Uri baseUrl, string[] tokens, int connections, TextWriter log) : IDisposable
{
    private readonly HttpClient _api = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
        AllowAutoRedirect = false,
    })
    { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Followers of each size, with the author that publishes to them (from the end of the tokens file).</summary>
    public static IReadOnlyList<(int Followers, int Author)> Plan(IReadOnlyList<int> sizes, int tokenCount)
    {
        if (sizes.Count == 0 || sizes.Any(s => s < 1)) throw new ArgumentException("--followers lists sizes of at least 1, e.g. 10,100,1000.");
        var largest = sizes.Max();
        if (largest + sizes.Count > tokenCount)
            throw new ArgumentException($"{largest:N0} followers and {sizes.Count} author(s) need {largest + sizes.Count:N0} tokens; the file has {tokenCount:N0} " +
                "(admin generate --tokens N --tokens-file FILE).");
        return [.. sizes.Select((n, k) => (n, tokenCount - 1 - k))];
    }

    /// <summary>Makes followers 0…N−1 follow the author (idempotent on the server) and returns the author's account id.</summary>
    public async Task<string> FollowAsync(int author, int followers, CancellationToken ct)
    {
        using var me = Request(HttpMethod.Get, "/api/v1/accounts/verify_credentials", author);
        using var answer = await _api.SendAsync(me, ct);
        answer.EnsureSuccessStatusCode();
        var id = (await answer.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        var failed = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, followers), new ParallelOptions { MaxDegreeOfParallelism = connections, CancellationToken = ct }, async (f, token) =>
        {
            using var follow = Request(HttpMethod.Post, $"/api/v1/accounts/{id}/follow", f);
            using var r = await _api.SendAsync(follow, token);
            if (!r.IsSuccessStatusCode) Interlocked.Increment(ref failed);
        });
        if (failed > 0) throw new InvalidOperationException($"{failed} of {followers} follow requests were refused.");
        log.WriteLine($"  {followers:N0} follows of account {id} in {clock.Elapsed.TotalSeconds:F1} s");
        return id;
    }

    /// <summary>Opens one user stream per follower and keeps it open until <paramref name="ct"/> ends.</summary>
    public async Task<Streams> OpenStreamsAsync(int followers, CancellationToken ct)
    {
        var streams = new Streams(baseUrl, followers);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, followers), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct },
            async (f, token) => await streams.OpenAsync(f, tokens[f], ct));
        log.WriteLine($"  {followers:N0} user streams open in {clock.Elapsed.TotalSeconds:F1} s");
        return streams;
    }

    /// <summary>Publishes one followers-only post and returns its id, with the times (Stopwatch ticks) of the send and the answer.</summary>
    public async Task<(long Id, long Sent, long Answered)> PublishAsync(int author, int n, CancellationToken ct)
    {
        using var post = Request(HttpMethod.Post, "/api/v1/statuses", author);
        post.Content = JsonContent.Create(new { status = $"Fan-out check {n}: the nightly build is green, thanks everyone.", visibility = "private" });
        var sent = Stopwatch.GetTimestamp();
        using var r = await _api.SendAsync(post, ct);
        var answered = Stopwatch.GetTimestamp();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"Publishing answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(ct)}");
        var id = long.Parse((await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return (id, sent, answered);
    }

    /// <summary>
    /// Reads every follower's home timeline (newest five) once, then again for those that did not show the post yet,
    /// until all have it or <paramref name="deadline"/> passed. Returns, per follower, when the read that showed it
    /// ended (ticks; 0 when none did), and how many followers needed more than one read.
    /// </summary>
    public async Task<(long[] SeenAt, int Reread)> ReadHomesAsync(long id, int followers, TimeSpan deadline, CancellationToken ct)
    {
        var seenAt = new long[followers];
        var needle = Encoding.ASCII.GetBytes($"\"id\":\"{id}\"");
        var pending = Enumerable.Range(0, followers).ToList();
        var reread = new ConcurrentDictionary<int, bool>();
        var stop = Stopwatch.StartNew();
        while (pending.Count > 0 && stop.Elapsed < deadline)
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = connections, CancellationToken = ct }, async (f, token) =>
            {
                using var home = Request(HttpMethod.Get, "/api/v1/timelines/home?limit=5", f);
                using var r = await _api.SendAsync(home, token);
                var body = await r.Content.ReadAsByteArrayAsync(token);
                if (r.IsSuccessStatusCode && body.AsSpan().IndexOf(needle) >= 0) seenAt[f] = Stopwatch.GetTimestamp();
                else reread[f] = true;
            });
            pending = [.. pending.Where(f => seenAt[f] == 0)];
        }
        return (seenAt, reread.Count);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, int holder)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[holder]);
        return request;
    }

    public void Dispose() => _api.Dispose();

    /// <summary>Open user streams, one per follower; each remembers when it first announced each post.</summary>
    public sealed class Streams(Uri baseUrl, int count) : IAsyncDisposable
    {
        private readonly HttpClient _client = new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        })
        { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        private readonly ConcurrentDictionary<long, long>[] _arrivals = [.. Enumerable.Range(0, count).Select(_ => new ConcurrentDictionary<long, long>())];
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _readers = [];
        private int _lost;

        /// <summary>Streams that ended before the measurement did (the server closed them, or a read failed).</summary>
        public int Lost => Volatile.Read(ref _lost);

        public async Task OpenAsync(int follower, string token, CancellationToken ct)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/streaming/user");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"The user stream of follower {follower} answered {(int)response.StatusCode}.");
            var body = await response.Content.ReadAsStreamAsync(ct);
            lock (_readers) _readers.Add(ReadAsync(follower, response, body));
        }

        private async Task ReadAsync(int follower, HttpResponseMessage response, Stream body)
        {
            var scanner = new UpdateScanner();
            var buffer = new byte[4096];
            var arrivals = _arrivals[follower];
            try
            {
                while (true)
                {
                    var read = await body.ReadAsync(buffer, _stop.Token);
                    var now = Stopwatch.GetTimestamp(); // before the search: the client's own work is not the server's latency
                    if (read == 0) { Interlocked.Increment(ref _lost); return; }
                    scanner.Read(buffer.AsSpan(0, read), id => arrivals.TryAdd(id, now));
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
            catch (Exception e) when (e is IOException or HttpRequestException) { Interlocked.Increment(ref _lost); }
            finally
            {
                await body.DisposeAsync();
                response.Dispose();
            }
        }

        /// <summary>When each stream announced <paramref name="id"/> (ticks; 0 when it did not).</summary>
        public long[] ArrivalsOf(long id) => [.. _arrivals.Select(a => a.TryGetValue(id, out var at) ? at : 0)];

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Task[] readers;
            lock (_readers) readers = [.. _readers];
            await Task.WhenAll(readers);
            _client.Dispose();
            _stop.Dispose();
        }
    }
}

/// <summary>How one post reached its followers: times from the publishing request's send, in milliseconds.</summary>
public sealed record FanOutResult(int Followers, string Path, double AnsweredMs, double FirstMs, double MedianMs, double P99Ms, double LastMs, int Missing, string Note)
{
    public const string MarkdownHeader =
        "| followers | reached through | POST answered | first | median | p99 | last | not reached | |\n" +
        "|---|---|---|---|---|---|---|---|---|";

    /// <summary>Summarizes per-follower arrival times (Stopwatch ticks, 0 = never) against the send and answer of the post.</summary>
    public static FanOutResult Of(int followers, string path, long sent, long answered, long[] arrivals, string note)
    {
        var ms = arrivals.Where(a => a != 0).Select(a => Stopwatch.GetElapsedTime(sent, a).TotalMilliseconds).Order().ToArray();
        double At(double q) => ms.Length == 0 ? double.NaN : ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(q * ms.Length) - 1)];
        return new(followers, path, Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds,
            ms.Length == 0 ? double.NaN : ms[0], At(0.5), At(0.99), ms.Length == 0 ? double.NaN : ms[^1], arrivals.Length - ms.Length, note);
    }

    public string MarkdownRow() =>
        $"| {Followers:N0} | {Path} | {Ms(AnsweredMs)} | {Ms(FirstMs)} | {Ms(MedianMs)} | {Ms(P99Ms)} | **{Ms(LastMs)}** | {Missing} | {Note} |";

    private static string Ms(double ms) => double.IsNaN(ms) ? "—" : RunReport.Ms(ms);
}
