using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>The audit log: append-only and hash-chained; <c>admin audit verify</c> finds altered, inserted and deleted entries.</summary>
public sealed class AuditTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    /// <summary>Five entries of different kinds: a block, a hold, an override, a grant and a revocation.</summary>
    private async Task FillAsync()
    {
        var secret = await LeakGuardWorld.PostAsync(_w.Alice, "token " + LeakGuardWorld.Secret, "company");
        Assert.True(secret.StatusCode == HttpStatusCode.UnprocessableEntity, $"the secret was not refused: {secret.StatusCode}: {await secret.Content.ReadAsStringAsync()}");
        await (await LeakGuardWorld.PostAsync(_w.Alice, "Mon IBAN " + LeakGuardWorld.Iban, "company")).OkJsonAsync();
        await (await LeakGuardWorld.PostAsync(_w.Alice, "On a signé pour 2 millions d'euros.", "partners:ops", "Déjà annoncé publiquement.")).OkJsonAsync();
        await _w.Factory.CreatePartnerAsync("globex");
        var grant = await _w.Root.PostOkAsync("/api/v1/gazouille/admin/grants", new { team = "ops", partner = "globex" });
        (await _w.Root.DeleteAsync($"/api/v1/gazouille/admin/grants/{grant.Id()}")).EnsureSuccessStatusCode();
    }

    private Task SqlAsync(string sql, params object[] parameters) =>
        _w.Factory.WithScopeAsync<object?>(async sp =>
        {
            await sp.GetRequiredService<GazouilleDb>().Database.ExecuteSqlRawAsync(sql, parameters);
            return null;
        });

    private async Task<(int Exit, string Out, string Err)> VerifyAsync() => await GazouilleCli.RunAsync(_w.Factory.Data, "admin", "audit", "verify");

    [Fact]
    public async Task Decisions_overrides_and_grants_are_chained_and_an_intact_chain_verifies()
    {
        await FillAsync();
        var actions = (await _w.AuditAsync()).Select(a => a.Action).ToList();
        Assert.Equal(["leak_guard.block", "leak_guard.hold", "leak_guard.override", "partner.grant", "partner.revoke"], actions);
        var (exit, output, error) = await VerifyAsync();
        Assert.True(exit == 0, $"exit {exit}: {output} {error}");
        Assert.Contains("intact, 5 entries", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_entry_is_found()
    {
        await FillAsync();
        await SqlAsync("""UPDATE "AuditEntries" SET "Actor" = '@bob' WHERE "Seq" = 2""");
        var (exit, output, error) = await VerifyAsync();
        Assert.Equal(1, exit);
        Assert.Contains("entry 2", output, StringComparison.Ordinal);
        Assert.Contains("altered", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recomputed_hash_does_not_hide_an_alteration()
    {
        await FillAsync();
        // The forger fixes entry 2's own hash; entry 3 still names the old one.
        var entry = await _w.Factory.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().AuditEntries.AsNoTracking().FirstAsync(e => e.Seq == 2));
        entry.Details = entry.Details.Replace("hold", "allow", StringComparison.Ordinal);
        await SqlAsync("""UPDATE "AuditEntries" SET "Details" = {0}, "Hash" = {1} WHERE "Seq" = 2""", entry.Details, AuditLog.HashOf(entry));
        var (exit, output, _) = await VerifyAsync();
        Assert.Equal(1, exit);
        Assert.Contains("entry 3", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_entry_is_found_in_the_middle_and_at_the_end()
    {
        await FillAsync();
        await SqlAsync("""DELETE FROM "AuditEntries" WHERE "Seq" = 5""");
        var (exit, output, _) = await VerifyAsync();
        Assert.Equal(1, exit);
        Assert.Contains("newest entries are missing", output, StringComparison.Ordinal);

        await SqlAsync("""DELETE FROM "AuditEntries" WHERE "Seq" = 3""");
        (exit, output, _) = await VerifyAsync();
        Assert.Equal(1, exit);
        Assert.Contains("entry 4", output, StringComparison.Ordinal);
        Assert.Contains("missing", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inserted_entry_is_found_even_when_correctly_chained()
    {
        await FillAsync();
        var last = await _w.Factory.WithScopeAsync(sp => sp.GetRequiredService<GazouilleDb>().AuditEntries.AsNoTracking().OrderBy(e => e.Seq).LastAsync());
        var forged = new Gazouille.Data.Entities.AuditEntry
        {
            Seq = last.Seq + 1, At = last.At, Actor = "@root", Action = "partner.grant", Subject = "team:ops/partner:evil", Details = "{}", PrevHash = last.Hash,
        };
        forged.Hash = AuditLog.HashOf(forged);
        await _w.Factory.WithScopeAsync<object?>(async sp =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            db.AuditEntries.Add(forged);
            await db.SaveChangesAsync();
            return null;
        });
        var (exit, output, _) = await VerifyAsync();
        Assert.Equal(1, exit);
        Assert.Contains("should end at entry 5", output, StringComparison.Ordinal);

        // Inserted in the middle: the entries after it no longer chain.
        await SqlAsync("""DELETE FROM "AuditEntries" WHERE "Seq" = 6""");
        await SqlAsync("""UPDATE "AuditEntries" SET "Seq" = "Seq" + 100 WHERE "Seq" >= 3""");
        await SqlAsync("""UPDATE "AuditEntries" SET "Seq" = "Seq" - 99 WHERE "Seq" >= 100""");
        await SqlAsync("""INSERT INTO "AuditEntries" ("Seq", "At", "Actor", "Action", "Subject", "Details", "PrevHash", "Hash") SELECT 3, "At", "Actor", "Action", "Subject", "Details", "Hash", "Hash" FROM "AuditEntries" WHERE "Seq" = 2""");
        (exit, output, _) = await VerifyAsync();
        Assert.Equal(1, exit);
        Assert.Contains("entry 3", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_appends_never_fork_the_chain()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => _w.Factory.WithScopeAsync(sp =>
            sp.GetRequiredService<AuditLog>().AppendAsync("@test", "test.append", $"n:{i}", new { i })))));
        var result = await _w.Factory.WithScopeAsync(sp => sp.GetRequiredService<AuditLog>().VerifyAsync());
        Assert.True(result.Intact, result.Problem);
        Assert.Equal(40, result.GoodEntries);
        var subjects = (await _w.AuditAsync()).Select(a => a.Subject).ToHashSet();
        Assert.Equal(40, subjects.Count);
    }

    [Fact]
    public async Task Secret_values_never_reach_the_audit_log_or_its_export()
    {
        await FillAsync();
        var iban = await LeakGuardWorld.PostAsync(_w.Bob, "Mon IBAN " + LeakGuardWorld.Iban, "partners:ops"); // blocked for partners
        Assert.True(iban.StatusCode == HttpStatusCode.UnprocessableEntity, $"{iban.StatusCode}: {await iban.Content.ReadAsStringAsync()}");
        var export = await _w.Root.GetAsync("/api/v1/gazouille/admin/audit?format=jsonl");
        var text = await export.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.DoesNotContain(LeakGuardWorld.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(LeakGuardWorld.Secret[4..20], text, StringComparison.Ordinal);
        Assert.DoesNotContain("3456 7890", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var blocks = lines.Where(l => l.Str("action") == "leak_guard.block").ToList();
        Assert.True(blocks.Count == 2, "expected the blocks of the secret and of the IBAN for partners:\n" + text);
        var secret = blocks[0].GetProperty("details").GetProperty("findings")[0];
        Assert.True(secret.Str("type") == "secret", "the first block is not the secret's:\n" + text);
        Assert.Contains("masked", secret.Str("text"), StringComparison.Ordinal);
        Assert.All(blocks, b => Assert.Equal(64, b.Str("hash").Length));
    }

    [Fact]
    public async Task Export_is_for_admins_as_json_lines_or_csv_within_a_date_range()
    {
        await FillAsync();
        foreach (var client in new[] { _w.Mod, _w.Alice, _w.Gina })
            await (await client.GetAsync("/api/v1/gazouille/admin/audit")).ErrorAsync(HttpStatusCode.Forbidden);
        var csv = await _w.Root.GetAsync("/api/v1/gazouille/admin/audit?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("seq,at,actor,action,subject,details,prev_hash,hash", rows[0]);
        Assert.Equal(6, rows.Length);
        Assert.StartsWith("\"1\",", rows[1], StringComparison.Ordinal);

        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("", await (await _w.Root.GetAsync($"/api/v1/gazouille/admin/audit?from={tomorrow}")).Content.ReadAsStringAsync());
        var inRange = await (await _w.Root.GetAsync($"/api/v1/gazouille/admin/audit?from={yesterday}&to={tomorrow}")).Content.ReadAsStringAsync();
        Assert.Equal(5, inRange.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await (await _w.Root.GetAsync("/api/v1/gazouille/admin/audit?format=xml")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Root.GetAsync("/api/v1/gazouille/admin/audit?from=yesterday")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }
}
