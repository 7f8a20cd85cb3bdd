using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Features.Mail;
using Gazouille.Features.RateLimits;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

public sealed record TokenEntity(string AccessToken, string TokenType, string Scope, long CreatedAt);

/// <summary>An invitation; <c>url</c> is given to the inviter unless the link went by mail, <c>mail</c> says what happened to it.</summary>
public sealed record InvitationEntity(string Id, string? Email, string? Partner, string CreatedAt, string ExpiresAt, string State, string? Url)
{
    /// <summary>sent (by SMTP), logged (no SMTP server: the link is in the server log and here), failed (SMTP refused it: use the link here).</summary>
    public string? Mail { get; init; }
}

/// <summary>Mastodon's <c>POST /api/v1/accounts</c> and our invitations, under the same sign-up rules as the web page.</summary>
public static class RegistrationApi
{
    public static IEndpointRouteBuilder MapRegistrationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/accounts", Register).AllowAnonymous().RequireRateLimit(RateLimitBucket.SignUp).WithTags("Accounts");
        var invitations = app.MapGroup("/api/v1/gazouille/invitations").WithTags("Invitations");
        invitations.MapPost("/", Invite).RequireScope("write:accounts");
        invitations.MapGet("/", List).RequireScope("read:accounts");
        invitations.MapDelete("/{id}", Revoke).RequireScope("write:accounts");
        return app;
    }

    private static async Task<Ok<TokenEntity>> Register(HttpRequest request, ApiParams p, SignUpPolicy policy, GazouilleDb db, CancellationToken ct)
    {
        var username = p.Get("username") ?? "";
        var email = p.Get("email") ?? "";
        var password = p.Get("password") ?? "";
        if (username.Length == 0 || email.Length == 0 || password.Length == 0)
            throw ApiException.Unprocessable("Validation failed: username, email and password are required");
        if (p.GetBool("agreement") == false)
            throw ApiException.Unprocessable("Validation failed: you must accept the rules of the instance (agreement)");
        var (account, error) = await policy.SignUpAsync(new SignUpRequest(username, email, p.Get("display_name"), password, p.Get("invite_code")), ct);
        if (account is null) throw ApiException.Unprocessable("Validation failed: " + Trust.ImpersonationGuard.InLanguage(error ?? "", p.Get("locale"), request));
        if (p.Get("locale") is "en" or "fr")
            await db.Users.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, p.Get("locale")!), ct);
        var (scopes, unknown) = Scopes.Parse(p.Get("scope") ?? p.Get("scopes"), "read write follow push");
        if (unknown is not null) throw ApiException.Unprocessable($"Validation failed: unknown scope {unknown}");
        var token = await PersonalAccessTokens.CreateAsync(db, account.Id, scopes, "sign-up", ct);
        return TypedResults.Ok(new TokenEntity(token, "Bearer", string.Join(' ', scopes), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }

    /// <summary>
    /// Admins and team leads invite. A partner invitation makes a guest of that organization: admins may invite for any
    /// organization, a team lead for an organization its team shares its channel with. The link goes by mail when an
    /// address is given and SMTP is configured; otherwise it is shown to the inviter and written to the log.
    /// </summary>
    private static async Task<Ok<InvitationEntity>> Invite(HttpContext http, ApiParams p, SignUpPolicy policy, GazouilleDb db, InstanceUrls urls,
        MailSender mail, ViewerLoader viewers, ILogger<SignUpPolicy> logger, CancellationToken ct)
    {
        var viewer = http.Viewer();
        var ledTeams = await db.TeamMembers.Where(m => m.AccountId == viewer.AccountId && m.IsLead).Select(m => m.TeamId).ToListAsync(ct);
        if (!viewer.IsAdmin && (ledTeams.Count == 0 || !viewer.IsEmployee)) throw ApiException.Forbidden("Only administrators and team leads can invite people");
        var email = p.Get("email")?.Trim();
        if (email is { Length: > 0 } && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal) || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            || !MimeKit.MailboxAddress.TryParse(email, out _)))
            throw ApiException.Unprocessable("Validation failed: email is not a valid address");
        var days = p.GetInt("expires_in_days") ?? 7;
        if (days is < 1 or > 90) throw ApiException.Unprocessable("Validation failed: expires_in_days must be between 1 and 90");
        long? orgId = null;
        string? orgName = null;
        if (p.Get("partner") is { Length: > 0 } handle)
        {
            var org = await db.PartnerOrgs.AsNoTracking().Where(o => o.Handle == handle.Trim().ToLowerInvariant()).Select(o => new { o.Id, o.Name }).FirstOrDefaultAsync(ct)
                ?? throw ApiException.Unprocessable($"Validation failed: there is no partner organization {handle}");
            if (!viewer.IsAdmin && !(await viewers.ActiveGrantedTeamsAsync(org.Id, ct)).Intersect(ledTeams).Any())
                throw ApiException.Forbidden("Team leads invite guests only of the partner organizations their team shares its channel with");
            (orgId, orgName) = (org.Id, org.Name);
        }
        var (invitation, code) = await policy.InviteAsync(viewer.AccountId, email, orgId, TimeSpan.FromDays(days), ct);
        var link = $"{urls.Base}/auth/sign_up?invite={Uri.EscapeDataString(code)}";
        string? mailed = null;
        if (email is { Length: > 0 })
        {
            var inviter = await db.Users.AsNoTracking().Where(a => a.Id == viewer.AccountId).Select(a => a.DisplayName.Length > 0 ? a.DisplayName : a.UserName).FirstAsync(ct);
            var body = $"""
                {inviter} vous invite sur Gazouille{(orgName is null ? "" : $" en tant qu'invité de {orgName}")}.
                {inviter} invites you to Gazouille{(orgName is null ? "" : $" as a guest of {orgName}")}.

                {link}

                Ce lien ne sert qu'une fois et expire le {invitation.ExpiresAt:yyyy-MM-dd}. · This link works once and expires on {invitation.ExpiresAt:yyyy-MM-dd}.
                """;
            try
            {
                mailed = await mail.SendAsync(new OutgoingMail(email, "Invitation à Gazouille · Invitation to Gazouille", body), ct) ? "sent" : "logged";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The invitation exists; the inviter gets the link instead of an error.
                logger.LogWarning(e, "The invitation mail to {Email} could not be sent", email);
                mailed = "failed";
            }
        }
        else
        {
            logger.LogInformation("Invitation {Id} created without an e-mail address; its link was shown to the inviter", invitation.Id);
        }
        return TypedResults.Ok(Render(invitation, p.Get("partner"), DateTimeOffset.UtcNow, mailed == "sent" ? null : link) with { Mail = mailed });
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
