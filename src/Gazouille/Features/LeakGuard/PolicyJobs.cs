using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.LeakGuard;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.LeakGuard;

/// <summary>A post the current policy would hold or block, found by a rescan (nothing is unpublished).</summary>
public sealed record RescanHit(string StatusId, string Author, string Audience, string Decision, string[] Types, string CreatedAt);

/// <summary>A long policy task run in the background: a dictionary import or a rescan of recent posts.</summary>
public sealed class PolicyJob
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string StartedBy { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    private double _progress;
    /// <summary>0..1.</summary>
    public double Progress { get => Volatile.Read(ref _progress); set => Volatile.Write(ref _progress, value); }
    public string State { get; set; } = "running";
    /// <summary>What came out, in the product's words (English for the API; the pages say it in the reader's language).</summary>
    public string? Error { get; set; }
    public string[] Errors { get; set; } = [];
    public int Scanned { get; set; }
    public int Added { get; set; }
    public int PolicyVersion { get; set; }
    public int Days { get; set; }
    public ConcurrentQueue<RescanHit> Hits { get; } = new();
    public bool Truncated { get; set; }
}

/// <summary>
/// Runs policy jobs on the thread pool with a scope of their own, one of each kind at a time per node, and keeps the
/// last few in memory (a restart forgets them; the audit log keeps what they changed).
/// </summary>
public sealed class PolicyJobs(IServiceScopeFactory scopes, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<PolicyJobs> logger)
{
    public const int MaxDays = 365;
    public const int MaxHits = 5_000;
    private readonly ConcurrentDictionary<string, PolicyJob> _jobs = new();

    public PolicyJob? Find(string id) => _jobs.GetValueOrDefault(id);

    public IReadOnlyList<PolicyJob> Recent() => _jobs.Values.OrderByDescending(j => j.StartedAt).Take(10).ToList();

