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
        // Mastodon answers 403 to an account pending approval; here it gets no token at all until an admin approves it.
        if (account.PendingApproval) throw ApiException.Forbidden(SignUpPolicy.PendingApproval);
        if (p.Get("locale") is "en" or "fr")
            await db.Users.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, p.Get("locale")!), ct);
        var (scopes, unknown) = Scopes.Parse(p.Get("scope") ?? p.Get("scopes"), "read write follow push");
        if (unknown is not null) throw ApiException.Unprocessable($"Validation failed: unknown scope {unknown}");
        var token = await PersonalAccessTokens.CreateAsync(db, account.Id, scopes, "sign-up", ct);
        return TypedResults.Ok(new TokenEntity(token, "Bearer", string.Join(' ', scopes), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }

    /// <summary>See <see cref="InvitationDesk"/> for who may invite whom and where the link goes.</summary>
    private static async Task<Ok<InvitationEntity>> Invite(HttpContext http, ApiParams p, InvitationDesk invitations, CancellationToken ct) =>
        TypedResults.Ok(await invitations.InviteAsync(http.Viewer(), p.Get("email"), p.GetInt("expires_in_days"), p.Get("partner"), ct));

    private static async Task<Ok<List<InvitationEntity>>> List(HttpContext http, InvitationDesk invitations, CancellationToken ct) =>
        TypedResults.Ok(await invitations.ListAsync(http.Viewer(), null, 200, ct));

    private static async Task<Results<NoContent, NotFound<ApiError>>> Revoke(string id, HttpContext http, InvitationDesk invitations, CancellationToken ct) =>
        Ids.TryParse(id, out var iid) && await invitations.RevokeAsync(http.Viewer(), iid, ct) ? TypedResults.NoContent() : TypedResults.NotFound(ApiError.NotFound);
}
