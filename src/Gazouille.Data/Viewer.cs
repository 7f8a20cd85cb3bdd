using Gazouille.Data.Entities;

namespace Gazouille.Data;

public enum ViewerKind { Anonymous, Employee, Guest }

/// <summary>
/// Everything the visibility rule needs to know about a reader, loaded once per request (or per stream) at read time,
/// so that a revoked grant or an unfollow takes effect on the next read.
/// </summary>
public sealed record Viewer(
    long AccountId,
    ViewerKind Kind,
    AccountRole Role,
    long PartnerOrgId,
    long[] TeamIds,
    long[] FollowingIds,
    long[] FollowedTeamIds,
    long[] GrantedTeamIds,
    long[] GuestVisibleEmployeeIds)
{
    public static readonly Viewer Anonymous = new(0, ViewerKind.Anonymous, AccountRole.Employee, 0, [], [], [], [], []);

    public bool IsSignedIn => Kind != ViewerKind.Anonymous;
    public bool IsEmployee => Kind == ViewerKind.Employee;
    public bool IsGuest => Kind == ViewerKind.Guest;
    public bool IsModerator => IsEmployee && Role >= AccountRole.Moderator;
    public bool IsAdmin => IsEmployee && Role == AccountRole.Admin;
}