    private PolicyJob Start(string kind, string actor, Func<PolicyJob, IServiceProvider, CancellationToken, Task> work)
    {
        if (_jobs.Values.Any(j => j.Kind == kind && j.State == "running"))
            throw new ApiException(StatusCodes.Status409Conflict, kind == "rescan" ? "A rescan is already running; wait for it to finish." : "An import is already running; wait for it to finish.");
        var job = new PolicyJob { Id = Guid.NewGuid().ToString("N")[..16], Kind = kind, StartedBy = actor, StartedAt = clock.GetUtcNow() };
        _jobs[job.Id] = job;
        foreach (var old in _jobs.Values.OrderByDescending(j => j.StartedAt).Skip(20)) _jobs.TryRemove(old.Id, out _);
        var ct = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await work(job, scope.ServiceProvider, ct);
                if (job.State == "running") job.State = "done";
                job.Progress = 1;
            }
            catch (ApiException e)
            {
                (job.State, job.Error) = ("failed", e.Explanation);
                job.Errors = e.Extra?.GetValueOrDefault("errors") as string[] ?? [];
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "Policy job {Kind} {Id} failed", job.Kind, job.Id);
                (job.State, job.Error) = ("failed", ct.IsCancellationRequested ? "The server stopped before the job finished." : "The job failed; the server log says why.");
            }
        }, CancellationToken.None);
        return job;
    }

    /// <summary>Imports a dictionary file into <paramref name="category"/>, merged with its terms or replacing them.</summary>
    public PolicyJob StartImport(string actor, int expectedVersion, string category, byte[] data, bool csv, bool replace) =>
        Start("import", actor, async (job, sp, ct) =>
        {
            var read = PolicyTermFile.Read(data, csv, p => job.Progress = p * 0.8, ct);
            if (read.Errors.Count > 0)
            {
                (job.State, job.Error, job.Errors) = ("failed", "Nothing was imported: the file has errors.", read.Errors.ToArray());
                return;
            }
            if (read.Terms.Count > PolicyEditor.MaxTerms)
            {
                (job.State, job.Error) = ("failed", $"Nothing was imported: the file has {read.Terms.Count} terms; a dictionary holds at most {PolicyEditor.MaxTerms}.");
                return;
            }
            job.Scanned = read.Terms.Count;
            var editor = sp.GetRequiredService<PolicyEditor>();
            var added = 0;
            job.PolicyVersion = await editor.ChangeAsync(actor, expectedVersion,
                new { kind = replace ? "dictionary.replace" : "dictionary.import", category, terms_in_file = read.Terms.Count, format = csv ? "csv" : "text" },
                tree =>
                {
                    var dictionary = PolicyEditor.Dictionary(tree, category);
                    if (replace) dictionary.Clear();
                    added = PolicyEditor.Merge(dictionary, read.Terms);
                    return dictionary.Count > PolicyEditor.MaxTerms ? $"The dictionary would hold more than {PolicyEditor.MaxTerms} terms." : null;
                }, ct);
            job.Added = added;
        });

    /// <summary>
    /// Checks every post published in the last <paramref name="days"/> days against the policy in force, and lists those
    /// it would hold or block. Nothing is changed; the rescan is audited when it ends.
    /// </summary>
    public PolicyJob StartRescan(string actor, int days)
    {
        if (days is < 1 or > MaxDays) throw ApiException.Unprocessable($"Validation failed: days must be between 1 and {MaxDays}");
        var started = Start("rescan", actor, async (job, sp, ct) =>
        {
            var db = sp.GetRequiredService<GazouilleDb>();
            var store = sp.GetRequiredService<LeakPolicyStore>();
            var engine = await store.EngineAsync(ct);
            job.PolicyVersion = store.CachedVersion;
            // Ids are time-ordered snowflakes: a range of ids is a range of creation times, which every database compares.
            var minId = Snowflake.MinIdAt(clock.GetUtcNow().AddDays(-days));
            var posts = db.Statuses.AsNoTracking().Where(s => s.State == StatusState.Published && s.ReblogOfId == null && s.Id >= minId);
            var total = await posts.CountAsync(ct);
            long after = 0;
            int holds = 0, blocks = 0;
            while (true)
            {
                var batch = await posts.Where(s => s.Id > after).OrderBy(s => s.Id).Take(500)
                    .Select(s => new
                    {
                        s.Id, s.Text, s.SpoilerText, s.AudienceKind, s.CreatedAt, Author = s.Account!.UserName!, AuthorGuest = s.Account.PartnerOrgId != null,
                        Orgs = s.AudienceOrgs.Select(o => o.PartnerOrgId).ToList(),
                        GuestMentioned = s.Mentions.Any(m => m.Account!.PartnerOrgId != null),
                    }).ToListAsync(ct);
                if (batch.Count == 0) break;
                var orgIds = batch.SelectMany(b => b.Orgs).Distinct().ToList();
                var orgNames = await db.PartnerOrgs.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
                foreach (var s in batch)
                {
                    var target = s.AudienceKind switch
                    {
                        AudienceKind.Team => new LeakTarget(LeakAudience.Team, null),
                        AudienceKind.Followers => new LeakTarget(LeakAudience.Followers, null),
                        AudienceKind.Company => new LeakTarget(LeakAudience.Company, null),
                        AudienceKind.Public => new LeakTarget(LeakAudience.Public, null),
                        AudienceKind.Partners => new LeakTarget(LeakAudience.Partners, s.Orgs.Count == 1 ? orgNames.GetValueOrDefault(s.Orgs[0]) : null),
                        _ => s.GuestMentioned || s.AuthorGuest ? new LeakTarget(LeakAudience.Partners, null) : new LeakTarget(LeakAudience.Followers, null),
                    };
                    var j = LeakGate.Judge(engine, s.Text, s.SpoilerText, target);
                    if (j.Decision >= LeakDecision.Hold)
                    {
                        if (j.Decision == LeakDecision.Hold) holds++;
                        else blocks++;
                        if (job.Hits.Count < MaxHits)
                            job.Hits.Enqueue(new RescanHit(Ids.Format(s.Id), s.Author, target.Audience.ToWire(), j.Decision.ToWire(),
                                j.Findings.Select(f => f.Finding.Type).Distinct().ToArray(), Accounts.AccountRenderer.Iso(s.CreatedAt)!));
                        else job.Truncated = true;
                    }
                    job.Scanned++;
                }
                after = batch[^1].Id;
                job.Progress = Math.Min(0.99, (double)job.Scanned / Math.Max(1, total));
            }
            await sp.GetRequiredService<AuditLog>().AppendAsync(actor, "policy.rescan", $"policy:{job.PolicyVersion}",
                new { days, policy_version = job.PolicyVersion, scanned = job.Scanned, would_hold = holds, would_block = blocks }, ct);
        });
        started.Days = days;
        return started;
    }
}
