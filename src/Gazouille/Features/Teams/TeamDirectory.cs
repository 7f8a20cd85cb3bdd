using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Statuses;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Teams;

/// <summary>Creates teams and memberships with the same checks for the CLI, the API and the demo.</summary>
public sealed class TeamDirectory(GazouilleDb db, LeakGate guard)
{
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
