using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>
/// DESIGN.md's invariants over random worlds: random teams, partner orgs, grants, guests, follows, posts to random
/// audiences, replies and favourites are created through the API; then every viewer reads every read path and the
/// answers are compared with a small oracle written from DESIGN.md's table, independently of the server's rule.
/// </summary>
public sealed class VisibilityPropertyTests
{
    private sealed record Person(string Name, long Id, HttpClient Client, string? Org);

    private sealed record Post(string Id, string AuthorName, string Audience, string? ParentId, string[] Mentions, string? BoostOf = null)
    {
        /// <summary>Held by the Leak Guard: only its author may open it (by id); it is in no list, count or notification.</summary>
        public bool Held { get; init; }
    }

    private sealed class World
    {
        public List<Person> Employees { get; } = [];
        public List<Person> Guests { get; } = [];
        public Dictionary<string, HashSet<string>> TeamMembers { get; } = [];
        public HashSet<(string Team, string Org)> Grants { get; } = [];
        public HashSet<(string Follower, string Target)> Follows { get; } = [];
        public List<Post> Posts { get; } = [];
        public List<(string Who, string PostId)> Favourites { get; } = [];
        public IEnumerable<Person> Everyone => Employees.Concat(Guests);
        public Person Find(string name) => Everyone.First(p => p.Name == name);
    }

    [Fact]
    public async Task Every_read_path_shows_exactly_what_the_audience_rules_allow()
    {
        await Gen.Int[0, int.MaxValue].SampleAsync(async seed => await CheckWorldAsync(seed), iter: 8, threads: 1);
    }

    private static async Task CheckWorldAsync(int seed)
    {
        var rng = new Random(seed);
        await using var factory = await GazouilleFactory.StartAsync(new() { ["Gazouille:Audiences:PublicEnabled"] = "true" });
        var world = await BuildWorldAsync(factory, rng);
        await CheckAllAsync(factory, world, seed);

        // Revoke a grant: the next read must already reflect it (I1: grants are checked at read time).
        if (world.Grants.Count > 0)
        {
            var revoked = world.Grants.ElementAt(rng.Next(world.Grants.Count));
            await factory.GrantAsync(revoked.Team, revoked.Org, revoke: true);
            world.Grants.Remove(revoked);
            await CheckAllAsync(factory, world, seed);
        }
    }

