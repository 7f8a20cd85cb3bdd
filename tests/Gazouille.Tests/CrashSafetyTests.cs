using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Gazouille.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>
/// Crash safety of publishing, on the real <c>gazouille serve</c>: clients post with Idempotency-Keys, the server is
/// killed with SIGKILL while posts are in flight, restarted on the same data, and the clients retry every key whose
/// answer they did not get (and, to be sure, every key). Every acknowledged post must exist exactly once with the id
/// it was acknowledged with, a retry must never duplicate, and every post must be whole: its mention, its hashtag,
/// its notification, its signature and its idempotency record, all or nothing. SQLite, or PostgreSQL on the second run.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int Posters = 4;

    private sealed record Sent(string Text, string? AcknowledgedId);

    private static HttpRequestMessage Post(string key, string text)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/statuses")
        {
            Content = JsonContent.Create(new { status = text, audience = "company" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Every_acknowledged_post_survives_a_SIGKILL_exactly_once_and_retries_never_duplicate()
    {
        await using var data = await TestData.CreateAsync();
        string token;
        long aliceId, bobId;
        await using (var setup = await GazouilleFactory.StartAsync(data: data))
        {
            aliceId = await setup.CreateUserAsync("alice");
            bobId = await setup.CreateUserAsync("bob");
            token = await setup.TokenAsync(aliceId);
        }

        var sent = new ConcurrentDictionary<string, Sent>();
        var port = ServerProcess.FreePort();
        await using (var server = await ServerProcess.StartAsync(data, port))
        {
            using var http = server.Client(token);
            using var stop = new CancellationTokenSource();
            var posters = Enumerable.Range(0, Posters).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"crash-{w}-{i}";
                    var text = $"Crash test {w}/{i} for @bob #crashtest";
                    sent[key] = new Sent(text, null);
                    try
                    {
                        using var response = await http.SendAsync(Post(key, text));
                        var body = await response.Content.ReadAsStringAsync();
                        // Before the kill every post is accepted; an error here is a bug, not the crash.
                        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {key} answered {(int)response.StatusCode}: {body}");
                        sent[key] = new Sent(text, System.Text.Json.JsonDocument.Parse(body).RootElement.Id());
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        return; // the server is gone; this key's fate is unknown to the client
                    }
                }
            })).ToArray();

            // Kill as soon as enough posts were acknowledged, while others are in flight: about a second on a quiet
            // machine; the ceiling is for a machine so loaded that the first posts (cold server) take long.
            var until = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < until && sent.Values.Count(s => s.AcknowledgedId is not null) < 30) await Task.Delay(20);
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(posters);
        }
        var acknowledged = sent.Where(s => s.Value.AcknowledgedId is not null).ToDictionary(s => s.Key, s => s.Value);
        Assert.True(acknowledged.Count >= 10, $"only {acknowledged.Count} posts were acknowledged before the kill");

        await using (var restarted = await ServerProcess.StartAsync(data, port))
        {
            using var http = restarted.Client(token);
            // Every key again, twice and concurrently: the first retry publishes what was lost, the second must find it.
            var retries = sent.Keys.Concat(sent.Keys).ToList();
            var answers = new ConcurrentDictionary<string, ConcurrentBag<string>>();
            await Parallel.ForEachAsync(retries, new ParallelOptions { MaxDegreeOfParallelism = Posters }, async (key, ct) =>
            {
                using var response = await http.SendAsync(Post(key, sent[key].Text), ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"retry of {key} answered {(int)response.StatusCode}: {body}\n{restarted.Output}");
                var json = System.Text.Json.JsonDocument.Parse(body).RootElement;
                Assert.Contains(sent[key].Text.Split(" for ")[0], json.Str("content"), StringComparison.Ordinal);
                answers.GetOrAdd(key, _ => []).Add(json.Id());
            });
            foreach (var (key, ids) in answers)
            {
                Assert.Single(ids.Distinct());
                if (acknowledged.TryGetValue(key, out var ack)) Assert.Equal(ack.AcknowledgedId, ids.First());
            }
            foreach (var (key, ack) in acknowledged.Take(20))
                Assert.True((await http.GetAsync($"/api/v1/statuses/{ack.AcknowledgedId}")).IsSuccessStatusCode, $"{key} is not readable after the restart");
        }

        await CheckWholeAsync(data, aliceId, bobId, sent.Count);
    }

    /// <summary>Row by row: one post per key, and every post with all of its parts.</summary>
    private static async Task CheckWholeAsync(TestData data, long aliceId, long bobId, int keys)
    {
        var services = new ServiceCollection();
        services.AddDbContext<GazouilleDb>(data.Location.Configure);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();

        var posts = await db.Statuses.AsNoTracking().Where(s => s.AccountId == aliceId).Select(s => new { s.Id, s.Text }).ToListAsync();
        Assert.Equal(keys, posts.Count);
        Assert.Equal(keys, posts.Select(p => p.Text).Distinct().Count());
        var ids = posts.Select(p => p.Id).ToHashSet();

        var records = await db.IdempotencyRecords.AsNoTracking().Where(r => r.AccountId == aliceId).Select(r => r.StatusId).ToListAsync();
        Assert.Equal(keys, records.Count);
        Assert.True(ids.SetEquals(records), "an idempotency record points at a missing post, or a post has no record");

        var mentions = await db.StatusMentions.AsNoTracking().Where(m => ids.Contains(m.StatusId)).ToListAsync();
        Assert.True(ids.SetEquals(mentions.Select(m => m.StatusId)) && mentions.Count == keys && mentions.All(m => m.AccountId == bobId), "a post lost its mention");
        var tags = await db.StatusTags.AsNoTracking().Where(t => ids.Contains(t.StatusId)).ToListAsync();
        Assert.True(ids.SetEquals(tags.Select(t => t.StatusId)) && tags.Count == keys && tags.All(t => t.Name == "crashtest"), "a post lost its hashtag");
        var notified = await db.Notifications.AsNoTracking().Where(n => n.AccountId == bobId && n.Type == "mention").Select(n => n.StatusId).ToListAsync();
        Assert.True(notified.Count == keys && ids.SetEquals(notified.Select(n => n!.Value)), $"{notified.Count} mention notifications for {keys} posts");
        var proofs = await db.StatusProofs.AsNoTracking().Where(p => ids.Contains(p.StatusId)).Select(p => p.StatusId).ToListAsync();
        Assert.True(proofs.Count == keys && ids.SetEquals(proofs), $"{proofs.Count} signatures for {keys} posts");

        if (!TestData.OnPostgres)
        {
            var check = await db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync();
            Assert.Equal(["ok"], check);
        }
    }
}
