using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

public sealed record TokenEntity(string AccessToken, string TokenType, string Scope, long CreatedAt);

public sealed record InvitationEntity(string Id, string? Email, string? Partner, string CreatedAt, string ExpiresAt, string State, string? Url);

/// <summary>Mastodon's <c>POST /api/v1/accounts</c> and our invitations, under the same sign-up rules as the web page.</summary>
public static class RegistrationApi
{
    public static IEndpointRouteBuilder MapRegistrationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/accounts", Register).AllowAnonymous().WithTags("Accounts");
        var invitations = app.MapGroup("/api/v1/gazouille/invitations").WithTags("Invitations");
        invitations.MapPost("/", Invite).RequireScope("write:accounts");
        invitations.MapGet("/", List).RequireScope("read:accounts");
        invitations.MapDelete("/{id}", Revoke).RequireScope("write:accounts");
        return app;
    }

    private static async Task<Ok<TokenEntity>> Register(ApiParams p, SignUpPolicy policy, GazouilleDb db, CancellationToken ct)
    {
        var username = p.Get("username") ?? "";
        var email = p.Get("email") ?? "";
        var password = p.Get("password") ?? "";
        if (username.Length == 0 || email.Length == 0 || password.Length == 0)
            throw ApiException.Unprocessable("Validation failed: username, email and password are required");
        if (p.GetBool("agreement") == false)
            throw ApiException.Unprocessable("Validation failed: you must accept the rules of the instance (agreement)");
        var (account, error) = await policy.SignUpAsync(new SignUpRequest(username, email, p.Get("display_name"), password, p.Get("invite_code")), ct);
        if (account is null) throw ApiException.Unprocessable("Validation failed: " + error);
        if (p.Get("locale") is "en" or "fr")
            await db.Users.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, p.Get("locale")!), ct);
        var (scopes, unknown) = Scopes.Parse(p.Get("scope") ?? p.Get("scopes"), "read write follow push");
        if (unknown is not null) throw ApiException.Unprocessable($"Validation failed: unknown scope {unknown}");
        var token = await PersonalAccessTokens.CreateAsync(db, account.Id, scopes, "sign-up", ct);
        return TypedResults.Ok(new TokenEntity(token, "Bearer", string.Join(' ', scopes), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }

    /// <summary>Admins and team leads invite; a partner invitation (admins only here) makes a guest of that organization.</summary>
    private static async Task<Ok<InvitationEntity>> Invite(HttpContext http, ApiParams p, SignUpPolicy policy, GazouilleDb db, InstanceUrls urls, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var isLead = await db.TeamMembers.AnyAsync(m => m.AccountId == viewer.AccountId && m.IsLead, ct);
        if (!viewer.IsAdmin && !isLead) throw ApiException.Forbidden("Only administrators and team leads can invite people");
        var email = p.Get("email")?.Trim();
        if (email is { Length: > 0 } && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
            throw ApiException.Unprocessable("Validation failed: email is not a valid address");
        var days = p.GetInt("expires_in_days") ?? 7;
        if (days is < 1 or > 90) throw ApiException.Unprocessable("Validation failed: expires_in_days must be between 1 and 90");
        long? orgId = null;
        if (p.Get("partner") is { Length: > 0 } handle)
        {
            if (!viewer.IsAdmin) throw ApiException.Forbidden("Only administrators can invite guests of a partner organization");
            orgId = await db.PartnerOrgs.Where(o => o.Handle == handle.Trim().ToLowerInvariant()).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct)
                ?? throw ApiException.Unprocessable($"Validation failed: there is no partner organization {handle}");
        }
        var (invitation, code) = await policy.InviteAsync(viewer.AccountId, email, orgId, TimeSpan.FromDays(days), ct);
        return TypedResults.Ok(Render(invitation, p.Get("partner"), DateTimeOffset.UtcNow, $"{urls.Base}/auth/sign_up?invite={Uri.EscapeDataString(code)}"));
    }

    private static async Task<Ok<List<InvitationEntity>>> List(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var query = db.Invitations.AsNoTracking();
        if (!viewer.IsAdmin) query = query.Where(i => i.CreatedById == viewer.AccountId);
        var rows = await query.OrderByDescending(i => i.Id).Take(200).ToListAsync(ct);
        var orgIds = rows.Where(r => r.PartnerOrgId is not null).Select(r => r.PartnerOrgId!.Value).Distinct().ToList();
        var orgs = await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Handle, ct);
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(rows.Select(r => Render(r, r.PartnerOrgId is { } o ? orgs.GetValueOrDefault(o) : null, now, null)).ToList());
    }

    private static async Task<Results<NoContent, NotFound<ApiError>>> Revoke(string id, HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (!Ids.TryParse(id, out var iid)) return TypedResults.NotFound(ApiError.NotFound);
        var now = DateTimeOffset.UtcNow;
        var changed = await db.Invitations.Where(i => i.Id == iid && i.UsedAt == null && i.RevokedAt == null && (viewer.IsAdmin || i.CreatedById == viewer.AccountId))
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.RevokedAt, now), ct);
        return changed == 0 ? TypedResults.NotFound(ApiError.NotFound) : TypedResults.NoContent();
    }

    private static InvitationEntity Render(Invitation i, string? partner, DateTimeOffset now, string? url) =>
        new(Ids.Format(i.Id), i.Email, partner, AccountRenderer.Iso(i.CreatedAt), AccountRenderer.Iso(i.ExpiresAt),
            i.UsedAt is not null ? "used" : i.RevokedAt is not null ? "revoked" : i.ExpiresAt <= now ? "expired" : "pending", url);
}
