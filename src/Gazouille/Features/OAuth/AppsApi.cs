using System.Security.Cryptography;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gazouille.Features.OAuth;

public sealed record ApplicationEntity(
    string Id, string Name, string? Website, string[] Scopes, string RedirectUri, string[] RedirectUris,
    string? ClientId, string? ClientSecret, long ClientSecretExpiresAt, string VapidKey);

/// <summary>Mastodon's app registration (<c>POST /api/v1/apps</c>), backed by OpenIddict applications.</summary>
public static class AppsApi
{
    public static RouteGroupBuilder MapAppsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/apps").WithTags("Apps");
        group.MapPost("/", CreateApp).AllowAnonymous();
        group.MapGet("/verify_credentials", VerifyCredentials).RequireAuthorization();
        return group;
    }

    private static async Task<Results<Ok<ApplicationEntity>, UnprocessableEntity<ApiError>>> CreateApp(
        ApiParams p, IOpenIddictApplicationManager apps, GazouilleDb db, CancellationToken ct)
    {
        var name = p.Get("client_name")?.Trim();
        if (string.IsNullOrEmpty(name)) return Invalid("client_name can't be blank");
        if (name.Length > 200) return Invalid("client_name is too long (maximum is 200 characters)");
        var rawUris = p.GetAll("redirect_uris").SelectMany(u => u.Split(['\n', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToArray();
        if (rawUris.Length == 0) return Invalid("redirect_uris can't be blank");
        if (rawUris.Length > 10) return Invalid("redirect_uris has too many entries (maximum is 10)");
        foreach (var uri in rawUris)
        {
            if (!IsAcceptableRedirect(uri)) return Invalid($"redirect_uris contains an invalid URI: {Truncate(uri)}");
        }
        var (scopes, unknown) = Scopes.Parse(p.Get("scopes"));
        if (unknown is not null) return Invalid($"scopes contains an unknown scope: {Truncate(unknown)}");
        var website = p.Get("website")?.Trim();
        if (website is { Length: > 0 } && (!Uri.TryCreate(website, UriKind.Absolute, out var w) || (w.Scheme != "https" && w.Scheme != "http")))
            return Invalid("website must be an http(s) URL");

        var clientId = Base64Url(RandomNumberGenerator.GetBytes(24));
        var clientSecret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = name,
            ConsentType = ConsentTypes.Explicit,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.ClientCredentials, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
            },
        };
        foreach (var s in Scopes.Expand(scopes)) descriptor.Permissions.Add(Permissions.Prefixes.Scope + s);
        foreach (var uri in rawUris) descriptor.RedirectUris.Add(new Uri(uri));
        await apps.CreateAsync(descriptor, ct);

        var row = new ClientApp
        {
            Id = Snowflake.NewId(), ClientId = clientId, Name = name, Website = website,
            Scopes = string.Join(' ', scopes), RedirectUris = string.Join('\n', rawUris), CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ClientApps.Add(row);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new ApplicationEntity(Ids.Format(row.Id), name, website, scopes, string.Join('\n', rawUris), rawUris,
            clientId, clientSecret, 0, ""));
    }

    private static async Task<Results<Ok<ApplicationEntity>, UnauthorizedHttpResult>> VerifyCredentials(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var clientId = http.User.GetClaim(Claims.ClientId) ?? http.User.GetPresenters().FirstOrDefault();
        var app = clientId is null ? null : await db.ClientApps.AsNoTracking().FirstOrDefaultAsync(a => a.ClientId == clientId, ct);
        if (app is null) return TypedResults.Unauthorized();
        var uris = app.RedirectUris.Split('\n');
        return TypedResults.Ok(new ApplicationEntity(Ids.Format(app.Id), app.Name, app.Website, app.Scopes.Split(' '), app.RedirectUris, uris, null, null, 0, ""));
    }

    private static bool IsAcceptableRedirect(string uri)
    {
        if (uri == OutOfBandRedirect.Uri) return true;
        if (uri.Length > 2000 || !Uri.TryCreate(uri, UriKind.Absolute, out var u) || !string.IsNullOrEmpty(u.Fragment)) return false;
        return u.Scheme is not ("javascript" or "data" or "vbscript" or "file");
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;

    private static UnprocessableEntity<ApiError> Invalid(string message) => TypedResults.UnprocessableEntity(new ApiError("Validation failed: " + message));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
