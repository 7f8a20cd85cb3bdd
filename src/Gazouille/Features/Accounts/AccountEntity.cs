namespace Gazouille.Features.Accounts;

/// <summary>Mastodon's Account entity, plus <c>gazouille</c>: who this is in the company, and whether it is official or its org verified.</summary>
public sealed record AccountEntity(
    string Id, string Username, string Acct, string DisplayName, bool Locked, bool Bot, bool Discoverable, bool Group,
    string CreatedAt, string Note, string Url, string Uri, string Avatar, string AvatarStatic, string Header, string HeaderStatic,
    int FollowersCount, int FollowingCount, int StatusesCount, string? LastStatusAt, object[] Emojis, object[] Fields,
    AccountSource? Source, AccountExtension Gazouille);

public sealed record AccountSource(string Privacy, bool Sensitive, string Language, string Note, object[] Fields, int FollowRequestsCount, string Audience);

public sealed record AccountExtension(string Kind, string Role, bool Official, PartnerRef? Partner);

public sealed record PartnerRef(string Handle, string Name, bool Verified);

public sealed record RelationshipEntity(
    string Id, bool Following, bool ShowingReblogs, bool Notifying, string[] Languages, bool FollowedBy, bool Blocking,
    bool BlockedBy, bool Muting, bool MutingNotifications, bool Requested, bool RequestedBy, bool DomainBlocking, bool Endorsed, string Note);
