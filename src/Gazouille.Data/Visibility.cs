using System.Linq.Expressions;
using Gazouille.Data.Entities;

namespace Gazouille.Data;

/// <summary>
/// The audience rule of DESIGN.md, written once as expressions: EF Core translates them to SQL for every query, and
/// <see cref="CanSee(Viewer, Status)"/> compiles the very same expression for in-memory checks (streaming, fan-out).
/// In-memory callers must load <see cref="Status.Mentions"/> and <see cref="Status.AudienceOrgs"/>.
/// </summary>
public static class Visibility
{
    public static Expression<Func<Status, bool>> StatusesVisibleTo(Viewer v)
    {
        var me = v.AccountId;
        var employee = v.IsEmployee;
        var guest = v.IsGuest;
        var org = v.PartnerOrgId;
        var teams = v.TeamIds;
        var following = v.FollowingIds;
        var granted = v.GrantedTeamIds;
        return s =>
            s.State == StatusState.Published && (
                s.AudienceKind == AudienceKind.Public
                || (employee && s.AudienceKind == AudienceKind.Company)
                || (s.AudienceKind == AudienceKind.Team && teams.Contains(s.AudienceTeamId!.Value))
                || (s.AudienceKind == AudienceKind.Followers && employee
                    && (s.AccountId == me || s.AudienceOwnerId == me || following.Contains(s.AudienceOwnerId!.Value)))
                || (s.AudienceKind == AudienceKind.Partners
                    && (teams.Contains(s.AudienceTeamId!.Value)
                        || (guest && granted.Contains(s.AudienceTeamId!.Value)
                            && (!s.AudienceOrgs.Any() || s.AudienceOrgs.Any(o => o.PartnerOrgId == org)))))
                || (s.AudienceKind == AudienceKind.Direct && me != 0
                    && (s.AccountId == me || s.Mentions.Any(m => m.AccountId == me))));
    }

    /// <summary>
    /// Posts the viewer may read, plus the viewer's own held, rejected or hidden posts (the author follows their review,
    /// and reads the post a moderator hid after a report) and, for moderators, every such post (they review them). Only "status by id" uses this: timelines,
    /// threads, notifications of others and counts use <see cref="StatusesVisibleTo"/>, which shows published posts only.
    /// A boost of a held post is never shown, even to its booster: it would carry text nobody approved.
    /// </summary>
    public static Expression<Func<Status, bool>> StatusesVisibleToAuthorIncluded(Viewer v)
    {
        var visible = StatusesVisibleTo(v);
        var me = v.AccountId;
        var moderator = v.IsModerator;
        var param = visible.Parameters[0];
        Expression<Func<Status, bool>> own = s => s.State != StatusState.Published && s.ReblogOfId == null
                                                 && ((me != 0 && s.AccountId == me) || moderator);
        var body = Expression.OrElse(visible.Body, new ParameterReplacer(own.Parameters[0], param).Visit(own.Body));
        return Expression.Lambda<Func<Status, bool>>(body, param);
    }

    /// <summary>I5: employees see every account; a guest sees its own org and the members of the teams that grant it;
    /// anonymous readers see employees only.</summary>
    public static Expression<Func<Account, bool>> AccountsVisibleTo(Viewer v)
    {
        var employee = v.IsEmployee;
        var guest = v.IsGuest;
        var org = v.PartnerOrgId;
        var visibleEmployees = v.GuestVisibleEmployeeIds;
        return a => !a.Suspended && (
            employee
            || (guest && (a.PartnerOrgId == org || (a.PartnerOrgId == null && visibleEmployees.Contains(a.Id))))
            || (!guest && !employee && a.PartnerOrgId == null));
    }

    public static bool CanSee(Viewer v, Status s) => InMemory(StatusesVisibleTo(v))(s);

    /// <summary>The in-memory rule for one viewer, compiled once: streaming checks every event of a connection with it.</summary>
    public static Func<Status, bool> StatusFilterFor(Viewer v) => InMemory(StatusesVisibleTo(v));

    public static bool CanSee(Viewer v, Account a) => InMemory(AccountsVisibleTo(v))(a);

    // C# 14 binds array.Contains(x) to MemoryExtensions.Contains(ReadOnlySpan<T>, T), which EF Core translates but the
    // expression interpreter cannot run (a span cannot be a generic argument); in memory, Enumerable.Contains says the same.
    private static Func<T, bool> InMemory<T>(Expression<Func<T, bool>> rule) =>
        ((Expression<Func<T, bool>>)new SpanContainsRewriter().Visit(rule)).Compile(preferInterpretation: true);

    private sealed class SpanContainsRewriter : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType == typeof(MemoryExtensions) && node.Method.Name == nameof(MemoryExtensions.Contains)
                && node.Arguments.Count == 2 && Unwrap(node.Arguments[0]) is { Type.IsArray: true } array)
            {
                var element = array.Type.GetElementType()!;
                return Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [element], Visit(array), Visit(node.Arguments[1]));
            }
            return base.VisitMethodCall(node);
        }

        // The array reaches the span through an implicit conversion: op_Implicit(array) or new ReadOnlySpan<T>(array).
        private static Expression? Unwrap(Expression e) => e switch
        {
            MethodCallExpression { Method.Name: "op_Implicit", Arguments: [var inner] } => inner,
            UnaryExpression { NodeType: ExpressionType.Convert, Operand: var inner } => inner,
            NewExpression { Arguments: [var inner] } => inner,
            _ => null,
        };
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
