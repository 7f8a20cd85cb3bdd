using CsCheck;

namespace Gazouille.Tests.Worlds;

/// <summary>One post to write: indexes are taken modulo what exists when the plan is built into a world.</summary>
public sealed record PostPlan(int Author, int Audience, int Parent, int Mention, bool Tagged, bool Held);

/// <summary>
/// A random world as plain data, so CsCheck can generate it and shrink it: a failing plan is tried again smaller
/// (fewer people, posts, boosts, favourites) and the smallest one that still fails is printed with its seed.
/// People are numbered employees first, then guests. Every world has 3 teams and 3 partner organizations.
/// Sizes are small on purpose: a world costs its requests, and many small worlds find more than a few big ones.
/// </summary>
public sealed record WorldPlan(
    int Employees,
    int[] GuestOrgs,
    bool[][] Members,
    bool[][] Grants,
    bool[][] Follows,
    bool[][] TeamFollows,
    PostPlan[] Posts,
    (int Who, int Post)[] Boosts,
    (int Who, int Post)[] Favourites,
    (int Team, int Org) Revocation)
{
    public const int Teams = 3;
    public const int Orgs = 3;

    private static readonly Gen<PostPlan> PostGen =
        from author in Gen.Int[0, 99]
        from audience in Gen.Int[0, 7]
        from parent in Gen.Int[-3, 20]
        from mention in Gen.Int[0, 99]
        from tagged in Gen.Int[0, 2]
        from held in Gen.Int[0, 7]
        select new PostPlan(author, audience, parent, mention, tagged == 0, held == 0);

    private static readonly Gen<(int, int)> PairGen = from a in Gen.Int[0, 99] from b in Gen.Int[0, 99] select (a, b);

    public static readonly Gen<WorldPlan> Generator =
        from employees in Gen.Int[3, 4]
        from guestOrgs in Gen.Int[0, Orgs - 1].Array[2, 3]
        from members in Gen.Bool.Array[employees].Array[Teams]
        from grants in Gen.Bool.Array[Orgs].Array[Teams]
        from follows in Gen.Bool.Array[employees].Array[employees]
        from teamFollows in Gen.Bool.Array[Teams].Array[employees]
        from posts in PostGen.Array[3, 9]
        from boosts in PairGen.Array[0, 4]
        from favourites in PairGen.Array[0, 6]
        from revokeTeam in Gen.Int[0, Teams - 1]
        from revokeOrg in Gen.Int[0, Orgs - 1]
        select new WorldPlan(employees, guestOrgs, members, grants, follows, teamFollows, posts, boosts, favourites, (revokeTeam, revokeOrg));

    /// <summary>The plan in one line per part, for CsCheck's report (the built world prints itself in the failure).</summary>
    public override string ToString() =>
        $"{Employees} employees, guests of orgs [{string.Join(",", GuestOrgs)}]; members {Matrix(Members)}; grants {Matrix(Grants)}; " +
        $"follows {Matrix(Follows)}; team follows {Matrix(TeamFollows)}; posts [{string.Join("; ", Posts.Select(p => $"{p.Author}>{p.Audience} re {p.Parent} @{p.Mention}{(p.Tagged ? " #" : "")}{(p.Held ? " held" : "")}"))}]; " +
        $"boosts [{string.Join(",", Boosts)}]; favourites [{string.Join(",", Favourites)}]; revoke {Revocation}";

    private static string Matrix(bool[][] m) => string.Join("|", m.Select(r => string.Concat(r.Select(b => b ? '1' : '0'))));
}
