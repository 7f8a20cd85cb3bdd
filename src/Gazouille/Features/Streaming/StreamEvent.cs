using System.Text.Json;
using System.Text.Json.Serialization;
using Gazouille.Data.Entities;

namespace Gazouille.Features.Streaming;

public enum StreamEventKind { Update, StatusUpdate, Delete, Notification, Access, TokenRevoked, DataChanged }

/// <summary>
/// What happened, in a few ids: every node loads and renders the post or notification itself, for each of its viewers.
/// <see cref="Access"/> says whose audience may have changed (grants, follows, membership, suspension);
/// <see cref="TokenRevoked"/> names an OAuth token that was revoked, whose open streams end on every node.
/// <see cref="DataChanged"/> tells the other nodes' <see cref="Hosting.ChangeClock"/> what a write changed (streams ignore it).
/// </summary>
public sealed record StreamEvent(StreamEventKind Kind, long Id)
{
    /// <summary>Notification: its recipient. Access: the account whose access changed.</summary>
    public long? AccountId { get; init; }
    /// <summary>Access: every guest of this partner org.</summary>
    public long? PartnerOrgId { get; init; }
    /// <summary>TokenRevoked: the token's id in the token store (or, when null, every token and session of <see cref="AccountId"/>).</summary>
    public string? TokenId { get; init; }
    /// <summary>Delete: who could read the post before it went, since it can no longer be loaded.</summary>
    public DeletedStatus? Deleted { get; init; }
    /// <summary>DataChanged: the <see cref="Hosting.ChangeKey"/>s that changed (<see cref="Hosting.ChangeKey.Flatten"/>), or null when everything may have.</summary>
    public long[]? Keys { get; init; }

    public static StreamEvent Published(long statusId) => new(StreamEventKind.Update, statusId);
    public static StreamEvent Edited(long statusId) => new(StreamEventKind.StatusUpdate, statusId);
    public static StreamEvent Removed(Status s) => new(StreamEventKind.Delete, s.Id) { Deleted = DeletedStatus.Of(s) };
    public static StreamEvent NotificationFor(long recipientId, long notificationId) => new(StreamEventKind.Notification, notificationId) { AccountId = recipientId };
    public static StreamEvent AccessOf(long accountId) => new(StreamEventKind.Access, 0) { AccountId = accountId };
    public static StreamEvent AccessOfOrg(long partnerOrgId) => new(StreamEventKind.Access, 0) { PartnerOrgId = partnerOrgId };
    public static StreamEvent Revoked(string tokenId) => new(StreamEventKind.TokenRevoked, 0) { TokenId = tokenId };
    /// <summary>Every session and token of the account was ended: all its streams close.</summary>
    public static StreamEvent DataChanged(long[]? keys) => new(StreamEventKind.DataChanged, 0) { Keys = keys };
    public static StreamEvent SessionsEnded(long accountId) => new(StreamEventKind.TokenRevoked, 0) { AccountId = accountId };

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Null for anything that is not an event (the bus channel is shared only between our nodes, but still).</summary>
    public static StreamEvent? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try { return JsonSerializer.Deserialize<StreamEvent>(json, Json); }
        catch (JsonException) { return null; }
    }
}

/// <summary>The audience facts of a deleted post (or boost), enough for <see cref="Data.Visibility"/> to decide who was told.</summary>
public sealed record DeletedStatus(
    long AuthorId, AudienceKind Audience, long? TeamId, long? OwnerId, bool Listed, long? ReblogOfId, long[] OrgIds, long[] MentionIds, string[] Tags)
{
    public static DeletedStatus Of(Status s) => new(s.AccountId, s.AudienceKind, s.AudienceTeamId, s.AudienceOwnerId, s.Listed, s.ReblogOfId,
        s.AudienceOrgs.Select(o => o.PartnerOrgId).ToArray(), s.Mentions.Select(m => m.AccountId).ToArray(), s.Tags.Select(t => t.Name).ToArray());

    /// <summary>The post as it was, for the in-memory visibility rule (published: it was readable until now).</summary>
    public Status ToStatus(long id) => new()
    {
        Id = id, AccountId = AuthorId, AudienceKind = Audience, AudienceTeamId = TeamId, AudienceOwnerId = OwnerId, Listed = Listed,
        ReblogOfId = ReblogOfId, State = StatusState.Published,
        AudienceOrgs = OrgIds.Select(o => new StatusAudienceOrg { StatusId = id, PartnerOrgId = o }).ToList(),
        Mentions = MentionIds.Select(m => new StatusMention { StatusId = id, AccountId = m }).ToList(),
        Tags = Tags.Select(t => new StatusTag { StatusId = id, Name = t }).ToList(),
    };
}
