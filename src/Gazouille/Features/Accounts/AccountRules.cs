using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

/// <summary>Rules that the server and the admin commands must apply identically.</summary>
public static class AccountRules
{
    /// <summary>Usernames, unique e-mails, passwords (length over complexity, as NIST advises) and lockout.</summary>
    public static void ConfigureIdentity(IdentityOptions o)
    {
        o.User.RequireUniqueEmail = true;
        o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        o.Password.RequiredLength = 10;
        o.Password.RequireDigit = false;
        o.Password.RequireLowercase = false;
        o.Password.RequireUppercase = false;
        o.Password.RequireNonAlphanumeric = false;
        o.Lockout.MaxFailedAccessAttempts = 5;
        o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        o.Lockout.AllowedForNewUsers = true;
        o.ClaimsIdentity.UserIdClaimType = System.Security.Claims.ClaimTypes.NameIdentifier;
    }

    /// <summary>A granted team's channel lands on its partner's guests' home timelines: they follow it (changes are added, not saved).</summary>
    public static async Task FollowTeamForGuestsAsync(GazouilleDb db, long teamId, long partnerOrgId, DateTimeOffset now, CancellationToken ct)
    {
        var guests = await db.Users.Where(a => a.PartnerOrgId == partnerOrgId).Select(a => a.Id).ToListAsync(ct);
        var following = await db.TeamFollows.Where(f => f.TeamId == teamId && guests.Contains(f.AccountId)).Select(f => f.AccountId).ToListAsync(ct);
        db.TeamFollows.AddRange(guests.Except(following).Select(g => new TeamFollow { TeamId = teamId, AccountId = g, CreatedAt = now }));
    }
}
