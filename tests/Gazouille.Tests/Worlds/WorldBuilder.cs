using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Features.Partners;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests.Worlds;

/// <summary>
/// Builds a <see cref="WorldPlan"/> on a running server, in-process: people, teams, orgs and follows are rows (no
/// password hashing, no HTTP round trip), tokens are personal access tokens as <c>admin create-token</c> mints them,
/// grants and revocations go through <see cref="PartnerAdministration"/>, and posts, boosts and favourites through the
/// product's own <see cref="StatusPublisher"/> and <see cref="StatusInteractions"/> (Leak Guard, notifications, streams
/// included). Only the reads are then checked over HTTP.
/// </summary>
public sealed class WorldBuilder(GazouilleFactory factory, WorldPlan plan, World world)
{
    private static readonly string[] Scopes = ["read", "write", "follow", "push"];
    private readonly Dictionary<long, string> _teamHandles = [];
    private readonly Dictionary<long, string> _orgHandles = [];
    private readonly Dictionary<long, string> _names = [];
    private Viewer? _admin;

    /// <summary>People, teams, grants and follows: everything but the posts.</summary>
    public async Task BuildPeopleAsync()
    {
        var p = world.Prefix;
        await factory.WithScopeAsync<object?>(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var now = DateTimeOffset.UtcNow;
            var orgIds = new Dictionary<string, long>();
            for (var o = 0; o < WorldPlan.Orgs; o++)
            {
                var org = new PartnerOrg { Id = Snowflake.NewId(), Handle = $"{p}o{o}", Name = $"Org {p}o{o}", CreatedAt = now };
                db.PartnerOrgs.Add(org);
                orgIds[org.Handle] = org.Id;
                _orgHandles[org.Id] = org.Handle;
                world.Orgs.Add(org.Handle);
            }
            var admin = NewAccount($"{p}admin", null, AccountRole.Admin);
            db.Users.Add(admin);
            var people = new List<(Account Account, string? Org)>();
            for (var e = 0; e < plan.Employees; e++) people.Add((NewAccount($"{p}e{e}", null), null));
            for (var g = 0; g < plan.GuestOrgs.Length; g++)
            {
                var org = $"{p}o{plan.GuestOrgs[g]}";
                people.Add((NewAccount($"{p}g{g}", orgIds[org]), org));
            }
            foreach (var (account, _) in people) db.Users.Add(account);
            var teamIds = new List<long>();
            for (var t = 0; t < WorldPlan.Teams; t++)
            {
                var team = new Team { Id = Snowflake.NewId(), Handle = $"{p}t{t}", Name = $"Team {t}", CreatedAt = now };
                db.Teams.Add(team);
                teamIds.Add(team.Id);
                _teamHandles[team.Id] = team.Handle;
                world.Teams.Add(team.Handle);
                var members = Enumerable.Range(0, plan.Employees).Where(e => plan.Members[t][e]).DefaultIfEmpty(t % plan.Employees).ToList();
                world.TeamMembers[team.Handle] = members.Select(e => people[e].Account.UserName!).ToHashSet();
                foreach (var e in members) db.TeamMembers.Add(new TeamMember { TeamId = team.Id, AccountId = people[e].Account.Id, JoinedAt = now });
                for (var e = 0; e < plan.Employees; e++)
                    if (plan.TeamFollows[e][t])
                    {
                        db.TeamFollows.Add(new TeamFollow { TeamId = team.Id, AccountId = people[e].Account.Id, CreatedAt = now });
                        world.TeamFollows.Add((people[e].Account.UserName!, team.Handle));
                    }
            }
            for (var a = 0; a < plan.Employees; a++)
                for (var b = 0; b < plan.Employees; b++)
                    if (a != b && plan.Follows[a][b])
                    {
                        db.Follows.Add(new Follow { Id = Snowflake.NewId(), FollowerId = people[a].Account.Id, TargetId = people[b].Account.Id, CreatedAt = now });
                        world.Follows.Add((people[a].Account.UserName!, people[b].Account.UserName!));
                    }

            // Two viewers who must see nothing: one awaiting approval, one suspended after it joined a team and followed people.
            var pending = NewAccount($"{p}pending", orgIds[$"{p}o0"]);
            var suspended = NewAccount($"{p}suspended", null);
            db.Users.AddRange(pending, suspended);
            db.TeamMembers.Add(new TeamMember { TeamId = teamIds[0], AccountId = suspended.Id, JoinedAt = now });
            foreach (var (account, _) in people.Take(plan.Employees))
                db.Follows.Add(new Follow { Id = Snowflake.NewId(), FollowerId = suspended.Id, TargetId = account.Id, CreatedAt = now });
            await db.SaveChangesAsync();

            foreach (var (account, org) in people)
            {
                var token = await PersonalAccessTokens.CreateAsync(db, account.Id, Scopes, "world");
                var person = new Person(account.UserName!, account.Id, token, factory.Client(token), org);
                (org is null ? world.Employees : world.Guests).Add(person);
                _names[account.Id] = person.Name;
            }
            foreach (var refused in new[] { pending, suspended })
            {
                var token = await PersonalAccessTokens.CreateAsync(db, refused.Id, Scopes, "world");
                world.Refused.Add(new Person(refused.UserName!, refused.Id, token, factory.Client(token), null));
            }
            pending.PendingApproval = true;
            pending.Suspended = true;
            suspended.Suspended = true;
            await db.SaveChangesAsync();
            _admin = await sp.GetRequiredService<ViewerLoader>().LoadAsync(admin.Id);
            return null;
        });

