using Gazouille.Api;
using Gazouille.Data.Entities;
using Gazouille.Features.Trust;
using Gazouille.Hosting;

namespace Gazouille.Cli;

/// <summary><c>admin verify-account</c>, <c>admin rotate-key</c>: official marks and the instance's signing keys.</summary>
public static class TrustCommands
{
    public static Command VerifyAccount()
    {
        var username = new Option<string?>("--username") { Description = "An employee (marked official), a team handle (team marked official) or a guest (its partner org is verified)" };
        var partner = new Option<string?>("--partner") { Description = "Verify a partner organization by its handle instead" };
        var remove = new Option<bool>("--remove") { Description = "Take the mark away" };
        var cmd = new Command("verify-account", "Mark an official account or team, or a verified partner organization") { username, partner, remove };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var u = r.GetValue(username);
            var p = r.GetValue(partner);
            if (string.IsNullOrWhiteSpace(u) == string.IsNullOrWhiteSpace(p)) throw new UsageException("Give either --username U or --partner ORG.");
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var marks = scope.ServiceProvider.GetRequiredService<TrustMarks>();
            try
            {
                var mark = u is not null
                    ? await marks.MarkAsync(ComplianceCommands.CliActor, u, !r.GetValue(remove), ct)
                    : await marks.MarkPartnerAsync(ComplianceCommands.CliActor, p!, !r.GetValue(remove), ct);
                Console.WriteLine(TrustMarks.Describe(mark));
                return 0;
            }
            catch (ApiException e)
            {
                return CliHost.Fail(e.Explanation);
            }
        }));
        return cmd;
    }

    public static Command RotateKey()
    {
        var cmd = new Command("rotate-key", "Create a new signing key for posts; older keys stay published and keep verifying older posts");
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var key = await scope.ServiceProvider.GetRequiredService<InstanceKeys>().RotateAsync(ct);
            await ComplianceCommands.AuditAsync(scope.ServiceProvider, "trust.rotate_key", $"key:{key.Id}", new { }, ct);
            Console.WriteLine($"New signing key {key.Id}: posts are signed with it from now on; older keys still verify older posts.");
            Console.WriteLine(key.Id);
            return 0;
        }));
        return cmd;
    }
}
