using System.Globalization;
using System.Security.Claims;
using System.Text;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Audit;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Sso;

/// <summary>Why a person the provider vouched for may not sign in; each has a sentence in WebText.</summary>
public enum SsoRefusal
{
    None,
    /// <summary>The provider's answer had no subject (or no e-mail, for a first sign-in).</summary>
    MissingClaims,
    EmailNotVerified,
    DomainNotAllowed,
    /// <summary>The e-mail is a partner guest's: guests sign in with their password.</summary>
    GuestAccount,
    Suspended,
    PendingApproval,
    /// <summary>The account could not be made (a name refused by the impersonation guard, say): see the detail.</summary>
    CannotCreate,
}

public sealed record SsoOutcome(Account? Account, SsoRefusal Refusal, string? Detail = null);

/// <summary>
/// The account behind a provider's answer: the one already linked to that login (AspNetUserLogins), else the employee
/// with that verified e-mail (linked now), else a new employee when the e-mail's domain is allowed. Roles follow the
/// provider's claims on every sign-in when the provider maps roles; each change is audited.
/// </summary>
public sealed class SsoAccounts(GazouilleDb db, UserManager<Account> users, AccountDirectory directory, AuditLog audit, IOptions<GazouilleSettings> settings)
{
    public async Task<SsoOutcome> ResolveAsync(string key, SsoProviderSettings provider, ClaimsPrincipal external, CancellationToken ct)
    {
        var subject = external.FindFirst(provider.SubjectClaim)?.Value;
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 200) return new(null, SsoRefusal.MissingClaims);
        var actor = "sso:" + key;
        var account = await users.FindByLoginAsync(key, subject);
        if (account is null)
        {
            var email = external.FindFirst(provider.EmailClaim)?.Value.Trim();
            if (string.IsNullOrEmpty(email) || email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)) return new(null, SsoRefusal.MissingClaims);
            if (EmailVerified(external, provider) == false) return new(null, SsoRefusal.EmailNotVerified);
            if (!IsAllowedDomain(provider, email)) return new(null, SsoRefusal.DomainNotAllowed);
            account = await users.FindByEmailAsync(email);
            if (account is { IsGuest: true }) return new(null, SsoRefusal.GuestAccount);
            if (account is { PendingApproval: true }) return new(null, SsoRefusal.PendingApproval);
            if (account is { Suspended: true }) return new(null, SsoRefusal.Suspended);
            if (account is null)
            {
                var (created, error) = await CreateAsync(key, provider, external, email, ct);
                if (created is null) return new(null, SsoRefusal.CannotCreate, error);
                account = created;
            }
            var linked = await users.AddLoginAsync(account, new UserLoginInfo(key, subject, provider.DisplayName));
            if (!linked.Succeeded)
            {
                // Two first sign-ins raced: the other one linked the login; use what it linked.
                account = await users.FindByLoginAsync(key, subject);
                if (account is null) return new(null, SsoRefusal.CannotCreate, string.Join(" ", linked.Errors.Select(e => e.Description)));
            }
        }
        if (account.PendingApproval) return new(null, SsoRefusal.PendingApproval);
        if (account.Suspended) return new(null, SsoRefusal.Suspended);
        if (provider.MapsRoles && !account.IsGuest)
        {
            var role = MappedRole(provider, external);
            if (role != account.Role)
            {
                var previous = account.Role;
                account.Role = role;
                // Saved with its audit entry, in one transaction.
                await audit.AppendAsync(actor, "account.role", $"account:{account.Id}",
                    new { from = Name(previous), to = Name(role), method = "sso" }, ct);
            }
        }
        return new(account, SsoRefusal.None);
    }

    public static AccountRole MappedRole(SsoProviderSettings provider, ClaimsPrincipal external)
    {
        var values = external.FindAll(provider.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return provider.AdminValues.Any(values.Contains) ? AccountRole.Admin
            : provider.ModeratorValues.Any(values.Contains) ? AccountRole.Moderator
            : AccountRole.Employee;
    }

    /// <summary>True or false when the provider says so, null when it does not (Entra ID sends no such claim).</summary>
    private static bool? EmailVerified(ClaimsPrincipal external, SsoProviderSettings provider) =>
        external.FindFirst(provider.EmailVerifiedClaim)?.Value is { } value ? string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase) : null;

    public bool IsAllowedDomain(SsoProviderSettings provider, string email)
    {
        var domains = provider.AllowedDomains.Count > 0 ? provider.AllowedDomains : settings.Value.SignUp.AllowedDomains;
        var domain = email[(email.LastIndexOf('@') + 1)..].Trim();
        return domain.Length > 0 && domains.Any(d => string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase));
    }

    private async Task<(Account? Account, string? Error)> CreateAsync(string key, SsoProviderSettings provider, ClaimsPrincipal external, string email, CancellationToken ct)
    {
        var username = await FreeUsernameAsync(email, ct);
        var role = provider.MapsRoles ? MappedRole(provider, external) : AccountRole.Employee;
        var name = external.FindFirst(provider.NameClaim)?.Value.Trim();
        var (account, _, error) = await directory.CreateAsync(new NewAccount(username, email, string.IsNullOrEmpty(name) ? null : name, role, null, null), ct);
        // A name the impersonation guard or the length rule refuses is no reason to keep someone out: the username stands in.
        if (account is null && !string.IsNullOrEmpty(name))
            (account, _, error) = await directory.CreateAsync(new NewAccount(username, email, null, role, null, null), ct);
        if (account is null) return (null, error);
        var pending = settings.Value.SignUp.RequireApproval;
        if (pending)
        {
            // As for sign-up: suspended too, so that every path hiding suspended accounts hides it until it is approved.
            account.PendingApproval = true;
            account.Suspended = true;
        }
        await audit.AppendAsync("sso:" + key, "account.create", $"account:{account.Id}",
            new { method = "sso", username = account.UserName, role = Name(role), pending_approval = pending }, ct);
        return (account, null);
    }

    /// <summary>The e-mail's local part as a username (letters, digits, underscores), numbered when taken.</summary>
    private async Task<string> FreeUsernameAsync(string email, CancellationToken ct)
    {
        var local = email[..email.LastIndexOf('@')].Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder();
        foreach (var c in local)
        {
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(c);
            else if (c is '.' or '-' or '_' or '+' && builder.Length > 0 && builder[^1] != '_') builder.Append('_');
        }
        var stem = builder.ToString().Trim('_');
        if (stem.Length == 0) stem = "user";
        if (stem.Length > 26) stem = stem[..26];
        for (var n = 1; n < 1000; n++)
        {
            var candidate = n == 1 ? stem : stem + n.ToString(CultureInfo.InvariantCulture);
            var lower = candidate.ToLowerInvariant();
            if (await users.FindByNameAsync(candidate) is null && !await db.Teams.AnyAsync(t => t.Handle == lower, ct)) return candidate;
        }
        return stem + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
    }

    private static string Name(AccountRole role) => role.ToString().ToLowerInvariant();
}
