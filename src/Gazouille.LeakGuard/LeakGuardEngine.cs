using System.Text.RegularExpressions;
using Gazouille.LeakGuard.Decision;
using Gazouille.LeakGuard.Detectors;
using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard;

/// <summary>
/// The Leak Guard: normalize → detect → combine → decide → explain. Build one per policy and share it: it holds only
/// immutable state, so <see cref="Check"/> is safe to call from many threads at once.
/// </summary>
public sealed class LeakGuardEngine
{
    private static readonly Lazy<LeakGuardEngine> LazyDefault = new(() => new LeakGuardEngine(LeakPolicy.Default));
    private readonly TermMatcher _dictionaries;
    private readonly TermMatcher _exceptions;

    // A way out depends only on (rule, decision, audience) and the engine's immutable decision table: built once per
    // cell, then shared by every finding (LocalizedText is immutable). Filled lazily; a race only builds a cell twice.
    private static readonly int RuleCount = Enum.GetValues<LeakRule>().Length;
    private static readonly int DecisionCount = Enum.GetValues<LeakDecision>().Length;
    private static readonly int AudienceCount = Enum.GetValues<LeakAudience>().Length;
    private readonly LocalizedText?[] _wayOuts = new LocalizedText?[RuleCount * DecisionCount * AudienceCount];

    public LeakGuardEngine(LeakPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _dictionaries = new TermMatcher(policy.Terms, policy.TermSkeletons);
        _exceptions = new TermMatcher(policy.ExceptionTerms.Select(t => new TermEntry("exception", t)));
        _ = Lexicon.Matcher;
        if (policy.UseGitleaks)
        {
            _ = GitleaksRules.Embedded;
        }
    }

    /// <summary>An engine on the built-in policy (no dictionaries), for a server started without a policy file.</summary>
    public static LeakGuardEngine Default => LazyDefault.Value;

    public LeakPolicy Policy { get; }

    /// <summary>
    /// Checks <paramref name="text"/> for <paramref name="audience"/>. <paramref name="channelClient"/> is the partner
    /// org of a partners channel (its handle or client name): naming that client there is not a leak.
    /// Never throws on any input; a detector that hits its regex time limit is skipped and the verdict says so
    /// (<see cref="LeakVerdict.Incomplete"/>, with a stricter decision).
    /// </summary>
    public LeakVerdict Check(string text, LeakAudience audience, string? channelClient = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return LeakVerdict.Empty(audience);
        }

        // The offset maps are pooled: every detector has mapped its offsets back once Scan returns. The context (its
        // lists and candidates) is this thread's, reused by the next check: the findings below copy what they need.
        var ctx = t_context is { InUse: false } reused ? reused : (t_context = new ScanContext());
        ctx.InUse = true;
        try
        {
            ctx.Reset(TextNormalizer.Normalize(text, pooled: true), Policy);
            Scan(ctx);
            ctx.Text.ReturnPooled();
            var judged = Combiner.Combine(ctx, channelClient);
            var findings = new List<LeakFinding>(judged.Count);
            var decision = LeakDecision.Allow;
            var keep = 1.0;
            foreach (var (c, rule) in judged)
            {
                var d = Policy.Decisions[rule, audience];
                decision = d > decision ? d : decision;
                keep *= 1 - (c.Confidence * rule.Weight());
                findings.Add(new LeakFinding(c.Type, c.Start, c.End, text, Math.Round(c.Confidence, 3), rule, d, c.Note,
                    WayOut(rule, d, audience)));
            }

            return Verdict(findings, decision, keep, audience, ctx.Incomplete);
        }
        finally
        {
            ctx.Release();
            ctx.InUse = false;
        }
    }

    [ThreadStatic]
    private static ScanContext? t_context;

    private static LeakVerdict Verdict(List<LeakFinding> findings, LeakDecision decision, double keep, LeakAudience audience, bool incomplete)
    {
        findings.Sort(ByStart);
        if (incomplete)
        {
            // Fail closed: a check that could not finish must not let the post out as if it had.
            var floor = audience >= LeakAudience.Partners ? LeakDecision.Hold : LeakDecision.Warn;
            decision = floor > decision ? floor : decision;
        }

        return new LeakVerdict(decision, Math.Round(1 - keep, 3), findings, audience) { Incomplete = incomplete };
    }

    private static readonly Comparison<LeakFinding> ByStart = (a, b) => a.Start.CompareTo(b.Start);

    private LocalizedText WayOut(LeakRule rule, LeakDecision decision, LeakAudience audience)
    {
        var cell = (((int)rule * DecisionCount) + (int)decision) * AudienceCount + (int)audience;
        if ((uint)cell >= (uint)_wayOuts.Length)
        {
            return Explainer.WayOut(rule, decision, audience, Policy.Decisions);
        }

        return _wayOuts[cell] ??= Explainer.WayOut(rule, decision, audience, Policy.Decisions);
    }

    /// <summary>A detector run after the built-in ones (tests use it to make a detector time out).</summary>
    internal Action<ScanContext>? ExtraDetector { get; init; }

    /// <summary>Every candidate the detectors produced, before thresholds and combination (for evaluation and tuning).</summary>
    public IReadOnlyList<Candidate> Detect(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var ctx = new ScanContext(TextNormalizer.Normalize(text), Policy);
        Scan(ctx);
        return ctx.Candidates;
    }

    private void Scan(ScanContext ctx)
    {
        // Static lambdas and method groups: no delegate or closure is allocated per check.
        Run(ctx, WordListDetector.DetectLexicon);
        Run(ctx, this, static (c, engine) => WordListDetector.DetectDictionaries(c, engine._dictionaries));
        Run(ctx, this, static (c, engine) => SecretDetector.Detect(c, engine.Policy.UseGitleaks));
        Run(ctx, IdentifierDetector.Detect);
        Run(ctx, ContactDetector.Detect);
        Run(ctx, NetworkDetector.Detect);
        Run(ctx, QuantityDetector.Detect);
        if (ExtraDetector is { } extra)
        {
            Run(ctx, extra);
        }

        DropExceptions(ctx);
    }

    /// <summary>Removes every candidate that lies wholly inside a match of an exception term.</summary>
    private void DropExceptions(ScanContext ctx)
    {
        if (_exceptions.KeyCount == 0 || ctx.Candidates.Count == 0)
        {
            return;
        }

        var hits = new List<TermHit>();
        var skeleton = ctx.Text.Skeleton;
        _exceptions.FindAll(skeleton.Span, hits);
        if (hits.Count == 0)
        {
            return;
        }

        var spans = hits.Select(h => skeleton.ToOriginal(h.Start, h.End)).ToList();
        ctx.Candidates.RemoveAll(c => spans.Exists(s => c.Start >= s.Start && c.End <= s.End));
    }

    private static void Run(ScanContext ctx, Action<ScanContext> detector) => Run(ctx, detector, static (c, d) => d(c));

    private static void Run<TState>(ScanContext ctx, TState state, Action<ScanContext, TState> detector)
    {
        try
        {
            detector(ctx, state);
        }
        catch (RegexMatchTimeoutException)
        {
            // Hostile input (or an overloaded machine) made a pattern run long: keep what the other detectors found
            // rather than fail, and say the scan is incomplete so that the decision fails closed.
            ctx.Incomplete = true;
        }
    }
}
