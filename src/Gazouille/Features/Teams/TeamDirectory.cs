using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Teams;

/// <summary>Creates teams and memberships with the same checks for the CLI, the API and the demo.</summary>
public sealed class TeamDirectory(GazouilleDb db, InstanceUrls urls, LeakGate guard, Streaming.StreamOutbox stream)
{
    /// <summary>The teams a viewer may know of: all for employees, the granted ones for a guest.</summary>
    public IQueryable<Team> Visible(Viewer viewer)
    {
        var granted = viewer.GrantedTeamIds;
        return viewer.IsEmployee ? db.Teams.AsNoTracking() : db.Teams.AsNoTracking().Where(t => granted.Contains(t.Id));
    }

    public async Task<List<TeamEntity>> RenderAsync(Viewer viewer, List<Team> teams, CancellationToken ct)
    {
        var ids = teams.Select(t => t.Id).ToList();
        var counts = await db.TeamMembers.Where(m => ids.Contains(m.TeamId)).GroupBy(m => m.TeamId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var me = viewer.AccountId;
        var leads = await db.TeamMembers.Where(m => m.AccountId == me && m.IsLead && ids.Contains(m.TeamId)).Select(m => m.TeamId).ToListAsync(ct);
        return teams.Select(t => new TeamEntity(Ids.Format(t.Id), t.Handle, t.Name, t.Description, urls.Team(t.Handle), counts.GetValueOrDefault(t.Id),
            viewer.TeamIds.Contains(t.Id), leads.Contains(t.Id), viewer.FollowedTeamIds.Contains(t.Id)) { Official = t.Official }).ToList();
    }

    /// <summary>Follows a team the viewer may see (checked by the caller); its posts join the viewer's home timeline.</summary>
    public async Task<TeamEntity> FollowAsync(Viewer viewer, Team team, CancellationToken ct)
    {
        if (!await db.TeamFollows.AnyAsync(f => f.TeamId == team.Id && f.AccountId == viewer.AccountId, ct))
        {
            db.TeamFollows.Add(new TeamFollow { TeamId = team.Id, AccountId = viewer.AccountId, CreatedAt = DateTimeOffset.UtcNow });
            try { await db.SaveChangesAsync(ct); } catch (DbUpdateException) { db.ChangeTracker.Clear(); }
        }
        return (await RenderAsync(viewer with { FollowedTeamIds = [.. viewer.FollowedTeamIds, team.Id] }, [team], ct))[0];
    }

    public async Task<TeamEntity> UnfollowAsync(Viewer viewer, Team team, CancellationToken ct)
    {
        using (ChangeClock.Declare(ChangeKey.AccountAndAccess(viewer.AccountId)))
            await db.TeamFollows.Where(f => f.TeamId == team.Id && f.AccountId == viewer.AccountId).ExecuteDeleteAsync(ct);
        stream.Raise(db, Streaming.StreamEvent.AccessOf(viewer.AccountId));
        return (await RenderAsync(viewer with { FollowedTeamIds = viewer.FollowedTeamIds.Where(t => t != team.Id).ToArray() }, [team], ct))[0];
    }

    public async Task<(Team? Team, string? Error)> CreateAsync(string handle, string name, string? description, CancellationToken ct = default)
    {
        handle = handle.Trim().ToLowerInvariant();
        if (!AudienceSpec.IsHandle(handle)) return (null, "The team handle must be 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit.");
        name = name.Trim();
        if (name.Length is 0 or > 100) return (null, "The team name must be 1 to 100 characters long.");
        if (await db.Teams.AnyAsync(t => t.Handle == handle, ct)) return (null, $"A team @{handle} already exists.");
        if (await db.Users.AnyAsync(a => a.NormalizedUserName == handle.ToUpperInvariant(), ct)) return (null, $"@{handle} is already a person's username; choose another handle.");
        try
        {
            // Guests of partner organizations read team descriptions: judged as partners, like profiles.
            await guard.CheckProfileTextAsync(0, "system", "description", description?.Trim() ?? "", null, $"team:{handle}", ct);
        }
        catch (Api.ApiException e)
        {
            return (null, "The description cannot be published: " + e.Message);
        }
        var team = new Team { Id = Snowflake.NewId(), Handle = handle, Name = name, Description = description?.Trim() ?? "", CreatedAt = DateTimeOffset.UtcNow };
        db.Teams.Add(team);
        await db.SaveChangesAsync(ct);
        return (team, null);
    }

    /// <summary>Adds (or updates) a member; members follow their team's channels.</summary>
    public async Task<string?> AddMemberAsync(string teamHandle, string username, bool lead, CancellationToken ct = default)
    {
        var handle = teamHandle.Trim().ToLowerInvariant();
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Handle == handle, ct);
        if (team is null) return $"There is no team @{teamHandle}.";
        var normalized = username.Trim().TrimStart('@').ToUpperInvariant();
        var account = await db.Users.FirstOrDefaultAsync(a => a.NormalizedUserName == normalized, ct);
        if (account is null) return $"There is no user @{username}.";
        if (account.IsGuest) return "A guest of a partner organization cannot be a team member; grant the team to its organization instead.";
        var member = await db.TeamMembers.FirstOrDefaultAsync(m => m.TeamId == team.Id && m.AccountId == account.Id, ct);
        if (member is null)
            db.TeamMembers.Add(new TeamMember { TeamId = team.Id, AccountId = account.Id, IsLead = lead, JoinedAt = DateTimeOffset.UtcNow });
        else
            member.IsLead |= lead;
        if (!await db.TeamFollows.AnyAsync(f => f.TeamId == team.Id && f.AccountId == account.Id, ct))
            db.TeamFollows.Add(new TeamFollow { TeamId = team.Id, AccountId = account.Id, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(ct);
        return null;
    }
}
