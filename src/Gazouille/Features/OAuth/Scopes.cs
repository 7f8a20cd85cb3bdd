using Gazouille.Hosting;
using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;

namespace Gazouille.Features.OAuth;

/// <summary>Mastodon's OAuth scopes: the four top-level ones and their granular forms.</summary>
public static class Scopes
{
    public static readonly string[] TopLevel = ["read", "write", "follow", "push", "profile"];

    public static readonly string[] Granular =
    [
        "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters", "read:follows",
        "read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
        "write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
        "write:filters", "write:follows", "write:lists", "write:media", "write:mutes", "write:notifications",
        "write:reports", "write:statuses",
    ];

    public static readonly string[] All = [.. TopLevel, .. Granular];

    private static readonly HashSet<string> FollowCovered =
        ["read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);

    /// <summary>Parses a space- or plus-separated scope list; unknown scopes are reported, not dropped silently.</summary>
    public static (string[] Scopes, string? Unknown) Parse(string? raw, string fallback = "read")
    {
        var list = (string.IsNullOrWhiteSpace(raw) ? fallback : raw)
            .Split([' ', '+'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToArray();
        var unknown = list.FirstOrDefault(s => !IsKnown(s));
        return (list, unknown);
    }

    /// <summary>Whether a granted set of scopes allows an action that needs <paramref name="needed"/>.</summary>
    public static bool Allows(IEnumerable<string> granted, string needed)
    {
        foreach (var g in granted)
        {
            if (g == needed) return true;
            var colon = needed.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && g == needed[..colon]) return true;
            if (g == "follow" && FollowCovered.Contains(needed)) return true;
        }
        return false;
    }

    /// <summary>Every scope a client registered with <paramref name="registered"/> may ask for (granular forms included).</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> registered)
    {
        var set = registered.ToHashSet(StringComparer.Ordinal);
        return All.Where(s => set.Contains(s) || Allows(set, s));
    }
}

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary>Checks OAuth scopes for bearer tokens; a browser session (cookie) holds every scope of its user.</summary>
public sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement>
{
    public const string CookieScheme = "Identity.Application";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        // An app's own token (client_credentials) acts for no account, so it holds no account scope.
        if (user.Identity?.IsAuthenticated != true || user.AccountId() is null) return Task.CompletedTask;
        if (user.Identity.AuthenticationType == CookieScheme || Scopes.Allows(user.GetScopes(), requirement.Scope))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class ScopeEndpointExtensions
{
    /// <summary>The endpoint needs a signed-in user whose token carries <paramref name="scope"/> (or its parent).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
}
