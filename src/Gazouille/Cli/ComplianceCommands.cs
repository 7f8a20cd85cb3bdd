using System.Text.Json;
using Gazouille.Data;
using Gazouille.Features.Audit;
using Gazouille.Features.LeakGuard;
using Gazouille.LeakGuard;

namespace Gazouille.Cli;

/// <summary><c>gazouille admin policy import</c> and <c>gazouille admin audit verify</c>.</summary>
public static class ComplianceCommands
{
    /// <summary>Who the audit log names for what the command line does.</summary>
    public const string CliActor = "cli";

    public static Command Policy()
    {
        var file = new Option<string>("--file") { Description = "The policy file: JSON, or YAML (.yaml/.yml)", Required = true };
        var import = new Command("import", "Replace the instance's Leak Guard policy (every node uses it within seconds)") { file };
        import.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var path = r.GetValue(file)!;
            string text;
            try
            {
                // Load validates size and existence with sentences an operator understands; the text is then kept as written.
                _ = LeakPolicy.Load(path);
                text = await File.ReadAllTextAsync(path, ct);
            }
            catch (LeakPolicyException e)
            {
                return CliHost.Fail($"{e.Message}. Nothing was saved; fix the file and run the import again.");
            }
            var ext = Path.GetExtension(path).ToLowerInvariant();
            var format = ext is ".yaml" or ".yml" ? PolicyFormat.Yaml : ext == ".json" ? PolicyFormat.Json : PolicyFormat.Auto;
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            var store = scope.ServiceProvider.GetRequiredService<LeakPolicyStore>();
            try
            {
                var (doc, policy) = await store.SaveAsync(db, scope.ServiceProvider.GetRequiredService<AuditLog>(), text, format, CliActor, ct);
                Console.WriteLine($"Imported the Leak Guard policy as version {doc.Version} ({policy.Terms.Count} terms, {doc.Format}); running servers use it within seconds.");
                return 0;
            }
            catch (LeakPolicyException e)
            {
                return CliHost.Fail($"{e.Message}. Nothing was saved; fix the file and run the import again.");
            }
        }));
        return new Command("policy", "The Leak Guard policy of the instance") { import };
    }

    public static Command Audit()
    {
        var verify = new Command("verify", "Check that the audit log is intact: exit 0, or 1 and the first bad entry");
        verify.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<AuditLog>().VerifyAsync(ct);
            if (result.Intact)
            {
                Console.WriteLine($"Audit log intact, {result.GoodEntries} entries.");
                return 0;
            }
            var where = result.FirstBad is { } bad ? $"entry {bad.Seq}" : "the end of the log";
            var message = $"Audit log NOT intact: first bad entry is {where}: {result.Problem}. The {result.GoodEntries} entries before it are intact.";
            Console.WriteLine(message);
            if (result.FirstBad is { } entry)
                Console.WriteLine(JsonSerializer.Serialize(AuditLog.Render(entry), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            await Console.Error.WriteLineAsync(message + " Restore the database from a backup and investigate who changed it.");
            return 1;
        }));
        return new Command("audit", "The tamper-evident audit log") { verify };
    }

    /// <summary>For commands that change access: the audit entry, in the same transaction as the change.</summary>
    public static Task AuditAsync(IServiceProvider services, string action, string subject, object details, CancellationToken ct) =>
        services.GetRequiredService<AuditLog>().AppendAsync(CliActor, action, subject, details, ct);
}
