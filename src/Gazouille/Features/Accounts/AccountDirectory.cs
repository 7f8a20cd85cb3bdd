using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

public sealed record NewAccount(string Username, string Email, string? DisplayName, AccountRole Role, string? PartnerOrg, string? Password)
{
    /// <summary>Created as an official account by an administrator: exempt from the impersonation guard.</summary>
    public bool Official { get; init; }
}

/// <summary>Creates accounts for the CLI, sign-up and the demo, with the same checks everywhere.</summary>
public sealed partial class AccountDirectory(GazouilleDb db, UserManager<Account> users, Trust.ImpersonationGuard impersonation)
{
    [GeneratedRegex("^[A-Za-z0-9_]{1,30}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex UsernamePattern();

    /// <summary>Creates the account; returns it with the password that was set (generated when none was given), or an error.</summary>
    public async Task<(Account? Account, string? Password, string? Error)> CreateAsync(NewAccount input, CancellationToken ct = default)
    {
        var username = input.Username.Trim();
        if (!UsernamePattern().IsMatch(username))
            return (null, null, "The username must be 1 to 30 letters, digits or underscores (no spaces or accents).");
        if (await db.Teams.AnyAsync(t => t.Handle == username.ToLowerInvariant(), ct))
            return (null, null, $"@{username} is already a team's handle; choose another username.");
        var email = input.Email.Trim();
        if (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace) || email.Any(char.IsControl))
            return (null, null, "The e-mail address is not valid.");
        var displayName = (input.DisplayName ?? username).Trim();
        if (ProfileText.CheckDisplayName(displayName) is { } nameError) return (null, null, nameError);

        long? orgId = null;
        if (!string.IsNullOrWhiteSpace(input.PartnerOrg))
        {
            var handle = input.PartnerOrg.Trim().ToLowerInvariant();
            orgId = await db.PartnerOrgs.Where(o => o.Handle == handle).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
            if (orgId is null) return (null, null, $"There is no partner organization '{input.PartnerOrg}'; create it first with admin create-partner.");
            if (input.Role != AccountRole.Employee) return (null, null, "A guest of a partner organization cannot be a moderator or an admin.");
        }
        if (!input.Official && await impersonation.CheckAsync(null, orgId, [username, displayName], ct) is { } lookalike) return (null, null, lookalike);

        var password = input.Password ?? GeneratePassword();
        var account = new Account
        {
            Id = Snowflake.NewId(), UserName = username, Email = email, EmailConfirmed = true, DisplayName = displayName,
            Role = input.Role, PartnerOrgId = orgId, CreatedAt = DateTimeOffset.UtcNow, Official = input.Official && orgId is null,
            DefaultAudience = orgId is null ? "company" : "direct",
        };
        var result = await users.CreateAsync(account, password);
        if (!result.Succeeded) return (null, null, string.Join(" ", result.Errors.Select(e => Explain(e))));
        if (orgId is { } org)
        {
            // A new guest follows the channels already shared with its organization, like the guests there before it.
            var now = DateTimeOffset.UtcNow;
            var granted = (await db.PartnerGrants.AsNoTracking().Where(g => g.PartnerOrgId == org && g.RevokedAt == null).Select(g => new { g.TeamId, g.ExpiresAt }).ToListAsync(ct))
                .Where(g => g.ExpiresAt is null || g.ExpiresAt > now).Select(g => g.TeamId).Distinct();
            db.TeamFollows.AddRange(granted.Select(t => new TeamFollow { TeamId = t, AccountId = account.Id, CreatedAt = now }));
            await db.SaveChangesAsync(ct);
        }
        return (account, password, null);
    }

    private static string Explain(IdentityError e) => e.Code switch
    {
        "DuplicateUserName" => "That username is already taken.",
        "DuplicateEmail" => "An account already uses that e-mail address.",
        "PasswordTooShort" => "The password must be at least 10 characters long.",
        "InvalidUserName" => "The username may only hold letters, digits and underscores.",
        "InvalidEmail" => "The e-mail address is not valid.",
        _ => e.Description,
    };

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');
}

/// <summary>Checks for names and bios that people type.</summary>
public static class ProfileText
{
    public static string? CheckDisplayName(string name)
    {
        // Invisible characters alone (zero-width spaces, joiners) make a name nobody can read or click.
        if (Statuses.StatusText.IsInvisible(name)) return "The display name can't be blank.";
        if (name.EnumerateRunes().Count() > 60) return "The display name is too long (maximum is 60 characters).";
        // Bidirectional embeddings, overrides and isolates would turn the text around the name on every page
        // ("Trojan Source"); right-to-left names need none of them.
        return HasInvalidCharacters(name) || name.Any(IsBidiControl) ? "The display name contains invalid characters." : null;
    }

    /// <summary>U+202A–U+202E (embeddings, overrides) and U+2066–U+2069 (isolates); the marks U+200E/U+200F stay allowed.</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    public static string? CheckBio(string bio) =>
        bio.EnumerateRunes().Count() > 500 ? "The bio is too long (maximum is 500 characters)."
        : HasInvalidCharacters(bio, allowNewlines: true) ? "The bio contains invalid characters." : null;

    private static bool HasInvalidCharacters(string s, bool allowNewlines = false)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return true;
            if (char.IsControl(c) && !(allowNewlines && c is '\n' or '\r' or '\t')) return true;
        }
        return false;
    }
}
