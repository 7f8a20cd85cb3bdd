using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace Gazouille.Features.OAuth;

/// <summary>
/// Bearer tokens minted by an admin (<c>gazouille admin create-token</c>) for scripts and tests, beside OAuth tokens.
/// They start with <c>gzl_</c>, are shown once, and only their SHA-256 is stored.
/// </summary>
public static class PersonalAccessTokens
{
    public const string Prefix = "gzl_";
    public const string Scheme = "PersonalAccessToken";

    public static async Task<string> CreateAsync(GazouilleDb db, long accountId, string[] scopes, string name, CancellationToken ct = default)
    {
        var token = Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        db.PersonalAccessTokens.Add(new PersonalAccessToken
        {
            Id = Snowflake.NewId(),
            AccountId = accountId,
            TokenHash = Hash(token),
            Scopes = string.Join(' ', scopes),
            Name = name,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    public static async Task<bool> RevokeAsync(GazouilleDb db, string token, CancellationToken ct = default)
    {
        var hash = Hash(token);
        var row = await db.PersonalAccessTokens.FirstOrDefaultAsync(t => t.TokenHash == hash && t.RevokedAt == null, ct);
        if (row is null) return false;
        row.RevokedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        return true;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool LooksLikeOne(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer " + Prefix, StringComparison.OrdinalIgnoreCase);
}

public sealed class PersonalAccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, GazouilleDb db,
    PersonalAccessTokenHandler.Queries queries, AccessCache cache, AccessCache.RequestEpoch epoch)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    internal sealed record TokenRow(long Id, long AccountId, string Scopes);

    /// <summary>
    /// Compiled once per server (a singleton, not a static: a compiled query belongs to one model, and one process may
    /// host servers on SQLite and on PostgreSQL): every request that carries a personal token runs it.
    /// </summary>
    public sealed class Queries
    {
        internal readonly Func<GazouilleDb, string, CancellationToken, Task<TokenRow?>> ActiveToken = EF.CompileAsyncQuery(
            (GazouilleDb db, string hash, CancellationToken ct) => db.PersonalAccessTokens.AsNoTracking()
                .Where(t => t.TokenHash == hash && t.RevokedAt == null)
                .Select(t => new TokenRow(t.Id, t.AccountId, t.Scopes))
                .FirstOrDefault());
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (!PersonalAccessTokens.LooksLikeOne(header)) return AuthenticateResult.NoResult();
        var hash = PersonalAccessTokens.Hash(header!["Bearer ".Length..].Trim());
        var seen = await epoch.ReadAsync();
        if (!cache.TryGetToken(hash, seen, out var token))
        {
            var since = cache.Start();
            var row = await queries.ActiveToken(db, hash, Context.RequestAborted);
            if (row is null) return AuthenticateResult.Fail("The access token is invalid");
            token = new AccessCache.TokenAccess(row.Id, row.AccountId, row.Scopes);
            cache.StoreToken(hash, token, since, seen);
        }

        var identity = new ClaimsIdentity(PersonalAccessTokens.Scheme);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, token.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, PersonalAccessTokens.Scheme));
    }
}
