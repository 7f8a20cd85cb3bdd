using System.Globalization;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using OpenIddict.Abstractions;

namespace Gazouille.Features.Accounts;

/// <summary>
/// The viewer's own ways in: the apps holding tokens (OpenIddict), personal access tokens, and browser sessions — which
/// are not stored one by one, so "sign out everywhere else" changes the security stamp and keeps this browser's cookie.
/// </summary>
public sealed class SessionsModel(GazouilleDb db, IOpenIddictTokenManager tokens, IOpenIddictApplicationManager applications, UserManager<Account> users,
    SignInManager<Account> signIn, AuditLog audit, Streaming.IEventBus bus, IStringLocalizer<WebText> t) : WebPageModel
{
    public sealed record AppRow(string Id, string Name, DateTimeOffset? Since, int Tokens);
    public sealed record TokenRow(long Id, string Name, string Scopes, DateTimeOffset CreatedAt);

    public List<AppRow> Apps { get; } = [];
    public List<TokenRow> PersonalTokens { get; private set; } = [];
    [TempData] public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var byApp = new Dictionary<string, (DateTimeOffset? Since, int Count)>();
        foreach (var token in await ValidTokensAsync(null, ct))
        {
            var app = await tokens.GetApplicationIdAsync(token, ct) ?? "";
            var created = await tokens.GetCreationDateAsync(token, ct);
            var (since, count) = byApp.GetValueOrDefault(app);
            byApp[app] = (since is null || (created is not null && created < since) ? created : since, count + 1);
        }
        foreach (var (appId, (since, count)) in byApp)
        {
            var app = appId.Length == 0 ? null : await applications.FindByIdAsync(appId, ct);
            var name = app is null ? t["Unknown app"].Value : await applications.GetDisplayNameAsync(app, ct) ?? appId;
            Apps.Add(new AppRow(appId, name, since, count));
        }
        Apps.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.CurrentCultureIgnoreCase));
        var me = Viewer.AccountId;
        PersonalTokens = await db.PersonalAccessTokens.AsNoTracking().Where(p => p.AccountId == me && p.RevokedAt == null).OrderByDescending(p => p.Id)
            .Select(p => new TokenRow(p.Id, p.Name, p.Scopes, p.CreatedAt)).ToListAsync(ct);
    }

    public async Task<IActionResult> OnPostAppAsync([FromForm] string? id, CancellationToken ct)
    {
        var ended = await RevokeTokensAsync(id ?? "", ct);
        if (ended == 0) return NotFound();
        await AuditAsync("account.revoke_app", new { application = id, tokens = ended }, ct);
        Message = t["App signed out."];
        return LocalRedirect("/settings/sessions");
    }

    public async Task<IActionResult> OnPostTokenAsync([FromForm] long id, CancellationToken ct)
    {
        var me = Viewer.AccountId;
        var now = DateTimeOffset.UtcNow;
        if (await db.PersonalAccessTokens.Where(p => p.Id == id && p.AccountId == me && p.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(p => p.RevokedAt, now), ct) == 0)
            return NotFound();
        await AuditAsync("account.revoke_token", new { token = id.ToString(CultureInfo.InvariantCulture) }, ct);
        Message = t["Token revoked."];
        return LocalRedirect("/settings/sessions");
    }

    /// <summary>Every other browser (new security stamp), every app and every personal token; this browser gets a fresh cookie.</summary>
    public async Task<IActionResult> OnPostOthersAsync(CancellationToken ct)
    {
        var account = await users.FindByIdAsync(Viewer.AccountId.ToString(CultureInfo.InvariantCulture)) ?? throw new InvalidOperationException("signed-in account is missing");
        await users.UpdateSecurityStampAsync(account);
        var me = Viewer.AccountId;
        var now = DateTimeOffset.UtcNow;
        long ended = await db.PersonalAccessTokens.Where(p => p.AccountId == me && p.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(p => p.RevokedAt, now), ct);
        ended += await RevokeTokensAsync(null, ct);
        await signIn.RefreshSignInAsync(account);
        await AuditAsync("account.sign_out_elsewhere", new { tokens = ended }, ct);
        Message = t["Signed out everywhere else."];
        return LocalRedirect("/settings/sessions");
    }

    private async Task<List<object>> ValidTokensAsync(string? applicationId, CancellationToken ct)
    {
        var list = new List<object>();
        await foreach (var token in tokens.FindBySubjectAsync(Viewer.AccountId.ToString(CultureInfo.InvariantCulture), ct))
        {
            if (!await tokens.HasStatusAsync(token, OpenIddictConstants.Statuses.Valid, ct)) continue;
            if (await tokens.GetExpirationDateAsync(token, ct) is { } expires && expires < DateTimeOffset.UtcNow) continue;
            var type = await tokens.GetTypeAsync(token, ct);
            if (type is not (OpenIddictConstants.TokenTypeIdentifiers.AccessToken or OpenIddictConstants.TokenTypeIdentifiers.RefreshToken)) continue;
            if (applicationId is not null && await tokens.GetApplicationIdAsync(token, ct) != applicationId) continue;
            list.Add(token);
        }
        return list;
    }

    /// <summary>Revokes the viewer's tokens (of one app, or all); open streams on them end too, on every node.</summary>
    private async Task<int> RevokeTokensAsync(string? applicationId, CancellationToken ct)
    {
        var ended = 0;
        foreach (var token in await ValidTokensAsync(applicationId, ct))
        {
            if (!await tokens.TryRevokeAsync(token, ct)) continue;
            ended++;
            if (await tokens.GetIdAsync(token, ct) is { Length: > 0 } tokenId) bus.Publish(Streaming.StreamEvent.Revoked(tokenId));
        }
        return ended;
    }

    private async Task AuditAsync(string action, object details, CancellationToken ct)
    {
        var me = Viewer.AccountId;
        var name = await db.Users.AsNoTracking().Where(a => a.Id == me).Select(a => a.UserName).FirstAsync(ct);
        await audit.AppendAsync("@" + name, action, $"account:{me}", details, ct);
    }
}
