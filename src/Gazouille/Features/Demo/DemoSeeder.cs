using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Media;
using Gazouille.Features.Statuses;
using Gazouille.Features.Teams;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Demo;

/// <summary>
/// <c>serve --demo</c>: a fictional company in an empty instance — teams, people with generated avatars, a partner
/// studio, and a week of posts, replies, favourites and boosts (<see cref="DemoWeek"/>).
/// </summary>
public sealed class DemoSeeder(
    IServiceProvider services, GazouilleDb db, AccountDirectory accounts, TeamDirectory teams, ViewerLoader viewers, AvatarStore avatars, TimeProvider clock)
{
    public const string Password = "gazouille-demo";

    private static readonly (string User, string Name, AccountRole Role, string? Partner)[] People =
    [
        ("alice", "Alice Martin", AccountRole.Admin, null),
        ("bruno", "Bruno Leroy", AccountRole.Moderator, null),
        ("chloe", "Chloé Dubois", AccountRole.Employee, null),
        ("david", "David Moreau", AccountRole.Employee, null),
        ("emma", "Emma Petit", AccountRole.Employee, null),
        ("farid", "Farid Benali", AccountRole.Employee, null),
        ("hugo", "Hugo Lambert", AccountRole.Employee, null),
        ("ines", "Inès Garcia", AccountRole.Employee, null),
        ("grace", "Grace Okafor", AccountRole.Employee, "nordlys"),
        ("jonas", "Jonas Berg", AccountRole.Employee, "nordlys"),
    ];

    private static readonly (string Team, string User, bool Lead)[] Memberships =
    [
        ("design", "chloe", true), ("design", "alice", false), ("design", "hugo", false),
        ("plateforme", "farid", true), ("plateforme", "david", false), ("plateforme", "ines", false),
        ("ventes", "emma", true), ("ventes", "bruno", false),
    ];

    public async Task<bool> SeedAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct)) return false;
        var now = clock.GetUtcNow();
        // All or nothing: a seeding that fails leaves the instance empty, so --demo can simply run again.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = "nordlys", Name = "Nordlys Studio", Domains = "nordlys.example", Verified = true, CreatedAt = now });
        await db.SaveChangesAsync(ct);

        var ids = new Dictionary<string, long>();
        foreach (var (user, name, role, partner) in People)
        {
            var domain = partner is null ? "gazouille.example" : "nordlys.example";
            var (account, _, error) = await accounts.CreateAsync(new NewAccount(user, $"{user}@{domain}", name, role, partner, Password), ct);
            ids[user] = account?.Id ?? throw new InvalidOperationException(error);
            var avatar = await SaveIdenticonAsync(account.Id, user, ct);
            // The company existed before this week: people joined a few months ago.
            await db.Users.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.AvatarFile, avatar).SetProperty(a => a.CreatedAt, now.AddDays(-90)), ct);
        }

        await teams.CreateAsync("design", "Design", "Interfaces, marque et recherche utilisateur.", ct);
        await teams.CreateAsync("plateforme", "Plateforme", "Infrastructure, CI et outils internes.", ct);
        await teams.CreateAsync("ventes", "Ventes", "Relations clients et partenaires.", ct);
        foreach (var (team, user, lead) in Memberships)
            await teams.AddMemberAsync(team, user, lead, ct);

        var design = await db.Teams.FirstAsync(t => t.Handle == "design", ct);
        var nordlys = await db.PartnerOrgs.FirstAsync(o => o.Handle == "nordlys", ct);
        db.PartnerGrants.Add(new PartnerGrant { Id = Snowflake.NewId(), TeamId = design.Id, PartnerOrgId = nordlys.Id, GrantedAt = now.AddDays(-30), Rights = GrantRights.ReadAndReply });
        await AccountRules.FollowTeamForGuestsAsync(db, design.Id, nordlys.Id, now, ct);
        var employees = People.Where(p => p.Partner is null).Select(p => ids[p.User]).ToArray();
        foreach (var follower in employees)
            foreach (var target in employees.Where(t => t != follower))
                db.Follows.Add(new Follow { Id = Snowflake.NewId(), FollowerId = follower, TargetId = target, CreatedAt = now.AddDays(-60) });
        await db.SaveChangesAsync(ct);

        await PlayWeekAsync(ids, now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    private async Task<string> SaveIdenticonAsync(long accountId, string username, CancellationToken ct)
    {
        var png = AvatarGenerator.Identicon(username);
        using var stream = new MemoryStream(png);
        var name = await avatars.SaveAsync(accountId, new FormFile(stream, 0, png.Length, "avatar", $"{username}.png"), ct);
        await db.SaveChangesAsync(ct);
        return name;
    }

    /// <summary>
    /// Posts, favourites and boosts happen in the order of their moments, each through the product's own services on a
    /// clock set to that moment: audiences, mentions and notifications follow the usual rules, and ids sort by time.
    /// </summary>
    private async Task PlayWeekAsync(Dictionary<string, long> ids, DateTimeOffset now, CancellationToken ct)
    {
        var week = new DemoClock();
        var publisher = ActivatorUtilities.CreateInstance<StatusPublisher>(services, week);
        var interactions = ActivatorUtilities.CreateInstance<StatusInteractions>(services, week);
        var viewerOf = new Dictionary<string, Viewer>();
        foreach (var (user, id) in ids)
            viewerOf[user] = await viewers.LoadAsync(id, ct) ?? throw new InvalidOperationException($"demo person {user} missing");

        var posted = new Dictionary<int, Status>();
        foreach (var (at, index, user, isBoost) in Schedule(now))
        {
            week.Now = at;
            var post = DemoWeek.Posts[index];
            try
            {
                if (user is null)
                {
                    var parent = post.ReplyTo is null ? null : (long?)posted[Array.FindIndex(DemoWeek.Posts, p => p.Key == post.ReplyTo)].Id;
                    posted[index] = await publisher.CreateAsync(viewerOf[post.Author], new NewStatus(post.Text, null, false, post.Language, parent, post.Audience, null, null), ct);
                }
                else if (isBoost)
                {
                    await interactions.ReblogAsync(viewerOf[user], Ids.Format(posted[index].Id), ct);
                }
                else
                {
                    await interactions.FavouriteAsync(viewerOf[user], Ids.Format(posted[index].Id), ct);
                }
                // A tracker that kept the whole week made every later save slower (the week took about twice as long).
                db.ChangeTracker.Clear();
            }
            catch (ApiException e)
            {
                // The week is written by hand: say which line breaks a rule (e.g. a like from someone who cannot read the post).
                throw new InvalidOperationException($"Demo week, post {index} by {post.Author}{(user is null ? "" : $", {(isBoost ? "boost" : "like")} by {user}")}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The moment of every post (no user) and of every favourite or boost (its user), oldest first. Day 7 is today; if
    /// its last moment is not yet past, the whole week moves back so that everything happened before <paramref name="now"/>.
    /// </summary>
    private static List<(DateTimeOffset At, int Post, string? User, bool Boost)> Schedule(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var events = new List<(DateTimeOffset At, int Post, string? User, bool Boost)>();
        for (var i = 0; i < DemoWeek.Posts.Length; i++)
        {
            var post = DemoWeek.Posts[i];
            var at = today.AddDays(post.Day - 7) + TimeSpan.Parse(post.Time, System.Globalization.CultureInfo.InvariantCulture);
            events.Add((at, i, null, false));
            var likes = post.Likes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var k = 0; k < likes.Length; k++) events.Add((at.AddMinutes(3 + 7 * k), i, likes[k], false));
            var boosts = post.Boosts.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var k = 0; k < boosts.Length; k++) events.Add((at.AddMinutes(5 + 11 * k), i, boosts[k], true));
        }
        var latest = events.Max(e => e.At);
        var shift = latest > now.AddMinutes(-5) ? latest - now.AddMinutes(-5) : TimeSpan.Zero;
        return events.Select(e => (e.At - shift, e.Post, e.User, e.Boost)).OrderBy(e => e.Item1).ThenBy(e => e.User is null ? 0 : 1).ToList();
    }

    private sealed class DemoClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