    private static async Task<World> BuildWorldAsync(GazouilleFactory factory, Random rng)
    {
        var world = new World();
        var orgs = Enumerable.Range(0, rng.Next(2, 4)).Select(i => $"org{i}").ToList();
        foreach (var org in orgs) await factory.CreatePartnerAsync(org);
        for (var i = 0; i < rng.Next(3, 6); i++)
        {
            var (id, client) = await factory.SignedInAsync($"emp{i}");
            world.Employees.Add(new Person($"emp{i}", id, client, null));
        }
        for (var i = 0; i < rng.Next(2, 5); i++)
        {
            var org = orgs[rng.Next(orgs.Count)];
            var (id, client) = await factory.SignedInAsync($"guest{i}", partner: org);
            world.Guests.Add(new Person($"guest{i}", id, client, org));
        }
        foreach (var team in Enumerable.Range(0, rng.Next(2, 4)).Select(i => $"team{i}"))
        {
            var members = world.Employees.Where(_ => rng.Next(2) == 0).Select(e => e.Name).ToHashSet();
            if (members.Count == 0) members.Add(world.Employees[0].Name);
            await factory.CreateTeamAsync(team, [.. members]);
            world.TeamMembers[team] = members;
            foreach (var org in orgs.Where(_ => rng.Next(3) > 0))
            {
                await factory.GrantAsync(team, org);
                world.Grants.Add((team, org));
            }
        }
        foreach (var a in world.Employees)
            foreach (var b in world.Employees.Where(b => b != a && rng.Next(2) == 0))
            {
                (await a.Client.PostAsync($"/api/v1/accounts/{b.Id}/follow", null)).EnsureSuccessStatusCode();
                world.Follows.Add((a.Name, b.Name));
            }

        for (var i = 0; i < 14; i++)
        {
            var author = world.Everyone.ElementAt(rng.Next(world.Everyone.Count()));
            var canSee = world.Posts.Where(p => Readers(world, p).Contains(author.Name)).ToList();
            var parent = canSee.Count > 0 && rng.Next(3) == 0 ? canSee[rng.Next(canSee.Count)] : null;
            var audience = RandomAudience(world, author, rng);
            var mention = world.Everyone.ElementAt(rng.Next(world.Everyone.Count())).Name;
            var body = new Dictionary<string, string> { ["status"] = $"post {i} for @{mention}" };
            if (audience is not null) body["audience"] = audience;
            if (parent is not null) body["in_reply_to_id"] = parent.Id;
            var response = await author.Client.PostAsJsonAsync("/api/v1/statuses", body);
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity) continue; // e.g. a guest replying outside its channel
            Assert.True(response.IsSuccessStatusCode, $"post failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var json = await response.JsonAsync();
            var post = new Post(json.GetProperty("id").GetString()!, author.Name, json.GetProperty("audience").GetString()!, parent?.Id,
                json.GetProperty("mentions").EnumerateArray().Select(m => m.GetProperty("username").GetString()!).ToArray());
            world.Posts.Add(post);
            // I2: whatever was asked, a reply never reaches someone who cannot read its parent.
            if (parent is not null)
                Assert.Subset(Readers(world, parent), Readers(world, post));
        }
        await AddHeldPostsAsync(world, rng);
        foreach (var person in world.Everyone)
            foreach (var post in world.Posts.Where(p => !p.Held && p.BoostOf is null && p.Audience != "direct" && p.Audience != "followers"
                                                         && Readers(world, p).Contains(person.Name) && rng.Next(5) == 0).ToList())
            {
                var boosted = await person.Client.PostAsync($"/api/v1/statuses/{post.Id}/reblog", null);
                if (person.Org is not null && !post.Audience.StartsWith("partners:", StringComparison.Ordinal))
                {
                    Assert.Equal(HttpStatusCode.UnprocessableEntity, boosted.StatusCode); // a guest's boost would name it to everyone
                    continue;
                }
                Assert.True(boosted.IsSuccessStatusCode, $"boost failed: {await boosted.Content.ReadAsStringAsync()}");
                var json = await boosted.JsonAsync();
                world.Posts.Add(new Post(json.GetProperty("id").GetString()!, person.Name, json.GetProperty("audience").GetString()!, null, [], post.Id));
            }
        foreach (var person in world.Everyone)
            foreach (var post in world.Posts.Where(p => !p.Held && p.BoostOf is null && Readers(world, p).Contains(person.Name) && rng.Next(3) == 0))
            {
                (await person.Client.PostAsync($"/api/v1/statuses/{post.Id}/favourite", null)).EnsureSuccessStatusCode();
                world.Favourites.Add((person.Name, post.Id));
            }
        return world;
    }

