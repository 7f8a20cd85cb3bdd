using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Statuses;
using Gazouille.LeakGuard;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.LeakGuard;

/// <summary>Checks a draft for an audience without saving anything: the API's check endpoint and the web compose box's tips.</summary>
public sealed class LeakChecker(GazouilleDb db, LeakGate guard, LeakPolicyStore policies)
{
    public async Task<LeakCheckEntity> CheckAsync(Viewer viewer, string text, string? rawAudience, CancellationToken ct)
    {
        if (text.Length > LeakGuardApi.MaxCheckLength) throw ApiException.Unprocessable($"Validation failed: text is longer than {LeakGuardApi.MaxCheckLength} characters");
        if (string.IsNullOrWhiteSpace(rawAudience))
            rawAudience = await db.Users.AsNoTracking().Where(a => a.Id == viewer.AccountId).Select(a => a.DefaultAudience).FirstOrDefaultAsync(ct) ?? "company";
        if (rawAudience.Length > 300) throw ApiException.Unprocessable("Validation failed: audience is too long");

        LeakTarget target;
        string? team = null;
        if (AudienceSpec.TryParse(rawAudience, out var spec, out _))
        {
            team = spec.Team;
            var orgIds = spec.Orgs.Length == 0 ? [] : await db.PartnerOrgs.AsNoTracking().Where(o => spec.Orgs.Contains(o.Handle)).Select(o => o.Id).ToListAsync(ct);
            var recipients = new List<long>();
            if (spec.Kind == AudienceKind.Direct)
            {
                var names = StatusText.Mentions(text).Take(30).Select(n => n.ToUpperInvariant()).ToArray();
                recipients = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(viewer))
                    .Where(a => names.Contains(a.NormalizedUserName!)).Select(a => a.Id).ToListAsync(ct);
            }
            target = await guard.TargetAsync(viewer, spec.Kind, orgIds, recipients, ct);
        }
        else if (LeakAudiences.TryParse(rawAudience, out var bare, out var client) && !rawAudience.Contains(':', StringComparison.Ordinal))
        {
            target = new LeakTarget(viewer.IsGuest ? LeakAudience.Partners : bare, client);
        }
        else
        {
            throw ApiException.Unprocessable("Validation failed: audience must be one of direct, followers, team:<team>, company, partners:<team>[:<org>,…] or public");
        }

        var engine = await policies.EngineAsync(ct);
        var verdict = LeakGate.Judge(engine, text, "", target);
        var lang = await guard.LanguageAsync(viewer.AccountId, ct);
        var suggestion = verdict.Decision == LeakDecision.Allow || viewer.IsGuest ? null : await SuggestAsync(db, viewer, engine, text, target, team, ct);
        return new LeakCheckEntity(verdict.Decision.ToWire(), verdict.Score, target.Audience.ToWire(),
            verdict.Findings.Select(f => LeakReport.ToEntity(f, lang)).ToArray(), suggestion, policies.CachedVersion);
    }

    /// <summary>The widest narrower audience in which the text would be allowed, written as the API writes audiences.</summary>
    private static async Task<string?> SuggestAsync(GazouilleDb db, Viewer viewer, LeakGuardEngine engine, string text, LeakTarget target, string? team, CancellationToken ct)
    {
        team ??= viewer.TeamIds.Length == 0 ? null
            : await db.Teams.AsNoTracking().Where(t => viewer.TeamIds.Contains(t.Id)).OrderBy(t => t.Handle).Select(t => t.Handle).FirstOrDefaultAsync(ct);
        for (var a = (int)target.Audience - 1; a >= 0; a--)
        {
            var audience = (LeakAudience)a;
            var written = audience switch
            {
                LeakAudience.Partners => team is null ? null : $"partners:{team}",
                LeakAudience.Company => "company",
                LeakAudience.Followers => "followers",
                _ => team is null ? null : $"team:{team}",
            };
            if (written is null) continue;
            if (engine.Check(text, audience, audience == LeakAudience.Partners ? target.ChannelClient : null).Decision == LeakDecision.Allow) return written;
        }
        return null;
    }
}
