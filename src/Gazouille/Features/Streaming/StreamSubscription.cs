using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Streaming;

/// <summary>
/// One stream of a connection (Mastodon's names plus <c>company</c> and <c>team</c>) and the rule saying which posts it
/// carries. The rule only narrows: every event first passes <see cref="Visibility"/> for the connection's viewer.
/// </summary>
public sealed record StreamSubscription(string Name, string? Tag = null, long? TeamId = null, string? TeamHandle = null)
{
    public const int MaxParameterLength = 100;

    /// <summary>Mastodon's names, then ours. <c>list</c> is known but lists do not exist here: it answers "not found".</summary>
    public static readonly string[] Names =
        ["user", "user:notification", "public", "public:local", "public:remote", "hashtag", "hashtag:local", "list", "company", "team"];

    /// <summary>The <c>stream</c> array of a WebSocket message: the name, then the tag or team.</summary>
    public string[] Stream => Tag is not null ? [Name, Tag] : TeamHandle is not null ? [Name, TeamHandle] : [Name];

    public bool CarriesNotifications => Name is "user" or "user:notification";

    /// <summary>Does this stream carry the post (already known visible to the viewer)? The timelines' rules, in memory.</summary>
    public bool Carries(Viewer v, Status s) => Name switch
    {
        "user" => s.AccountId == v.AccountId || v.FollowingIds.Contains(s.AccountId)
                  || (s.AudienceTeamId is { } t && v.FollowedTeamIds.Contains(t) && s.ReblogOfId is null),
        "public" or "public:local" => s.AudienceKind == AudienceKind.Public && s.Listed && s.ReblogOfId is null,
        "hashtag" or "hashtag:local" => s.ReblogOfId is null && s.Tags.Any(x => x.Name == Tag),
        "company" => (s.AudienceKind is AudienceKind.Company or AudienceKind.Public) && s.Listed && s.ReblogOfId is null,
        "team" => s.AudienceTeamId == TeamId && s.ReblogOfId is null,
        _ => false,
    };

    /// <summary>
    /// Checks a requested stream for a signed-in viewer; hostile or unknown input gets a Mastodon error with its status
    /// (400 unknown or incomplete, 404 for a team the viewer cannot see or any list), never an exception.
    /// </summary>
    public static async Task<(StreamSubscription? Subscription, int Status, string? Error)> ResolveAsync(
        GazouilleDb db, Viewer viewer, string? name, string? tag, string? list, string? team, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(name) || !Names.Contains(name)) return (null, 400, "Unknown stream type");
        switch (name)
        {
            case "hashtag" or "hashtag:local":
                var t = tag?.Trim().TrimStart('#').ToLowerInvariant();
                if (string.IsNullOrEmpty(t)) return (null, 400, "No tag for stream provided");
                if (t.Length > MaxParameterLength || t.Any(char.IsControl)) return (null, 400, "This tag is not valid");
                return (new StreamSubscription(name, Tag: t), 200, null);
            case "list":
                if (string.IsNullOrEmpty(list)) return (null, 400, "No list for stream provided");
                return (null, 404, ApiError.NotFound.Error);
            case "team":
                var h = team?.Trim().TrimStart('@').ToLowerInvariant();
                if (string.IsNullOrEmpty(h)) return (null, 400, "No team for stream provided");
                // No handle holds a control character (PostgreSQL would refuse a NUL in the query's parameter).
                if (h.Length > MaxParameterLength || h.Any(char.IsControl)) return (null, 404, ApiError.NotFound.Error);
                var id = await db.Teams.AsNoTracking().Where(x => x.Handle == h).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
                // As the team timeline: a guest knows only the teams that grant its org (I4: same answer as a missing team).
                if (id is not { } teamId || (viewer.IsGuest && !viewer.GrantedTeamIds.Contains(teamId))) return (null, 404, ApiError.NotFound.Error);
                return (new StreamSubscription(name, TeamId: teamId, TeamHandle: h), 200, null);
            default:
                return (new StreamSubscription(name), 200, null);
        }
    }
}
