using System.Globalization;
using System.Text;

namespace Gazouille.Tests.Worlds;

/// <summary>Someone of a world: an employee (Org null) or a guest of a partner organization.</summary>
public sealed record Person(string Name, long Id, string Token, HttpClient Client, string? Org)
{
    public string IdText => Id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A post of a world as the oracle knows it.</summary>
public sealed record Post(string Id, string Author, string Audience, string? ParentId, string[] Mentions, string? BoostOf = null)
{
    /// <summary>Held by the Leak Guard: only its author may open it (by id); it is in no list, count or notification.</summary>
    public bool Held { get; init; }
    public bool Tagged { get; init; }
    public string Text { get; init; } = "";
    /// <summary>A public post that marks a point in the streams; it is in every list, but not opened one by one.</summary>
    public bool Sentinel { get; init; }
}

/// <summary>
/// A world as built on the server, and the oracle: DESIGN.md's audience table and I5, evaluated on the world as it is
/// now. It is written from the design, not from src/Gazouille.Data/Visibility.cs, so a mistake there shows here.
/// The anonymous reader is named "".
/// </summary>
public sealed class World(string prefix)
{
    /// <summary>Names in this world start with it (w17e0, w17t1, w17o2): worlds share one database without meeting.</summary>
    public string Prefix { get; } = prefix;
    public string Word => Prefix + "mot";
    public string Tag => Prefix + "tag";
    public List<Person> Employees { get; } = [];
    public List<Person> Guests { get; } = [];
    public List<string> Teams { get; } = [];
    public List<string> Orgs { get; } = [];
    public Dictionary<string, HashSet<string>> TeamMembers { get; } = [];
    public HashSet<(string Team, string Org)> Grants { get; } = [];
    public HashSet<(string Follower, string Target)> Follows { get; } = [];
    public HashSet<(string Who, string Team)> TeamFollows { get; } = [];
    public List<Post> Posts { get; } = [];
    public List<(string Who, string PostId)> Favourites { get; } = [];
    public List<string> Story { get; } = [];
    /// <summary>Draws which of the secondary reads a world makes: the same ones each time the same plan is built.</summary>
    public int Seed { get; init; }

