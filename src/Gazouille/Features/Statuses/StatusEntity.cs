using Gazouille.Features.Accounts;

namespace Gazouille.Features.Statuses;

/// <summary>Mastodon's Status entity, plus <c>audience</c> (everyone) and <c>leak_guard</c> (the author only).</summary>
public sealed record StatusEntity(
    string Id, string CreatedAt, string? InReplyToId, string? InReplyToAccountId, bool Sensitive, string SpoilerText,
    string Visibility, string? Language, string Uri, string Url, int RepliesCount, int ReblogsCount, int FavouritesCount,
    string? EditedAt, bool Favourited, bool Reblogged, bool Muted, bool Bookmarked, bool Pinned, string Content,
    StatusEntity? Reblog, object? Application, AccountEntity Account, object[] MediaAttachments, MentionEntity[] Mentions,
    TagRef[] Tags, object[] Emojis, object? Card, object? Poll, object[] Filtered, string Audience, LeakGuardState? LeakGuard)
{
    /// <summary>The source text, present only in the answer to a delete (for "delete and redraft").</summary>
    public string? Text { get; init; }
}

public sealed record MentionEntity(string Id, string Username, string Url, string Acct);

public sealed record TagRef(string Name, string Url);

/// <summary>The author's view of the guard's verdict: published, held (waiting for a moderator) or rejected.</summary>
public sealed record LeakGuardState(string State, string Decision, object[] Findings)
{
    /// <summary>The author's justification of an overridden warning.</summary>
    public string? Override { get; init; }
    /// <summary>The moderator's reason, when the post was rejected or an edit was requested.</summary>
    public string? Reason { get; init; }
}

public sealed record StatusEditEntity(string Content, string SpoilerText, bool Sensitive, string CreatedAt, AccountEntity Account, object[] MediaAttachments, object[] Emojis);

public sealed record StatusSourceEntity(string Id, string Text, string SpoilerText);

public sealed record ContextEntity(List<StatusEntity> Ancestors, List<StatusEntity> Descendants);