    /// <summary>
    /// A few posts the Leak Guard holds, some of them replies: a bank account number inside the company, a
    /// confidentiality marker in a partner channel. Whoever they mention or answer must not learn of them.
    /// </summary>
    private static async Task AddHeldPostsAsync(World world, Random rng)
    {
        var held = 0;
        for (var i = 0; i < 10 && held < 3; i++)
        {
            var author = world.Everyone.ElementAt(rng.Next(world.Everyone.Count()));
            var audience = RandomAudience(world, author, rng) ?? "company";
            var external = audience.StartsWith("partners:", StringComparison.Ordinal) || author.Org is not null;
            if (audience == "public") audience = "company";
            var mention = world.Everyone.ElementAt(rng.Next(world.Everyone.Count())).Name;
            var text = external ? $"held {i} @{mention}: document confidentiel, ne pas diffuser" : $"held {i} @{mention}: IBAN FR76 3000 6000 0112 3456 7890 189";
            if (audience == "direct" && world.Guests.Any(g => g.Name == mention)) text = $"held {i} @{mention}: document confidentiel, ne pas diffuser";
            var canSee = world.Posts.Where(p => !p.Held && Readers(world, p).Contains(author.Name)).ToList();
            var body = new Dictionary<string, string> { ["status"] = text, ["audience"] = audience };
            if (canSee.Count > 0 && rng.Next(2) == 0) body["in_reply_to_id"] = canSee[rng.Next(canSee.Count)].Id;
            var response = await author.Client.PostAsJsonAsync("/api/v1/statuses", body);
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity) continue; // a guest outside its channel, or a block
            var json = await response.JsonAsync();
            Assert.True(response.IsSuccessStatusCode, $"held post failed: {json}");
            Assert.Equal("held", json.GetProperty("leak_guard").GetProperty("state").GetString());
            world.Posts.Add(new Post(json.GetProperty("id").GetString()!, author.Name, json.GetProperty("audience").GetString()!,
                body.GetValueOrDefault("in_reply_to_id"), []) { Held = true });
            held++;
        }
        Assert.True(held > 0, "no held post in this world: the oracle would check nothing about them");
    }

    private static string? RandomAudience(World world, Person author, Random rng)
    {
        var teams = world.TeamMembers.Keys.ToList();
        var team = teams[rng.Next(teams.Count)];
        if (author.Org is not null)
        {
            var granted = world.Grants.Where(g => g.Org == author.Org).Select(g => g.Team).ToList();
            return rng.Next(4) switch
            {
                0 => "direct",
                1 => "company", // refused: guests only write to partner channels
                _ => granted.Count > 0 ? $"partners:{granted[rng.Next(granted.Count)]}" : $"partners:{team}",
            };
        }
        var orgsOfTeam = world.Grants.Where(g => g.Team == team).Select(g => g.Org).ToList();
        return rng.Next(8) switch
        {
            0 => "direct",
            1 => "followers",
            2 => $"team:{team}",
            3 => "company",
            4 => "public",
            5 => $"partners:{team}",
            6 => orgsOfTeam.Count > 0 ? $"partners:{team}:{orgsOfTeam[rng.Next(orgsOfTeam.Count)]}" : "company",
            _ => null,
        };
    }

    /// <summary>The oracle: DESIGN.md's audience table, evaluated on the world as it is now.</summary>
    private static HashSet<string> Readers(World world, Post post)
    {
        if (post.Held) return [post.AuthorName];
        if (post.BoostOf is not null)
        {
            // A boost reaches no one its original does not (I2); a guest's boost stays within its org (I3).
            var original = Readers(world, world.Posts.First(p => p.Id == post.BoostOf));
            var booster = world.Find(post.AuthorName);
            if (booster.Org is not null)
                original.RemoveWhere(r => r == "" || (world.Find(r).Org is { } o && o != booster.Org));
            return original;
        }
        var readers = new HashSet<string>();
        var parts = post.Audience.Split(':');
        switch (parts[0])
        {
            case "public":
                readers.UnionWith(world.Everyone.Select(p => p.Name));
                readers.Add("");
                break;
            case "company":
                readers.UnionWith(world.Employees.Select(p => p.Name));
                break;
            case "team":
                readers.UnionWith(world.TeamMembers[parts[1]]);
                break;
            case "followers":
                var owner = FollowersOwner(world, post);
                readers.Add(post.AuthorName);
                readers.Add(owner);
                readers.UnionWith(world.Follows.Where(f => f.Target == owner).Select(f => f.Follower));
                readers.IntersectWith(world.Employees.Select(e => e.Name));
                break;
            case "direct":
                readers.Add(post.AuthorName);
                readers.UnionWith(post.Mentions);
                break;
            case "partners":
                readers.UnionWith(world.TeamMembers[parts[1]]);
                var orgs = parts.Length == 3 ? parts[2].Split(',') : world.Grants.Where(g => g.Team == parts[1]).Select(g => g.Org).ToArray();
                readers.UnionWith(world.Guests.Where(g => orgs.Contains(g.Org) && world.Grants.Contains((parts[1], g.Org!))).Select(g => g.Name));
                break;
        }
        return readers;
    }

    private static string FollowersOwner(World world, Post post)
    {
        var parent = world.Posts.FirstOrDefault(p => p.Id == post.ParentId);
        return parent is { Audience: "followers" } ? FollowersOwner(world, parent) : post.AuthorName;
    }

    /// <summary>I5: who appears to whom (favourite counts only include people the viewer may see).</summary>
    private static bool SeesAccount(World world, string viewer, string other)
    {
        var target = world.Find(other);
        if (viewer == "") return target.Org is null;
        var me = world.Find(viewer);
        if (me.Org is null) return true;
        if (target.Org is not null) return target.Org == me.Org;
        return world.Grants.Where(g => g.Org == me.Org).Any(g => world.TeamMembers[g.Team].Contains(other));
    }

    private static async Task CheckAllAsync(GazouilleFactory factory, World world, int seed)
    {
        var anonymous = factory.Client();
        var notFound = await (await anonymous.GetAsync("/api/v1/statuses/1")).Content.ReadAsStringAsync();
        var viewers = world.Everyone.Select(p => (p.Name, p.Client)).Append(("", anonymous)).ToList();
        foreach (var (name, client) in viewers)
        {
            var visible = world.Posts.Where(p => Readers(world, p).Contains(name)).Select(p => p.Id).ToHashSet();
            // Lists, counts and notifications show published posts only, even to the author of a held one.
            var listed = world.Posts.Where(p => !p.Held && visible.Contains(p.Id)).Select(p => p.Id).ToHashSet();
            foreach (var post in world.Posts)
            {
                var response = await client.GetAsync($"/api/v1/statuses/{post.Id}");
                var shouldSee = visible.Contains(post.Id);
                Assert.True(shouldSee == response.IsSuccessStatusCode,
                    $"seed {seed}: '{name}' {(shouldSee ? "cannot" : "can")} read {post.Audience} post {post.Id} by {post.AuthorName}");
                if (!shouldSee)
                {
                    Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                    Assert.Equal(notFound, await response.Content.ReadAsStringAsync()); // I4
                    continue;
                }
                var json = await response.JsonAsync();
                var visibleReplies = world.Posts.Count(p => p.ParentId == post.Id && listed.Contains(p.Id));
                var visibleBoosts = world.Posts.Count(p => p.BoostOf == post.Id && visible.Contains(p.Id));
                Assert.True(visibleReplies == json.GetProperty("replies_count").GetInt32(), $"seed {seed}: replies_count of {post.Id} for '{name}'");
                var visibleFavourites = world.Favourites.Count(f => f.PostId == post.Id && SeesAccount(world, name, f.Who));
                if (post.BoostOf is not null) continue;
                if (post.Held)
                {
                    // Its author follows the review: the guard's verdict is there, nothing else can happen to it.
                    Assert.Equal("held", json.GetProperty("leak_guard").GetProperty("state").GetString());
                    Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/statuses/{post.Id}/favourite", null)).StatusCode);
                    continue;
                }
                Assert.True(visibleFavourites == json.GetProperty("favourites_count").GetInt32(), $"seed {seed}: favourites_count of {post.Id} for '{name}'");
                Assert.True(visibleBoosts == json.GetProperty("reblogs_count").GetInt32(), $"seed {seed}: reblogs_count of {post.Id} for '{name}'");
                foreach (var path in new[] { "favourited_by", "reblogged_by" })
                    foreach (var account in (await (await client.GetAsync($"/api/v1/statuses/{post.Id}/{path}")).JsonAsync()).EnumerateArray())
                        Assert.True(SeesAccount(world, name, world.Everyone.First(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == account.GetProperty("id").GetString()).Name),
                            $"seed {seed}: {path} of {post.Id} shows a hidden account to '{name}'");

                var context = await (await client.GetAsync($"/api/v1/statuses/{post.Id}/context")).JsonAsync();
                foreach (var s in context.GetProperty("ancestors").EnumerateArray().Concat(context.GetProperty("descendants").EnumerateArray()))
                    Assert.True(listed.Contains(s.GetProperty("id").GetString()!), $"seed {seed}: context leaks to '{name}'");
            }

            var paths = new List<string> { "/api/v1/timelines/public?limit=40" };
            if (name != "")
                paths.AddRange(["/api/v1/timelines/home?limit=40", "/api/v1/timelines/company?limit=40", "/api/v1/favourites?limit=40"]);
            paths.AddRange(world.Everyone.Select(p => $"/api/v1/accounts/{p.Id}/statuses?limit=40"));
            paths.AddRange(world.TeamMembers.Keys.Select(t => $"/api/v1/timelines/team/{t}?limit=40"));
            foreach (var path in paths)
            {
                var response = await client.GetAsync(path);
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized) continue;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                foreach (var s in (await response.JsonAsync()).EnumerateArray())
                    Assert.True(listed.Contains(s.GetProperty("id").GetString()!), $"seed {seed}: {path} leaks {s.GetProperty("id")} to '{name}'");
            }
            // Accounts a guest may not see answer 404 (I5).
            foreach (var other in world.Everyone)
            {
                var response = await client.GetAsync($"/api/v1/accounts/{other.Id}");
                Assert.True(SeesAccount(world, name, other.Name) == response.IsSuccessStatusCode, $"seed {seed}: '{name}' and account {other.Name}");
                if (!response.IsSuccessStatusCode) continue;
                // I3 for account counts: employees see plain totals of published posts, everyone else only what they may read.
                var posts = world.Employees.Any(e => e.Name == name)
                    ? world.Posts.Count(p => p.AuthorName == other.Name && !p.Held)
                    : world.Posts.Count(p => p.AuthorName == other.Name && listed.Contains(p.Id));
                Assert.True(posts == (await response.JsonAsync()).GetProperty("statuses_count").GetInt32(), $"seed {seed}: statuses_count of {other.Name} for '{name}'");
            }
            if (name != "")
            {
                var notifications = await (await client.GetAsync("/api/v1/notifications?limit=80")).JsonAsync();
                foreach (var n in notifications.EnumerateArray())
                    if (n.GetProperty("status").ValueKind == JsonValueKind.Object)
                        Assert.True(listed.Contains(n.GetProperty("status").GetProperty("id").GetString()!), $"seed {seed}: notification leaks to '{name}'");
            }
        }
    }
}
