using System.Security.Cryptography;
using System.Text;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Hosting;
using Gazouille.LeakGuard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.LeakGuard;

/// <summary>
/// The instance's policy, stored in the database (so every node and the CLI share it), and the engine built from it,
/// cached per process. A node looks for a newer stored version at most every few seconds; a change saved through this
/// process takes effect at once. Until an admin imports a policy, the built-in default applies.
/// </summary>
public sealed class LeakPolicyStore(IServiceScopeFactory scopes, TimeProvider clock, IOptions<GazouilleSettings> settings, ILogger<LeakPolicyStore> logger) : IDisposable
{
    private sealed record Snapshot(int Version, LeakGuardEngine Engine, DateTimeOffset CheckedAt);

    private Snapshot _current = new(-1, LeakGuardEngine.Default, DateTimeOffset.MinValue);
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public void Dispose() => _refresh.Dispose();

    public async ValueTask<LeakGuardEngine> EngineAsync(CancellationToken ct = default)
    {
        var snap = Volatile.Read(ref _current);
        if (clock.GetUtcNow() - snap.CheckedAt < TimeSpan.FromSeconds(settings.Value.LeakGuard.PolicyRefreshSeconds)) return snap.Engine;
        // One request looks for a new version; the others keep using the engine they have (unless there is none yet).
        if (!await _refresh.WaitAsync(snap.Version < 0 ? Timeout.Infinite : 0, ct)) return snap.Engine;
        try
        {
            snap = Volatile.Read(ref _current);
            if (clock.GetUtcNow() - snap.CheckedAt < TimeSpan.FromSeconds(settings.Value.LeakGuard.PolicyRefreshSeconds)) return snap.Engine;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            var version = await db.LeakPolicyDocuments.MaxAsync(d => (int?)d.Version, ct) ?? 0;
            var engine = snap.Engine;
            if (version != snap.Version)
            {
                engine = LeakGuardEngine.Default;
                if (version > 0)
                {
                    var doc = await db.LeakPolicyDocuments.AsNoTracking().FirstAsync(d => d.Version == version, ct);
                    try
                    {
                        engine = new LeakGuardEngine(LeakPolicy.Parse(doc.Text, Format(doc.Format)));
                    }
                    catch (LeakPolicyException e)
                    {
                        // Saved policies were validated; a later engine may read one differently. Keep guarding with the last good one.
                        logger.LogError("The stored Leak Guard policy version {Version} cannot be used: {Error}", version, e.Message);
                        engine = snap.Version > 0 ? snap.Engine : LeakGuardEngine.Default;
                    }
                }
            }
            Volatile.Write(ref _current, new Snapshot(version, engine, clock.GetUtcNow()));
            return engine;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The version in force (0: the built-in default), as this node last saw it.</summary>
    public int CachedVersion => Math.Max(0, Volatile.Read(ref _current).Version);

    public static PolicyFormat Format(string format) => format == "yaml" ? PolicyFormat.Yaml : PolicyFormat.Json;

    /// <summary>
    /// Validates and saves a new version, audited in the same transaction (<paramref name="action"/>, with
    /// <paramref name="change"/> saying what an edit from the admin pages changed); throws <see cref="LeakPolicyException"/>
    /// (nothing saved) when the policy cannot be used.
    /// </summary>
    public async Task<(LeakPolicyDocument Document, LeakPolicy Policy)> SaveAsync(GazouilleDb db, AuditLog audit, string text, PolicyFormat format, string actor, CancellationToken ct,
        string action = "policy.import", object? change = null)
    {
        if (format == PolicyFormat.Auto) format = text.AsSpan().TrimStart() is ['{', ..] ? PolicyFormat.Json : PolicyFormat.Yaml;
        var policy = LeakPolicy.Parse(text, format);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var version = (await db.LeakPolicyDocuments.MaxAsync(d => (int?)d.Version, ct) ?? 0) + 1;
        var doc = new LeakPolicyDocument
        {
            Id = Snowflake.NewId(now), Version = version, Format = format == PolicyFormat.Yaml ? "yaml" : "json", Text = text,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), ChangedBy = actor, ChangedAt = now,
        };
        db.LeakPolicyDocuments.Add(doc);
        await audit.AppendAsync(actor, action, $"policy:{version}", new
        {
            version, format = doc.Format, sha256 = doc.Sha256, terms = policy.Terms.Count,
            internal_domains = policy.InternalDomains.Count, internal_networks = policy.InternalNetworks.Count, change,
        }, ct);
        await tx.CommitAsync(ct);
        Volatile.Write(ref _current, new Snapshot(version, new LeakGuardEngine(policy), clock.GetUtcNow()));
        return (doc, policy);
    }
}
