using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Gazouille.Tests.Worlds;

/// <summary>
/// Every read path of the HTTP API, for every viewer of a world, compared with the oracle: status by id (with I4's
/// identical 404), the counts in each Status, context, favourited_by / reblogged_by, the public, company, team, tag and
/// home timelines, favourites, account statuses, accounts (I5 and statuses_count), notifications and search; and the
/// viewers who must see nothing (awaiting approval, suspended) answered 401 everywhere. Violations are collected, not
/// thrown one by one, so a failure tells the whole story.
/// </summary>
public sealed class WorldReads(GazouilleFactory factory, World world)
{
    private readonly ConcurrentBag<string> _violations = [];
    private string _notFound = "";

    private int _requests;

    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>How many requests the check made (the suite's cost is in them).</summary>
    public int Requests => _requests;

    private Task<HttpResponseMessage> GetAsync(HttpClient client, string path, HttpCompletionOption option = HttpCompletionOption.ResponseContentRead)
    {
        Interlocked.Increment(ref _requests);
        return client.GetAsync(path, option);
    }

    private void Expect(bool ok, string violation)
    {
        if (!ok) _violations.Add(violation);
    }

    public async Task CheckAsync()
    {
        var anonymous = factory.Client();
        _notFound = await (await anonymous.GetAsync("/api/v1/statuses/1")).Content.ReadAsStringAsync();
        var viewers = world.Everyone.Select(p => (Name: p.Name, Client: p.Client)).Append((Name: "", Client: anonymous)).ToList();
        // Two viewers at a time: requests of the in-memory test server are CPU work, and the machine has two cores.
        await Parallel.ForEachAsync(viewers, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (v, _) => await CheckViewerAsync(v.Name, v.Client));
        await CheckRefusedAsync();
    }

    /// <summary>
    /// Reads the timelines every viewer will be checked on, with the same URLs, and throws the answers away: pages are
    /// cached per reader, so the writes that follow must make those pages change for the final check to pass.
    /// </summary>
    public async Task WarmAsync()
    {
        var viewers = world.Everyone.Select(p => p.Client).Append(factory.Client()).ToList();
        await Parallel.ForEachAsync(viewers, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (client, _) =>
        {
            string[] paths = ["/api/v1/timelines/home", "/api/v1/timelines/company", "/api/v1/timelines/public", $"/api/v1/timelines/tag/{world.Tag}",
                .. world.Teams.Select(t => $"/api/v1/timelines/team/{t}")];
            foreach (var path in paths) (await GetAsync(client, path + "?limit=40")).Dispose();
        });
    }

    private static string Who(string viewer) => viewer == "" ? "anonymous" : viewer;

    private async Task CheckViewerAsync(string name, HttpClient client)
    {
        var draw = new Random(world.Seed ^ World.StableHash(name));
        var visible = world.Visible(name);
        var listed = world.Listed(name);
        var signedIn = name != "";
        for (var i = 0; i < world.Posts.Count; i++)
        {
            var post = world.Posts[i];
            if (post.Sentinel) continue;
            var response = await GetAsync(client, $"/api/v1/statuses/{post.Id}");
            var body = await response.Content.ReadAsStringAsync();
            if (!visible.Contains(post.Id))
            {
                Expect(response.StatusCode == HttpStatusCode.NotFound && body == _notFound,
                    $"{Who(name)} opened post {post.Id} ({post.Author} → {post.Audience}{(post.Held ? ", held" : "")}) and got {(int)response.StatusCode}, not the 404 of a missing post");
                // I4 on the post's other paths too: all three of them (a sampled run tries one, for 40% of the pairs).
                if (Sampled)
                {
                    if (Secondary(draw)) await ExpectNotFoundAsync(client, $"/api/v1/statuses/{post.Id}/{draw.GetItems<string>(["context", "favourited_by", "reblogged_by"], 1)[0]}", name, post);
                }
                else
                {
                    foreach (var path in (string[])["context", "favourited_by", "reblogged_by"])
                        await ExpectNotFoundAsync(client, $"/api/v1/statuses/{post.Id}/{path}", name, post);
                }
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                _violations.Add($"{Who(name)} cannot open post {post.Id} ({post.Author} → {post.Audience}) although it may read it: {(int)response.StatusCode}");
                continue;
            }
            var json = JsonDocument.Parse(body).RootElement;
            if (post.Held)
            {
                Expect(json.GetProperty("leak_guard").GetProperty("state").GetString() == "held", $"{post.Author}'s held post {post.Id} does not say it is held");
                continue;
            }
            ExpectCount(json, "replies_count", world.Posts.Count(p => p.ParentId == post.Id && listed.Contains(p.Id)), name, post);
            if (post.BoostOf is not null) continue;
            ExpectCount(json, "reblogs_count", world.Posts.Count(p => p.BoostOf == post.Id && listed.Contains(p.Id)), name, post);
            ExpectCount(json, "favourites_count", world.Favourites.Count(f => f.PostId == post.Id && world.SeesAccount(name, f.Who)), name, post);
            // A post nobody favourited, boosted or answered has nothing these paths could leak.
            if ((world.Favourites.Any(f => f.PostId == post.Id) || world.Posts.Any(p => p.BoostOf == post.Id)) && Secondary(draw))
                await CheckInteractionsAsync(client, name, post, listed);
            if ((post.ParentId is not null || world.Posts.Any(p => p.ParentId == post.Id)) && Secondary(draw)) await CheckContextAsync(client, name, post, listed);
        }

        bool Original(Post p) => p.BoostOf is null;
        if (Secondary(draw)) await ExpectTimelineAsync(client, name, "/api/v1/timelines/public", p => Original(p) && p.Audience == "public");
        if (Secondary(draw)) await ExpectTimelineAsync(client, name, $"/api/v1/timelines/tag/{world.Tag}", p => Original(p) && p.Tagged);
        if (signedIn)
        {
            var me = world.Find(name);
            var homeTeams = world.HomeTeams(name);
            if (Secondary(draw)) await ExpectTimelineAsync(client, name, "/api/v1/timelines/company", p => Original(p) && p.Audience is "public" or "company");
            await ExpectTimelineAsync(client, name, "/api/v1/timelines/home", p => p.Author == name
                || (me.Org is null && world.Follows.Contains((name, p.Author)))
                || (Original(p) && homeTeams.Contains(World.TeamOf(p))));
            if (Secondary(draw)) await ExpectTimelineAsync(client, name, "/api/v1/favourites", p => world.Favourites.Contains((name, p.Id)));
            foreach (var team in world.Teams)
            {
                var known = me.Org is null || world.Grants.Contains((team, me.Org));
                if (Secondary(draw)) await ExpectTimelineAsync(client, name, $"/api/v1/timelines/team/{team}", p => Original(p) && World.TeamOf(p) == team, exists: known);
            }
            await CheckNotificationsAsync(client, name, listed);
        }
        if (Secondary(draw)) await ExpectTimelineAsync(client, name, $"/api/v2/search?type=statuses&q={world.Word}", p => Original(p), listKey: "statuses");
        foreach (var other in world.Everyone)
        {
            var sees = world.SeesAccount(name, other.Name);
            if (!Secondary(draw)) continue;
            await ExpectTimelineAsync(client, name, $"/api/v1/accounts/{other.Id}/statuses", p => p.Author == other.Name, exists: sees);
            var response = await GetAsync(client, $"/api/v1/accounts/{other.Id}");
            Expect(sees == (response.StatusCode == HttpStatusCode.OK),
                $"{Who(name)} {(sees ? "cannot" : "can")} see account {other.Name} ({(int)response.StatusCode}), I5 says the opposite");
            if (!sees || response.StatusCode != HttpStatusCode.OK) continue;
            // Employees see plain totals of published posts; everyone else counts only what they may read (I3).
            var expected = world.IsEmployee(name)
                ? world.Posts.Count(p => p.Author == other.Name && !p.Held)
                : world.Posts.Count(p => p.Author == other.Name && listed.Contains(p.Id));
            var count = (await response.JsonAsync()).GetProperty("statuses_count").GetInt32();
            Expect(count == expected, $"{Who(name)} reads statuses_count {count} for {other.Name}, expected {expected}");
        }
    }

    /// <summary>
    /// Whether to make one of the secondary reads. By default every read path is made for every viewer in every world
    /// (issue 4 item 8 asks for exactly that). GAZOUILLE_PROPERTY_SAMPLED=1 makes a quicker run while working on the
    /// suite: every viewer still opens every post by id and reads its home timeline and notifications, but the other
    /// lists, a hidden post's other paths and the accounts are drawn (40% of them, from the plan).
    /// </summary>
    private static bool Secondary(Random draw) => !Sampled || draw.Next(5) < 2;

    private static readonly bool Sampled = Environment.GetEnvironmentVariable("GAZOUILLE_PROPERTY_SAMPLED") == "1";

    private async Task ExpectNotFoundAsync(HttpClient client, string path, string name, Post post)
    {
        var response = await GetAsync(client, path);
        var body = await response.Content.ReadAsStringAsync();
        Expect(response.StatusCode == HttpStatusCode.NotFound && body == _notFound,
            $"{Who(name)} got {(int)response.StatusCode} {Cut(body)} from {path}, on post {post.Id} ({post.Author} → {post.Audience}) it may not read: expected the 404 of a missing post");
    }

    private void ExpectCount(JsonElement json, string property, int expected, string name, Post post)
    {
        var actual = json.GetProperty(property).GetInt32();
        Expect(actual == expected, $"{Who(name)} reads {property} {actual} on post {post.Id} ({post.Author} → {post.Audience}), expected {expected}");
    }

    private async Task CheckInteractionsAsync(HttpClient client, string name, Post post, HashSet<string> listed)
    {
        var favouriters = world.Favourites.Where(f => f.PostId == post.Id && world.SeesAccount(name, f.Who)).Select(f => f.Who).ToHashSet();
        var boosters = world.Posts.Where(p => p.BoostOf == post.Id && listed.Contains(p.Id) && world.SeesAccount(name, p.Author)).Select(p => p.Author).ToHashSet();
        foreach (var (path, expected) in new[] { ("favourited_by", favouriters), ("reblogged_by", boosters) })
        {
            var response = await GetAsync(client, $"/api/v1/statuses/{post.Id}/{path}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                _violations.Add($"{Who(name)} gets {(int)response.StatusCode} from {path} of post {post.Id} it may read");
                continue;
            }
            var shown = (await response.JsonAsync()).EnumerateArray().Select(a => world.FindById(a.GetProperty("id").GetString()!)?.Name ?? "someone of another world").ToHashSet();
            Expect(shown.SetEquals(expected),
                $"{Who(name)} reads {path} of post {post.Id} ({post.Author} → {post.Audience}) as [{string.Join(", ", shown)}], expected [{string.Join(", ", expected)}]");
        }
    }

    private async Task CheckContextAsync(HttpClient client, string name, Post post, HashSet<string> listed)
    {
        var response = await GetAsync(client, $"/api/v1/statuses/{post.Id}/context");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            _violations.Add($"{Who(name)} gets {(int)response.StatusCode} from the context of post {post.Id} it may read");
            return;
        }
        var context = await response.JsonAsync();
        var ancestors = context.GetProperty("ancestors").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        var descendants = context.GetProperty("descendants").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        foreach (var id in ancestors.Concat(descendants).Where(id => !listed.Contains(id)))
            _violations.Add($"the context of post {post.Id} shows {Who(name)} post {id}, which it may not read ({Describe(id)})");
        if (post.ParentId is { } parent && listed.Contains(parent))
            Expect(ancestors.Contains(parent), $"the context of post {post.Id} hides its parent {parent} from {Who(name)}, who may read it");
        foreach (var reply in world.Posts.Where(p => p.ParentId == post.Id && listed.Contains(p.Id)))
            Expect(descendants.Contains(reply.Id), $"the context of post {post.Id} hides reply {reply.Id} from {Who(name)}, who may read it");
    }