        for (var t = 0; t < WorldPlan.Teams; t++)
            for (var o = 0; o < WorldPlan.Orgs; o++)
                if (plan.Grants[t][o])
                    await factory.WithScopeAsync(sp => sp.GetRequiredService<PartnerAdministration>().GrantAsync(_admin!, world.Teams[t], world.Orgs[o], null, null, CancellationToken.None));
        foreach (var t in world.Teams)
            foreach (var o in world.Orgs)
                if (plan.Grants[world.Teams.IndexOf(t)][world.Orgs.IndexOf(o)])
                {
                    world.Grants.Add((t, o));
                    // A grant makes the org's guests follow the channel (issue 4, item 5).
                    foreach (var g in world.Guests.Where(g => g.Org == o)) world.TeamFollows.Add((g.Name, t));
                }
    }

    private static Account NewAccount(string name, long? org, AccountRole role = AccountRole.Employee) => new()
    {
        Id = Snowflake.NewId(), UserName = name, NormalizedUserName = name.ToUpperInvariant(), Email = $"{name}@example.test",
        NormalizedEmail = $"{name}@example.test".ToUpperInvariant(), EmailConfirmed = true, DisplayName = name, Role = role,
        PartnerOrgId = org, CreatedAt = DateTimeOffset.UtcNow, DefaultAudience = org is null ? "company" : "direct",
        SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString("N"),
    };

    /// <summary>The planned posts, boosts and favourites, each by someone allowed to make it (the oracle says who).</summary>
    /// <param name="afterPosts">Run between the posts and the boosts and favourites (the property test reads there, so
    /// that cached pages must follow what comes next).</param>
    public async Task WriteAsync(Func<Task>? afterPosts = null)
    {
        for (var i = 0; i < plan.Posts.Length; i++) await WritePostAsync(i, plan.Posts[i]);
        if (afterPosts is not null) await afterPosts();
        foreach (var (who, index) in plan.Boosts)
        {
            var person = world.Everyone.ElementAt(who % world.Everyone.Count());
            var candidates = world.Posts.Where(p => !p.Held && p.BoostOf is null && world.Readers(p).Contains(person.Name)).ToList();
            if (candidates.Count == 0) continue;
            var post = candidates[index % candidates.Count];
            var (id, error) = await AsAsync<StatusInteractions, long>(person, (s, v, ct) => s.ReblogAsync(v, post.Id, ct));
            var refused = post.Audience is "direct" or "followers" || (person.Org is not null && !post.Audience.StartsWith("partners:", StringComparison.Ordinal));
            if (refused != (error is not null))
                throw new InvalidOperationException($"{person.Name} boosting {post.Audience} post {post.Id}: expected {(refused ? "a refusal" : "a boost")}, got {error ?? "a boost"}");
            if (error is not null) continue;
            var boost = new Post(id.ToString(System.Globalization.CultureInfo.InvariantCulture), person.Name, post.Audience, null, [], post.Id);
            if (world.PostById(boost.Id) is null) world.Posts.Add(boost);
        }
        foreach (var (who, index) in plan.Favourites)
        {
            var person = world.Everyone.ElementAt(who % world.Everyone.Count());
            var candidates = world.Posts.Where(p => !p.Held && p.BoostOf is null && world.Readers(p).Contains(person.Name)).ToList();
            if (candidates.Count == 0) continue;
            var post = candidates[index % candidates.Count];
            var (_, error) = await AsAsync<StatusInteractions, long>(person, (s, v, ct) => s.FavouriteAsync(v, post.Id, ct));
            if (error is not null) throw new InvalidOperationException($"{person.Name} could not favourite {post.Id}: {error}");
            if (!world.Favourites.Contains((person.Name, post.Id))) world.Favourites.Add((person.Name, post.Id));
        }
    }

    private async Task WritePostAsync(int i, PostPlan planned)
    {
        var author = world.Everyone.ElementAt(planned.Author % world.Everyone.Count());
        var mention = world.Everyone.ElementAt(planned.Mention % world.Everyone.Count());
        var audience = ChooseAudience(author, planned);
        var readable = world.Posts.Where(p => !p.Held && p.BoostOf is null && world.Readers(p).Contains(author.Name)).ToList();
        var parent = planned.Parent >= 0 && readable.Count > 0 ? readable[planned.Parent % readable.Count] : null;
        var external = author.Org is not null || audience.StartsWith("partners:", StringComparison.Ordinal) || (audience == "direct" && mention.Org is not null);
        var text = planned.Held
            ? external ? $"{world.Word} {i} @{mention.Name}: document confidentiel, ne pas diffuser" : $"{world.Word} {i} @{mention.Name}: IBAN FR76 3000 6000 0112 3456 7890 189"
            : $"{world.Word} {i} for @{mention.Name}";
        if (planned.Tagged) text += $" #{world.Tag}";
        var (status, error) = await AsAsync<StatusPublisher, Status>(author, (s, v, ct) =>
            s.CreateAsync(v, new NewStatus(text, null, false, null, parent is null ? null : long.Parse(parent.Id, System.Globalization.CultureInfo.InvariantCulture), audience, null, null), ct));
        if (error is not null)
        {
            // Guests write only to the channels shared with them, and reply only within the channel of the post.
            world.Story.Add($"{author.Name} could not post to {audience}{(parent is null ? "" : $" in reply to {parent.Id}")}: {error}");
            return;
        }
        var post = new Post(status!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), author.Name, AudienceOf(status), parent?.Id,
            status.Mentions.Select(m => _names.GetValueOrDefault(m.AccountId, "?")).ToArray())
        { Held = status.State != StatusState.Published, Tagged = planned.Tagged, Text = text };
        if (planned.Held != post.Held)
            throw new InvalidOperationException($"post {post.Id} \"{text}\" to {post.Audience}: the Leak Guard {(post.Held ? "held" : "did not hold")} it");
        // A new post goes where its author asked (a guest's stays with its own org in the channel); a reply may be
        // narrowed, but never beyond its parent (I2).
        var asked = author.Org is not null && audience.StartsWith("partners:", StringComparison.Ordinal) ? $"{audience}:{author.Org}" : audience;
        if (parent is null && post.Audience != asked)
            throw new InvalidOperationException($"{author.Name} asked for {audience}, got {post.Audience}");
        world.Posts.Add(post);
        if (parent is not null && !world.Readers(post).IsSubsetOf(world.Readers(parent)))
            throw new InvalidOperationException($"I2: reply {post.Id} ({post.Audience}) reaches [{string.Join(", ", world.Readers(post).Except(world.Readers(parent)))}], who cannot read its parent {parent.Id} ({parent.Audience})");
    }

    /// <summary>Revokes the planned grant (when it exists), then a member posts to that channel: its guests must not get it.</summary>
    public async Task RevokeAsync()
    {
        var (team, org) = (world.Teams[plan.Revocation.Team], world.Orgs[plan.Revocation.Org]);
        if (world.Grants.Remove((team, org)))
        {
            await factory.WithScopeAsync(async sp =>
            {
                var db = sp.GetRequiredService<GazouilleDb>();
                var grant = await db.PartnerGrants.Where(g => g.Team!.Handle == team && g.PartnerOrg!.Handle == org && g.RevokedAt == null).Select(g => g.Id).FirstAsync();
                var revoked = await sp.GetRequiredService<PartnerAdministration>().RevokeAsync(_admin!, grant, CancellationToken.None);
                await db.SaveChangesAsync();
                return revoked;
            });
            world.Story.Add($"then the grant of {team} to {org} was revoked");
        }
        var author = world.Find(world.TeamMembers[team].First());
        var text = $"{world.Word} after revocation";
        var (status, error) = await AsAsync<StatusPublisher, Status>(author, (s, v, ct) => s.CreateAsync(v, new NewStatus(text, null, false, null, null, $"partners:{team}", null, null), ct));
        if (error is not null) throw new InvalidOperationException($"post after revocation: {error}");
        world.Posts.Add(new Post(status!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), author.Name, AudienceOf(status), null, []) { Text = text });
    }

    /// <summary>A public post everyone may read: once every stream has it, every earlier event has come too.</summary>
    public async Task<string> PostSentinelAsync(string name)
    {
        var author = world.Employees[0];
        var text = $"{world.Word} {name}";
        var (status, error) = await AsAsync<StatusPublisher, Status>(author, (s, v, ct) => s.CreateAsync(v, new NewStatus(text, null, false, null, null, "public", null, null), ct));
        if (error is not null) throw new InvalidOperationException($"sentinel: {error}");
        var post = new Post(status!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), author.Name, "public", null, []) { Text = text, Sentinel = true };
        world.Posts.Add(post);
        return post.Id;
    }

    private string ChooseAudience(Person author, PostPlan planned)
    {
        var team = world.Teams[planned.Audience % world.Teams.Count];
        if (author.Org is not null)
        {
            var granted = world.Grants.Where(g => g.Org == author.Org).Select(g => g.Team).ToList();
            return (planned.Audience % 4) switch
            {
                0 => "direct",
                1 => "company", // refused: guests only write to partner channels
                _ => granted.Count > 0 ? $"partners:{granted[planned.Audience % granted.Count]}" : $"partners:{team}",
            };
        }
        var orgsOfTeam = world.Grants.Where(g => g.Team == team).Select(g => g.Org).ToList();
        return planned.Audience switch
        {
            0 => "direct",
            1 => "followers",
            2 => $"team:{team}",
            3 => "company",
            4 => planned.Held ? "company" : "public",
            5 => $"partners:{team}",
            6 => orgsOfTeam.Count > 0 ? $"partners:{team}:{orgsOfTeam[planned.Mention % orgsOfTeam.Count]}" : "company",
            _ => "company",
        };
    }

    /// <summary>The audience as the API writes it, from what the server stored.</summary>
    private string AudienceOf(Status s) => s.AudienceKind switch
    {
        AudienceKind.Public => "public",
        AudienceKind.Company => "company",
        AudienceKind.Followers => "followers",
        AudienceKind.Direct => "direct",
        AudienceKind.Team => $"team:{_teamHandles[s.AudienceTeamId!.Value]}",
        AudienceKind.Partners => $"partners:{_teamHandles[s.AudienceTeamId!.Value]}"
                                 + (s.AudienceOrgs.Count > 0 ? ":" + string.Join(",", s.AudienceOrgs.Select(o => _orgHandles[o.PartnerOrgId]).Order()) : ""),
        _ => throw new InvalidOperationException($"unknown audience {s.AudienceKind}"),
    };

    /// <summary>Runs a service as the person (its viewer loaded as a request would); a refusal is returned, not thrown.</summary>
    private Task<(T? Result, string? Error)> AsAsync<TService, T>(Person person, Func<TService, Viewer, CancellationToken, Task<T>> work) where TService : notnull =>
        factory.WithScopeAsync<(T?, string?)>(async sp =>
        {
            var viewer = await sp.GetRequiredService<ViewerLoader>().LoadAsync(person.Id) ?? throw new InvalidOperationException($"no viewer for {person.Name}");
            try
            {
                return (await work(sp.GetRequiredService<TService>(), viewer, CancellationToken.None), null);
            }
            catch (ApiException e)
            {
                return (default, $"{e.Status} {e.Message}");
            }
        });
}
