using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Accounts;
using Gazouille.Features.OAuth;
using Gazouille.Features.Statuses;
using Gazouille.Features.Teams;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Cli;

/// <summary><c>gazouille admin …</c>: the operator's commands, on the same data as a running server, effective at once.</summary>
public static class AdminCommands
{
    public static Command Create()
    {
        var admin = new Command("admin", "Administer accounts, teams, partners and tokens");
        admin.Subcommands.Add(CreateUser());
        admin.Subcommands.Add(CreateTeam());
        admin.Subcommands.Add(AddMember());
        admin.Subcommands.Add(CreateToken());
        admin.Subcommands.Add(CreatePartner());
        admin.Subcommands.Add(Grant(revoke: false));
        admin.Subcommands.Add(Grant(revoke: true));
        admin.Subcommands.Add(TrustCommands.VerifyAccount());
        admin.Subcommands.Add(TrustCommands.RotateKey());
        admin.Subcommands.Add(GenerateCommand.Create());
        admin.Subcommands.Add(ComplianceCommands.Policy());
        admin.Subcommands.Add(ComplianceCommands.Audit());
        return admin;
    }

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    private static Command CreateUser()
    {
        var username = Required("--username", "Username (letters, digits, underscore)");
        var email = Required("--email", "E-mail address");
        var displayName = new Option<string?>("--display-name") { Description = "Display name" };
        var role = new Option<string>("--role") { Description = "employee, moderator or admin", DefaultValueFactory = _ => "employee" };
        var partner = new Option<string?>("--partner") { Description = "Make a guest of this partner organization" };
        var password = new Option<string?>("--password") { Description = "Password (generated and printed when omitted)" };
        var official = new Option<bool>("--official") { Description = "Create an official account (exempt from the impersonation guard)" };
        var cmd = new Command("create-user", "Create an account") { username, email, displayName, role, partner, password, official };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var parsedRole = r.GetValue(role)!.ToLowerInvariant() switch
            {
                "employee" => AccountRole.Employee,
                "moderator" => AccountRole.Moderator,
                "admin" => AccountRole.Admin,
                var other => throw new Hosting.UsageException($"Unknown role '{other}': use employee, moderator or admin."),
            };
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var (account, pwd, error) = await scope.ServiceProvider.GetRequiredService<AccountDirectory>().CreateAsync(
                new NewAccount(r.GetValue(username)!, r.GetValue(email)!, r.GetValue(displayName), parsedRole, r.GetValue(partner), r.GetValue(password))
                {
                    Official = r.GetValue(official),
                }, ct);
            if (account is null) return CliHost.Fail(error!);
            Console.WriteLine($"Created @{account.UserName} (id {account.Id}, {parsedRole.ToString().ToLowerInvariant()}{(account.IsGuest ? ", guest" : "")}{(account.Official ? ", official" : "")}).");
            if (r.GetValue(password) is null) Console.WriteLine($"Password: {pwd}");
            return 0;
        }));
        return cmd;
    }

    private static Command CreateTeam()
    {
        var handle = Required("--handle", "Team handle (lower case)");
        var name = Required("--name", "Team name");
        var description = new Option<string?>("--description") { Description = "What the team does" };
        var member = new Option<string[]>("--member") { Description = "A member's username (repeatable)", AllowMultipleArgumentsPerToken = false };
        var cmd = new Command("create-team", "Create a team") { handle, name, description, member };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var teams = scope.ServiceProvider.GetRequiredService<TeamDirectory>();
            var members = r.GetValue(member) ?? [];
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            foreach (var m in members)
                if (!await db.Users.AnyAsync(a => a.NormalizedUserName == m.TrimStart('@').ToUpperInvariant(), ct))
                    return CliHost.Fail($"There is no user @{m}; nothing was created.");
            var (team, error) = await teams.CreateAsync(r.GetValue(handle)!, r.GetValue(name)!, r.GetValue(description), ct);
            if (team is null) return CliHost.Fail(error!);
            foreach (var m in members)
                if (await teams.AddMemberAsync(team.Handle, m, lead: false, ct) is { } e) return CliHost.Fail(e);
            Console.WriteLine($"Created team @{team.Handle} with {members.Length} member(s).");
            return 0;
        }));
        return cmd;
    }

    private static Command AddMember()
    {
        var team = Required("--team", "Team handle");
        var username = Required("--username", "Member's username");
        var lead = new Option<bool>("--lead") { Description = "Make the member a team lead" };
        var cmd = new Command("add-member", "Add a member to a team") { team, username, lead };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var error = await scope.ServiceProvider.GetRequiredService<TeamDirectory>().AddMemberAsync(r.GetValue(team)!, r.GetValue(username)!, r.GetValue(lead), ct);
            if (error is not null) return CliHost.Fail(error);
            Console.WriteLine($"@{r.GetValue(username)!.TrimStart('@')} is now {(r.GetValue(lead) ? "a lead" : "a member")} of @{r.GetValue(team)!.ToLowerInvariant()}.");
            return 0;
        }));
        return cmd;
    }

    private static Command CreateToken()
    {
        var username = Required("--username", "Whose token");
        var scopes = new Option<string>("--scopes") { Description = "Space-separated OAuth scopes", DefaultValueFactory = _ => "read write follow push" };
        var cmd = new Command("create-token", "Print a bearer token for a user (last line)") { username, scopes };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var (list, unknown) = Scopes.Parse(r.GetValue(scopes));
            if (unknown is not null) return CliHost.Fail($"Unknown scope '{unknown}'. Known scopes: {string.Join(' ', Scopes.TopLevel)} and their granular forms (read:statuses…).");
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            var normalized = r.GetValue(username)!.TrimStart('@').ToUpperInvariant();
            var account = await db.Users.FirstOrDefaultAsync(a => a.NormalizedUserName == normalized, ct);
            if (account is null) return CliHost.Fail($"There is no user @{r.GetValue(username)}.");
            if (account.Suspended) return CliHost.Fail($"@{account.UserName} is suspended; a token would not work.");
            var token = await PersonalAccessTokens.CreateAsync(db, account.Id, list, "admin create-token", ct);
            Console.WriteLine($"Token for @{account.UserName} with scopes: {string.Join(' ', list)}");
            Console.WriteLine(token);
            return 0;
        }));
        return cmd;
    }

    private static Command CreatePartner()
    {
        var handle = Required("--handle", "Organization handle (lower case)");
        var name = Required("--name", "Organization name");
        var domain = new Option<string[]>("--domain") { Description = "E-mail domain of its people (repeatable)" };
        var cmd = new Command("create-partner", "Create a partner organization") { handle, name, domain };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var h = r.GetValue(handle)!.Trim().ToLowerInvariant();
            if (!AudienceSpec.IsHandle(h)) return CliHost.Fail("The handle must be 1 to 64 lower-case letters, digits, '-' or '_'.");
            var n = r.GetValue(name)!.Trim();
            if (n.Length is 0 or > 200) return CliHost.Fail("The name must be 1 to 200 characters long.");
            var domains = (r.GetValue(domain) ?? []).Select(d => d.Trim().ToLowerInvariant()).ToArray();
            if (domains.Any(d => d.Length == 0 || d.Contains('@', StringComparison.Ordinal) || Uri.CheckHostName(d) != UriHostNameType.Dns))
                return CliHost.Fail("Each --domain must be a domain name such as example.com.");
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            if (await db.PartnerOrgs.AnyAsync(o => o.Handle == h, ct)) return CliHost.Fail($"A partner organization '{h}' already exists.");
            db.PartnerOrgs.Add(new PartnerOrg { Id = Snowflake.NewId(), Handle = h, Name = n, Domains = string.Join(',', domains), CreatedAt = DateTimeOffset.UtcNow });
            await ComplianceCommands.AuditAsync(scope.ServiceProvider, "partner.create", $"partner:{h}", new { name = n, domains }, ct);
            Console.WriteLine($"Created partner organization {h} ({n}).");
            return 0;
        }));
        return cmd;
    }

    private static Command Grant(bool revoke)
    {
        var team = Required("--team", "Team handle");
        var partner = Required("--partner", "Partner organization handle");
        var cmd = new Command(revoke ? "revoke" : "grant",
            revoke ? "End a partner organization's access to a team's partner channel, at once"
                   : "Let a partner organization's guests follow and read a team's partner channel") { team, partner };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            var th = r.GetValue(team)!.Trim().ToLowerInvariant();
            var ph = r.GetValue(partner)!.Trim().ToLowerInvariant();
            var t = await db.Teams.FirstOrDefaultAsync(x => x.Handle == th, ct);
            if (t is null) return CliHost.Fail($"There is no team @{th}.");
            var p = await db.PartnerOrgs.FirstOrDefaultAsync(x => x.Handle == ph, ct);
            if (p is null) return CliHost.Fail($"There is no partner organization '{ph}'.");
            var active = await db.PartnerGrants.Where(g => g.TeamId == t.Id && g.PartnerOrgId == p.Id && g.RevokedAt == null).ToListAsync(ct);
            var now = DateTimeOffset.UtcNow;
            if (revoke)
            {
                if (active.Count == 0) return CliHost.Fail($"{p.Name} had no access to @{t.Handle}; nothing to revoke.");
                foreach (var g in active) g.RevokedAt = now;
                await ComplianceCommands.AuditAsync(scope.ServiceProvider, "partner.revoke", $"team:{t.Handle}/partner:{p.Handle}", new { grants = active.Select(g => g.Id).ToList() }, ct);
                Console.WriteLine($"Revoked: {p.Name} no longer reads @{t.Handle}'s partner channel.");
                return 0;
            }
            if (active.Count == 0)
                db.PartnerGrants.Add(new PartnerGrant { Id = Snowflake.NewId(), TeamId = t.Id, PartnerOrgId = p.Id, GrantedAt = now, Rights = GrantRights.ReadAndReply });
            await AccountRules.FollowTeamForGuestsAsync(db, t.Id, p.Id, now, ct);
            await ComplianceCommands.AuditAsync(scope.ServiceProvider, "partner.grant", $"team:{t.Handle}/partner:{p.Handle}", new { rights = "read_reply", already_granted = active.Count > 0 }, ct);
            Console.WriteLine($"Granted: {p.Name} reads and replies in @{t.Handle}'s partner channel.");
            return 0;
        }));
        return cmd;
    }
}