    public static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));
    /// <summary>Signed-in viewers who must see nothing: an account awaiting approval and a suspended one (each with a token).</summary>
    public List<Person> Refused { get; } = [];

    public IEnumerable<Person> Everyone => Employees.Concat(Guests);
    public Person Find(string name) => Everyone.First(p => p.Name == name);
    public Person? FindById(string id) => Everyone.FirstOrDefault(p => p.IdText == id);
    public Post? PostById(string id) => Posts.FirstOrDefault(p => p.Id == id);
    public bool IsEmployee(string name) => Employees.Any(e => e.Name == name);

    /// <summary>Who may read the post now (by id): DESIGN.md's table, I2 for boosts, held posts for their author only.</summary>
    public HashSet<string> Readers(Post post)
    {
        if (post.Held) return [post.Author];
        if (post.BoostOf is not null)
        {
            // A boost reaches no one its original does not (I2); a guest's boost stays within its org (I3).
            var original = Readers(Posts.First(p => p.Id == post.BoostOf));
            if (Find(post.Author).Org is { } boosterOrg)
                original.RemoveWhere(r => r == "" || (Find(r).Org is { } o && o != boosterOrg));
            return original;
        }
        var readers = new HashSet<string>();
        var parts = post.Audience.Split(':');
        switch (parts[0])
        {
            case "public":
                readers.UnionWith(Everyone.Select(p => p.Name));
                readers.Add("");
                break;
            case "company":
                readers.UnionWith(Employees.Select(p => p.Name));
                break;
            case "team":
                readers.UnionWith(TeamMembers[parts[1]]);
                break;
            case "followers":
                var owner = FollowersOwner(post);
                readers.Add(post.Author);
                readers.Add(owner);
                readers.UnionWith(Follows.Where(f => f.Target == owner).Select(f => f.Follower));
                readers.IntersectWith(Employees.Select(e => e.Name));
                break;
            case "direct":
                readers.Add(post.Author);
                readers.UnionWith(post.Mentions);
                break;
            case "partners":
                readers.UnionWith(TeamMembers[parts[1]]);
                var orgs = parts.Length == 3 ? parts[2].Split(',') : Orgs.ToArray();
                readers.UnionWith(Guests.Where(g => orgs.Contains(g.Org) && Grants.Contains((parts[1], g.Org!))).Select(g => g.Name));
                break;
            default:
                throw new InvalidOperationException($"unknown audience {post.Audience}");
        }
        return readers;
    }

    /// <summary>A followers-only thread stays with the followers of whoever started it.</summary>
    private string FollowersOwner(Post post) =>
        PostById(post.ParentId ?? "") is { Audience: "followers" } parent ? FollowersOwner(parent) : post.Author;

    /// <summary>What the viewer may open by id.</summary>
    public HashSet<string> Visible(string viewer) => Posts.Where(p => Readers(p).Contains(viewer)).Select(p => p.Id).ToHashSet();

    /// <summary>What lists, counts and notifications may show the viewer: published posts only, even to the author of a held one.</summary>
    public HashSet<string> Listed(string viewer) => Posts.Where(p => !p.Held && Readers(p).Contains(viewer)).Select(p => p.Id).ToHashSet();

    /// <summary>I5: employees see everyone; a guest its own org and the members of teams that grant it; anonymous readers employees only.</summary>
    public bool SeesAccount(string viewer, string other)
    {
        var target = Find(other);
        if (viewer == "") return target.Org is null;
        var me = Find(viewer);
        if (me.Org is null) return true;
        if (target.Org is not null) return target.Org == me.Org;
        return Grants.Where(g => g.Org == me.Org).Any(g => TeamMembers[g.Team].Contains(other));
    }

    /// <summary>The teams whose channel comes to the viewer's home timeline: followed ones (a guest's only while granted).</summary>
    public HashSet<string> HomeTeams(string viewer)
    {
        var followed = TeamFollows.Where(f => f.Who == viewer).Select(f => f.Team).ToHashSet();
        if (Find(viewer).Org is { } org) followed.RemoveWhere(t => !Grants.Contains((t, org)));
        return followed;
    }

    public static string TeamOf(Post post) => post.Audience.Split(':') is [("team" or "partners"), var team, ..] ? team : "";

    /// <summary>The world in words: who is who, who may read what, who posted what to whom, what happened since.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"  employees: {string.Join(", ", Employees.Select(e => $"{e.Name} (id {e.Id})"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  guests: {string.Join(", ", Guests.Select(g => $"{g.Name} of {g.Org} (id {g.Id})"))}");
        foreach (var team in Teams)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  team {team}: members [{string.Join(", ", TeamMembers[team])}], granted now to [{string.Join(", ", Grants.Where(g => g.Team == team).Select(g => g.Org))}]");
        text.AppendLine(CultureInfo.InvariantCulture, $"  follows: {string.Join(", ", Follows.Select(f => $"{f.Follower}→{f.Target}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  team follows: {string.Join(", ", TeamFollows.Select(f => $"{f.Who}→{f.Team}"))}");
        foreach (var post in Posts)
        {
            var what = post.BoostOf is not null ? $"boosts {post.BoostOf}" : $"\"{post.Text}\"{(post.ParentId is { } p ? $" replying to {p}" : "")}";
            var readers = Readers(post).Select(r => r == "" ? "anonymous" : r);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  post {post.Id}: {post.Author} → {post.Audience}{(post.Held ? " (HELD by the Leak Guard)" : "")}: {what}; readable by [{string.Join(", ", readers)}]");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"  favourites: {string.Join(", ", Favourites.Select(f => $"{f.Who}♥{f.PostId}"))}");
        foreach (var line in Story) text.AppendLine("  " + line);
        return text.ToString();
    }
}
