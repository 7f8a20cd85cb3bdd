using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Audit;

/// <summary>
/// Appends to and verifies the hash-chained audit log. Appends are serialized by the database: on SQLite the
/// transaction takes the write lock before it reads the last hash; on PostgreSQL a transaction-scoped advisory lock
/// does the same; and the sequence number is the primary key, so two appends can never both extend the same entry.
/// </summary>
public sealed class AuditLog(GazouilleDb db, TimeProvider clock, IServiceScopeFactory scopes)
{
    public static readonly string Genesis = new('0', 64);
    /// <summary>The last entry's "seq:hash", kept beside the log so that deleting the newest entries shows too.</summary>
    public const string HeadKey = "audit.head";
    private const long PostgresLockKey = 0x6761_7A6F_7569_6C6C; // "gazouill"

    private static readonly JsonSerializerOptions DetailsJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Appends one entry and saves every pending change of the context with it, in one transaction (the caller's, if it
    /// opened one, else a new one): the action and its audit entry are saved together or not at all.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(string actor, string action, string subject, object details, CancellationToken ct = default)
    {
        var detailsJson = JsonSerializer.Serialize(details, DetailsJson);
        for (var attempt = 1; ; attempt++)
        {
            var own = db.Database.CurrentTransaction is null;
            var tx = own ? await db.Database.BeginTransactionAsync(ct) : null;
            try
            {
                if (db.Database.IsNpgsql())
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", ct);
                var last = await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Seq)
                    .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
                var entry = new AuditEntry
                {
                    Seq = (last?.Seq ?? 0) + 1, At = Truncate(clock.GetUtcNow()), Actor = Clip(actor, 100), Action = Clip(action, 64),
                    Subject = Clip(subject, 200), Details = detailsJson, PrevHash = last?.Hash ?? Genesis,
                };
                entry.Hash = HashOf(entry);
                db.AuditEntries.Add(entry);
                var head = await db.InstanceSettings.FirstOrDefaultAsync(s => s.Key == HeadKey, ct);
                if (head is null) db.InstanceSettings.Add(new InstanceSetting { Key = HeadKey, Value = $"{entry.Seq}:{entry.Hash}" });
                else head.Value = $"{entry.Seq}:{entry.Hash}";
                await db.SaveChangesAsync(ct);
                if (tx is not null) await tx.CommitAsync(ct);
                return entry;
            }
            catch (DbUpdateException) when (own && attempt < 5)
            {
                // Another node appended the same sequence number first: drop ours and chain after theirs.
                foreach (var e in db.ChangeTracker.Entries().Where(e => e.Entity is AuditEntry or InstanceSetting { Key: HeadKey }).ToList())
                    e.State = EntityState.Detached;
            }
            finally
            {
                if (tx is not null) await tx.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Appends one entry on a connection of its own, leaving the caller's pending changes alone: for refusals, which
    /// are recorded although nothing else is saved.
    /// </summary>
    public async Task AppendAloneAsync(string actor, string action, string subject, object details, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuditLog>().AppendAsync(actor, action, subject, details, ct);
    }

    /// <summary>Timestamps keep whole milliseconds so that every database gives back exactly what was hashed.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];

    public static string Canonical(AuditEntry e) => string.Join('\n',
        e.Seq.ToString(CultureInfo.InvariantCulture),
        e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        e.Actor, e.Action, e.Subject, e.Details, e.PrevHash);

    public static string HashOf(AuditEntry e) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(e))));

    /// <summary>Walks the whole chain in order; returns the number of entries, or the first entry that is wrong and why.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        var expectedSeq = 1L;
        var prev = Genesis;
        AuditEntry? last = null;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (e.Seq != expectedSeq)
                return AuditVerification.Broken(expectedSeq - 1, e, e.Seq > expectedSeq
                    ? $"entries {expectedSeq}…{e.Seq - 1} are missing (deleted)"
                    : $"entry {e.Seq} is out of sequence (inserted)");
            if (e.PrevHash != prev)
                return AuditVerification.Broken(expectedSeq - 1, e, "its prev_hash does not match the previous entry's hash (an entry was inserted, deleted or altered)");
            if (HashOf(e) != e.Hash)
                return AuditVerification.Broken(expectedSeq - 1, e, "its hash does not match its content (the entry was altered)");
            prev = e.Hash;
            last = e;
            expectedSeq++;
        }
        var head = await db.InstanceSettings.AsNoTracking().Where(s => s.Key == HeadKey).Select(s => s.Value).FirstOrDefaultAsync(ct);
        var tail = last is null ? null : $"{last.Seq}:{last.Hash}";
        if (head != tail)
            return AuditVerification.Broken(expectedSeq - 1, last, head is null
                ? "the log's head record is missing (entries were added outside Gazouille)"
                : $"the newest entries are missing: the log should end at entry {head.Split(':')[0]}");
        return new AuditVerification(true, expectedSeq - 1, null, null);
    }

    public static AuditEntryEntity Render(AuditEntry e)
    {
        JsonElement details;
        try
        {
            details = JsonDocument.Parse(e.Details).RootElement.Clone();
        }
        catch (JsonException)
        {
            details = JsonSerializer.SerializeToElement(e.Details);
        }
        return new AuditEntryEntity(e.Seq, e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            e.Actor, e.Action, e.Subject, details, e.PrevHash, e.Hash);
    }
}

public sealed record AuditEntryEntity(long Seq, string At, string Actor, string Action, string Subject, JsonElement Details, string PrevHash, string Hash);

public sealed record AuditVerification(bool Intact, long GoodEntries, AuditEntry? FirstBad, string? Problem)
{
    public static AuditVerification Broken(long good, AuditEntry? bad, string problem) => new(false, good, bad, problem);
}