    private async Task CheckNotificationsAsync(HttpClient client, string name, HashSet<string> listed)
    {
        var response = await GetAsync(client, "/api/v1/notifications?limit=80");
        Expect(response.StatusCode == HttpStatusCode.OK, $"{name}'s notifications answer {(int)response.StatusCode}");
        if (response.StatusCode != HttpStatusCode.OK) return;
        foreach (var n in (await response.JsonAsync()).EnumerateArray())
        {
            var from = world.FindById(n.GetProperty("account").GetProperty("id").GetString()!);
            Expect(from is not null && world.SeesAccount(name, from.Name),
                $"{name} has a {n.GetProperty("type")} notification from {from?.Name ?? "someone of another world"}, whom it may not see (I5)");
            if (n.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
            {
                var id = status.GetProperty("id").GetString()!;
                Expect(listed.Contains(id), $"{name} has a {n.GetProperty("type")} notification about post {id}, which it may not read ({Describe(id)})");
            }
        }
    }

    /// <summary>
    /// A list must hold exactly the posts of this world the viewer may list that match; posts of other worlds (all in
    /// the same database) may appear only if anyone could list them there: public ones, and company ones for employees.
    /// </summary>
    private async Task ExpectTimelineAsync(HttpClient client, string name, string path, Func<Post, bool> matches, bool exists = true, string? listKey = null)
    {
        var url = path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=40";
        var response = await GetAsync(client, url);
        if (!exists)
        {
            var body = await response.Content.ReadAsStringAsync();
            Expect(response.StatusCode == HttpStatusCode.NotFound && body == _notFound, $"{Who(name)} gets {(int)response.StatusCode} {Cut(body)} from {path}, expected the 404 of a missing thing");
            return;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            _violations.Add($"{Who(name)} gets {(int)response.StatusCode} from {path}");
            return;
        }
        var json = await response.JsonAsync();
        var items = (listKey is null ? json : json.GetProperty(listKey)).EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        var listed = world.Listed(name);
        var expected = world.Posts.Where(p => listed.Contains(p.Id) && matches(p)).Select(p => p.Id).ToHashSet();
        var mine = items.Where(id => world.PostById(id) is not null).ToHashSet();
        foreach (var id in mine.Except(expected))
            _violations.Add($"{path} shows {Who(name)} post {id} ({Describe(id)}){(listed.Contains(id) ? ", which does not belong there" : ", which it may not read")}");
        foreach (var id in expected.Except(mine))
            _violations.Add($"{path} hides from {Who(name)} post {id} ({Describe(id)}), which it may read and belongs there");
        foreach (var s in (listKey is null ? json : json.GetProperty(listKey)).EnumerateArray().Where(s => world.PostById(s.GetProperty("id").GetString()!) is null))
        {
            var audience = s.TryGetProperty("audience", out var a) ? a.GetString() : null;
            Expect(audience == "public" || (audience == "company" && world.IsEmployee(name)),
                $"{path} shows {Who(name)} post {s.GetProperty("id")} of another world with audience {audience}");
        }
    }

    /// <summary>An account awaiting approval and a suspended one hold tokens: every read and every stream answers 401.</summary>
    private async Task CheckRefusedAsync()
    {
        var post = world.Posts.First();
        var person = world.Employees[0];
        string[] paths =
        [
            $"/api/v1/statuses/{post.Id}", $"/api/v1/statuses/{post.Id}/context", $"/api/v1/statuses/{post.Id}/favourited_by",
            "/api/v1/timelines/home", "/api/v1/timelines/public", "/api/v1/timelines/company", $"/api/v1/timelines/team/{world.Teams[0]}",
            $"/api/v1/timelines/tag/{world.Tag}", "/api/v1/notifications", "/api/v1/favourites", $"/api/v1/accounts/{person.Id}",
            $"/api/v1/accounts/{person.Id}/statuses", $"/api/v2/search?q={world.Word}", "/api/v1/accounts/verify_credentials",
            "/api/v1/streaming/user", "/api/v1/streaming/public",
        ];
        // Half the paths for each of them in turn (all of them over two worlds).
        foreach (var (refused, r) in world.Refused.Select((p, r) => (p, r)))
            foreach (var path in paths.Where((_, i) => (i + r + world.Posts.Count) % 2 == 0))
            {
                using var response = await GetAsync(refused.Client, path, HttpCompletionOption.ResponseHeadersRead);
                Expect(response.StatusCode == HttpStatusCode.Unauthorized, $"{refused.Name} (must see nothing) gets {(int)response.StatusCode} from {path}");
            }
    }

    private string Describe(string id) => world.PostById(id) is { } p
        ? $"{p.Author} → {p.Audience}{(p.BoostOf is null ? "" : $", boost of {p.BoostOf}")}{(p.Held ? ", held" : "")}"
        : "of another world";

    private static string Cut(string body) => body.Length > 120 ? body[..120] + "…" : body;
}
