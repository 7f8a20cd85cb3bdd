using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.Statuses;
using Gazouille.Features.Teams;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Demo;

/// <summary><c>serve --demo</c>: a fictional company (teams, people, a partner, posts in French and English) in an empty instance.</summary>
public sealed class DemoSeeder(GazouilleDb db, AccountDirectory accounts, TeamDirectory teams, StatusPublisher publisher, ViewerLoader viewers)
{
    public const string Password = "gazouille-demo";

    private static readonly (string User, string Name, AccountRole Role, string? Partner)[] People =
    [
        ("alice", "Alice Martin", AccountRole.Admin, null),
        ("bruno", "Bruno Leroy", AccountRole.Moderator, null),
        ("chloe", "Chloé Dubois", AccountRole.Employee, null),
        ("david", "David Moreau", AccountRole.Employee, null),
        ("emma", "Emma Petit", AccountRole.Employee, null),
        ("farid", "Farid Benali", AccountRole.Employee, null),
        ("grace", "Grace Okafor", AccountRole.Employee, "nordlys"),
    ];

    private static readonly (string Author, string Text, string Audience)[] Posts =
    [
        ("alice", "Bienvenue sur Gazouille ! Posez vos questions ici, l'équipe #design répond vite. 🐦", "company"),
        ("chloe", "Nouvelle maquette de l'écran d'accueil prête pour relecture. Vos avis avant jeudi ?", "team:design"),
        ("david", "The build pipeline is 30% faster since this morning. Thanks @farid for the cache fix! #platform", "company"),
        ("farid", "Déploiement de la version 2.4 ce soir à 19 h, pas de coupure prévue.", "team:plateforme"),
        ("emma", "Salon Tech&Co la semaine prochaine : qui vient tenir le stand avec moi ?", "company"),
        ("chloe", "Nordlys, voici la palette validée pour la campagne d'hiver. Retours bienvenus !", "partners:design"),
        ("bruno", "Reminder: the Friday demo starts at 4 pm in the atrium. Bring your best screenshots. #demo", "company"),
        ("david", "Quelqu'un a un bon livre sur la conception d'API à recommander ?", "followers"),
    ];

    public async Task<bool> SeedAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct)) return false;
        db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = "nordlys", Name = "Nordlys Studio", Domains = "nordlys.example", Verified = true, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(ct);

        var ids = new Dictionary<string, long>();
        foreach (var (user, name, role, partner) in People)
        {
            var domain = partner is null ? "gazouille.example" : "nordlys.example";
            var (account, _, error) = await accounts.CreateAsync(new NewAccount(user, $"{user}@{domain}", name, role, partner, Password), ct);
            ids[user] = account?.Id ?? throw new InvalidOperationException(error);
        }

        await teams.CreateAsync("design", "Design", "Interfaces, marque et recherche utilisateur.", ct);
        await teams.CreateAsync("plateforme", "Plateforme", "Infrastructure, CI et outils internes.", ct);
        await teams.CreateAsync("ventes", "Ventes", "Relations clients et partenaires.", ct);
        foreach (var (team, user, lead) in new[] { ("design", "chloe", true), ("design", "alice", false), ("plateforme", "farid", true), ("plateforme", "david", false), ("ventes", "emma", true), ("ventes", "bruno", false) })
            await teams.AddMemberAsync(team, user, lead, ct);

        var design = await db.Teams.FirstAsync(t => t.Handle == "design", ct);
        var nordlys = await db.PartnerOrgs.FirstAsync(o => o.Handle == "nordlys", ct);
        db.PartnerGrants.Add(new PartnerGrant { Id = Snowflake.NewId(), TeamId = design.Id, PartnerOrgId = nordlys.Id, GrantedAt = DateTimeOffset.UtcNow, Rights = GrantRights.ReadAndReply });
        db.TeamFollows.Add(new TeamFollow { TeamId = design.Id, AccountId = ids["grace"], CreatedAt = DateTimeOffset.UtcNow });
        foreach (var follower in new[] { "alice", "bruno", "chloe", "david", "emma", "farid" })
            foreach (var target in new[] { "alice", "bruno", "chloe", "david", "emma", "farid" }.Where(t => t != follower))
                db.Follows.Add(new Follow { Id = Snowflake.NewId(), FollowerId = ids[follower], TargetId = ids[target], CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(ct);

        Status? partnerPost = null;
        foreach (var (author, text, audience) in Posts)
        {
            var viewer = await viewers.LoadAsync(ids[author], ct) ?? throw new InvalidOperationException("demo author missing");
            var status = await publisher.CreateAsync(viewer, new NewStatus(text, null, false, null, null, audience, null, null), ct);
            if (audience.StartsWith("partners:", StringComparison.Ordinal)) partnerPost = status;
        }
        if (partnerPost is not null)
        {
            var grace = await viewers.LoadAsync(ids["grace"], ct) ?? throw new InvalidOperationException("demo guest missing");
            await publisher.CreateAsync(grace, new NewStatus("Merci @chloe, les teintes froides marchent très bien avec nos visuels.", null, false, "fr", partnerPost.Id, null, null, null), ct);
        }
        return true;
    }
}
