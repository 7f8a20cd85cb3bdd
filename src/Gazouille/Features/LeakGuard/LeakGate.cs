using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Audit;
using Gazouille.Features.Statuses;
using Gazouille.Hosting;
using Gazouille.LeakGuard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.LeakGuard;

/// <summary>The guard's audience for a post, and the partner org it is addressed to when there is exactly one.</summary>
public sealed record LeakTarget(LeakAudience Audience, string? ChannelClient);

/// <summary>
/// Where the Leak Guard meets publishing: maps a post's audience to the guard's, judges a text, and turns the verdict
/// into what happens — published, held for review, or refused with an explanation (and an audit entry) — for posts,
/// edits, profiles and team descriptions alike.
/// </summary>
public sealed class LeakGate(
    GazouilleDb db, LeakPolicyStore policies, AuditLog audit, IOptions<GazouilleSettings> settings, IHttpContextAccessor http, Operations.GazouilleMetrics metrics)
{
    /// <summary>
    /// team → team, followers → followers, company → company, partners → partners, public → public. A direct message
    /// is judged as partners when it reaches a guest (leaving the company), else as a followers post. The channel's
    /// client is passed when the post reaches exactly one partner org, so naming that client there is fine.
    /// </summary>
    public async Task<LeakTarget> TargetAsync(Viewer author, AudienceKind kind, IReadOnlyCollection<long> orgIds, IReadOnlyCollection<long> recipients, CancellationToken ct)
    {
        switch (kind)
        {
            case AudienceKind.Team: return new(LeakAudience.Team, null);
            case AudienceKind.Followers: return new(LeakAudience.Followers, null);
            case AudienceKind.Company: return new(LeakAudience.Company, null);
            case AudienceKind.Public: return new(LeakAudience.Public, null);
            case AudienceKind.Partners:
                var orgs = orgIds.Count > 0 ? orgIds : author.IsGuest ? [author.PartnerOrgId] : [];
                return new(LeakAudience.Partners, orgs.Count == 1 ? await OrgNameAsync(orgs.First(), ct) : null);
            default:
                var ids = recipients.ToArray();
                var guestOrgs = ids.Length == 0 ? [] : await db.Users.AsNoTracking().Where(a => ids.Contains(a.Id) && a.PartnerOrgId != null)
                    .Select(a => a.PartnerOrgId!.Value).Distinct().ToListAsync(ct);
                if (author.IsGuest && !guestOrgs.Contains(author.PartnerOrgId)) guestOrgs.Add(author.PartnerOrgId);
                return guestOrgs.Count == 0
                    ? new(LeakAudience.Followers, null)
                    : new(LeakAudience.Partners, guestOrgs.Count == 1 ? await OrgNameAsync(guestOrgs[0], ct) : null);
        }
    }

    private Task<string?> OrgNameAsync(long orgId, CancellationToken ct) =>
        db.PartnerOrgs.AsNoTracking().Where(o => o.Id == orgId).Select(o => o.Name).FirstOrDefaultAsync(ct);

    public async Task<LeakJudgement> JudgeAsync(string text, string spoiler, LeakTarget target, CancellationToken ct)
    {
        var engine = await policies.EngineAsync(ct);
        return Judge(engine, text, spoiler, target);
    }

    public static LeakJudgement Judge(LeakGuardEngine engine, string text, string spoiler, LeakTarget target)
    {
        var main = engine.Check(text, target.Audience, target.ChannelClient);
        var findings = main.Findings.Select(f => new FieldFinding("status", f)).ToList();
        if (spoiler.Length == 0) return new LeakJudgement(main.Decision, main.Score, target.Audience, findings);
        var cw = engine.Check(spoiler, target.Audience, target.ChannelClient);
        findings.AddRange(cw.Findings.Select(f => new FieldFinding("spoiler_text", f)));
        return new LeakJudgement((LeakDecision)Math.Max((int)main.Decision, (int)cw.Decision),
            Math.Round(1 - ((1 - main.Score) * (1 - cw.Score)), 3), target.Audience, findings);
    }

    /// <summary>The author's language: the account's, else the request's Accept-Language, else French.</summary>
    public async Task<string> LanguageAsync(long accountId, CancellationToken ct) =>
        LanguageOf(accountId == 0 ? null : await db.Users.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.Language).FirstOrDefaultAsync(ct));

    /// <summary>The author's language from their account's setting (already read), else the request's, else French.</summary>
    public string LanguageOf(string? accountLanguage)
    {
        if (accountLanguage is "fr" or "en") return accountLanguage;
        var accept = http.HttpContext?.Request.Headers.AcceptLanguage.ToString() ?? "";
        foreach (var part in accept.Split(','))
        {
            var tag = part.Split(';')[0].Trim();
            if (tag.StartsWith("fr", StringComparison.OrdinalIgnoreCase)) return "fr";
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return "en";
        }
        return "fr";
    }

    public async Task<string> ActorAsync(long accountId, CancellationToken ct) =>
        accountId == 0 ? "system" : "@" + (await db.Users.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.UserName).FirstOrDefaultAsync(ct) ?? accountId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Checks a justification sent with <c>leak_guard_override</c>; null when none was sent.</summary>
    public string? ValidateOverride(string? raw)
    {
        if (raw is null) return null;
        var text = StatusText.NormalizeNewlines(raw).Trim();
        var max = Math.Min(settings.Value.LeakGuard.OverrideMaxLength, LeakReview.OverrideMaxLength);
        if (text.Length == 0) throw ApiException.Unprocessable("Validation failed: leak_guard_override must say why the post is fine (it cannot be empty)");
        if (text.Length > max) throw ApiException.Unprocessable($"Validation failed: leak_guard_override is longer than {max} characters");
        if (text.Any(c => char.IsControl(c) && c != '\n') || !StatusText.IsWellFormed(text))
            throw ApiException.Unprocessable("Validation failed: leak_guard_override contains characters that are not text");
        return text;
    }

    /// <summary>
    /// What a post becomes: Published (allow, or warn with a justification) or Held (hold). A warning without a
    /// justification and a block are refused with a 422 the author understands; refusals are audited here, in their
    /// own transaction, while a published or held post is audited by the caller with the post itself.
    /// </summary>
    public async Task<StatusState> DecideAsync(long authorId, LeakJudgement j, string? justification, string audience, string subject, CancellationToken ct)
    {
        metrics.LeakGuardDecision(j.Decision.ToWire());
        switch (j.Decision)
        {
            case LeakDecision.Allow:
                return StatusState.Published;
            case LeakDecision.Warn when justification is not null:
                return StatusState.Published;
            case LeakDecision.Hold:
                return StatusState.Held;
            default:
                var lang = await LanguageAsync(authorId, ct);
                await audit.AppendAloneAsync(await ActorAsync(authorId, ct), j.Decision == LeakDecision.Warn ? "leak_guard.warn" : "leak_guard.block",
                    subject, LeakReport.AuditDetails(j, audience), ct);
                throw Refusal(j, lang);
        }
    }

    /// <summary>The 422 of a refused text: a sentence for a person (Mastodon apps show it) and the findings.</summary>
    public static ApiException Refusal(LeakJudgement j, string lang, string? extraEn = null, string? extraFr = null)
    {
        var fr = lang == "fr";
        var decisive = j.Decisive?.Finding;
        var reason = decisive is null ? "" : " " + decisive.Reason.In(lang);
        var wayOut = decisive is null ? "" : " " + decisive.WayOut.In(lang);
        var message = j.Decision == LeakDecision.Warn
            ? fr ? $"À vérifier avant publication :{reason}{wayOut} Pour publier quand même, renvoyez-le avec leak_guard_override et une courte justification."
                 : $"Please check before publishing:{reason}{wayOut} To publish it anyway, send it again with leak_guard_override and a short justification."
            : fr ? $"Non publié :{reason}{wayOut}" : $"Not published:{reason}{wayOut}";
        var extra = fr ? extraFr : extraEn;
        if (extra is not null) message += " " + extra;
        return new ApiException(StatusCodes.Status422UnprocessableEntity, message)
        {
            Extra = new Dictionary<string, object?>
            {
                ["leak_guard"] = new LeakGuardVerdictEntity("not_published", j.Decision.ToWire(), j.Score, j.Audience.ToWire(),
                    j.Findings.Select(f => LeakReport.ToEntity(f, lang)).ToArray()),
            },
        };
    }

    /// <summary>
    /// Profiles (display name, bio) and team descriptions are read by the guests of partner organizations, so they are
    /// judged as partners. There is no review queue for them: a hold is refused like a block; a warning needs
    /// <c>leak_guard_override</c> like a post.
    /// </summary>
    public async Task CheckProfileTextAsync(long actorId, string? actorName, string field, string text, string? justification, string subject, CancellationToken ct)
    {
        if (text.Length == 0) return;
        var j = await JudgeAsync(text, "", new LeakTarget(LeakAudience.Partners, null), ct);
        if (j.Decision == LeakDecision.Allow) return;
        var actor = actorName ?? await ActorAsync(actorId, ct);
        var details = LeakReport.AuditDetails(j, "profile:" + field, justification);
        if (j.Decision == LeakDecision.Warn && justification is not null)
        {
            await audit.AppendAloneAsync(actor, "leak_guard.override", subject, details, ct);
            return;
        }
        await audit.AppendAloneAsync(actor, "leak_guard." + j.Decision.ToWire(), subject, details, ct);
        throw Refusal(j, await LanguageAsync(actorId, ct),
            j.Decision == LeakDecision.Hold ? $"({field} is read by partner organizations' guests and cannot wait for review: change it.)" : null,
            j.Decision == LeakDecision.Hold ? $"({field} est lu par les invités des partenaires et ne peut pas attendre une relecture : modifiez-le.)" : null);
    }
}

/// <summary>The <c>leak_guard</c> of a check or a refused post.</summary>
public sealed record LeakGuardVerdictEntity(string State, string Decision, double Score, string Audience, FindingEntity[] Findings);
