using Gazouille.LeakGuard;
using Gazouille.LeakGuard.Cli;

namespace Gazouille.Features.LeakGuard;

/// <summary><c>gazouille leakguard scan|explain</c>: thin wiring over the library's runners.</summary>
public static class LeakGuardCommand
{
    public static Command Create()
    {
        var command = new Command("leakguard", "Check texts with the Leak Guard, without a server");
        command.Subcommands.Add(Scan());
        command.Subcommands.Add(Explain());
        return command;
    }

    private static Option<string?> PolicyOption() => new("--policy") { Description = "Policy file (JSON or YAML); the built-in default policy when omitted" };

    private static Option<string> AudienceOption() => new("--audience")
    {
        Description = "team, followers, company, partners or public",
        DefaultValueFactory = _ => "company",
    };

    private static Option<string?> LangOption() => new("--lang") { Description = "fr or en, for the explanations" };

    private static Command Scan()
    {
        var policy = PolicyOption();
        var audience = AudienceOption();
        var lang = LangOption();
        var cmd = new Command("scan", "Read JSON Lines {\"id\",\"text\",\"audience\"?} on stdin, write one decision per line") { policy, audience, lang };
        cmd.SetAction(r => LoadPolicy(r.GetValue(policy)) is { } p
            ? ScanRunner.Run(Console.In, Console.Out, Console.Error, p, r.GetValue(audience)!, r.GetValue(lang))
            : 2);
        return cmd;
    }

    private static Command Explain()
    {
        var text = new Argument<string>("text") { Description = "The text to explain" };
        var policy = PolicyOption();
        var audience = AudienceOption();
        var lang = LangOption();
        var cmd = new Command("explain", "Explain in words what the Leak Guard finds in a text") { text, policy, audience, lang };
        cmd.SetAction(r => LoadPolicy(r.GetValue(policy)) is { } p
            ? ExplainRunner.Run(r.GetValue(text)!, Console.Out, p, r.GetValue(audience)!, r.GetValue(lang), Console.Error)
            : 2);
        return cmd;
    }

    private static LeakPolicy? LoadPolicy(string? path)
    {
        if (path is null) return LeakPolicy.Default;
        try
        {
            return LeakPolicy.Load(path);
        }
        catch (LeakPolicyException e)
        {
            Console.Error.WriteLine($"The policy {path} cannot be used: {e.Message}");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot read the policy file {path}: {e.Message}");
            return null;
        }
    }
}
