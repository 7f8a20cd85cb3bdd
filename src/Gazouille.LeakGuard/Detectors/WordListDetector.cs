using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// Word lists on the skeleton view: the built-in lexicon (markers, complaint, context words) and the policy's
/// dictionaries. An ambiguous term ("Neptune", "basilic", "secret") counts only with supporting context nearby.
/// </summary>
internal static class WordListDetector
{
    private const int ContextWindow = 80;

    [ThreadStatic]
    private static List<TermHit>? _hits;

    public static void DetectLexicon(ScanContext ctx)
    {
        var skeleton = ctx.Text.Skeleton;
        var hits = Hits();
        var matcher = Lexicon.Matcher;
        matcher.FindAll(skeleton.Span, hits);

        // One array of the right size rather than the 4, 8, 16… of a growing list (32 bytes an item).
        ctx.Lexicon.EnsureCapacity(Math.Min(hits.Count, ScanContext.MaxLexiconHits));
        foreach (var hit in hits)
        {
            if (ctx.Lexicon.Count >= ScanContext.MaxLexiconHits)
            {
                break;
            }

            var entry = matcher.Entries[hit.Entry];
            var (start, end) = skeleton.ToOriginal(hit.Start, hit.End);
            ctx.Lexicon.Add((entry, start, end, hit.Start, hit.End));
        }

        foreach (var (entry, start, end, _, _) in ctx.Lexicon)
        {
            switch (entry.Category)
            {
                case Lexicon.Confidential:
                    var supported = !entry.Ambiguous || ctx.HasNearby(Lexicon.BusinessContext, start, end, ContextWindow);
                    ctx.Add(FindingTypes.ConfidentialMarker, start, end, supported ? Math.Max(entry.Weight, 0.85) : 0.3, "marker", entry);
                    break;
                case Lexicon.InternalOnly:
                    ctx.Add(FindingTypes.InternalOnlyMarker, start, end, 0.85, "marker", entry);
                    break;
                case Lexicon.Negative:
                    AddNegative(ctx, entry, start, end);
                    break;
            }
        }
    }

    public static void DetectDictionaries(ScanContext ctx, TermMatcher matcher)
    {
        if (matcher.KeyCount == 0)
        {
            return;
        }

        var skeleton = ctx.Text.Skeleton;
        var hits = Hits();
        matcher.FindAll(skeleton.Span, hits);
        var found = ctx.Found;
        found.Clear();
        foreach (var hit in hits.Count > ScanContext.MaxCandidates ? hits[..ScanContext.MaxCandidates] : hits)
        {
            var entry = matcher.Entries[hit.Entry];
            var (start, end) = skeleton.ToOriginal(hit.Start, hit.End);
            var ambiguous = entry.Ambiguous || ctx.Policy.AmbiguousTermLookup.Contains(skeleton.Span.Slice(hit.Start, hit.Length));
            found.Add((entry, start, end, ambiguous));
        }

        foreach (var (entry, start, end, ambiguous) in found)
        {
            var confidence = 0.9;
            var note = "dictionary";
            if (ambiguous)
            {
                // Supporting evidence, as Purview and Presidio use it: a business word or another unambiguous term nearby.
                var support = ctx.HasNearby(Lexicon.BusinessContext, start, end, ContextWindow) || HasNamedNeighbour(found, start);
                confidence = support ? 0.8 : 0.3;
                note = support ? "dictionary+context" : "common-word";
            }

            ctx.Add(entry.Category, start, end, confidence, note, entry);
        }
    }

    /// <summary>An unambiguous client or project within the context window of <paramref name="start"/>.</summary>
    private static bool HasNamedNeighbour(List<(TermEntry Entry, int Start, int End, bool Ambiguous)> found, int start)
    {
        foreach (var f in found)
        {
            if (!f.Ambiguous && f.Entry.Category is FindingTypes.Client or FindingTypes.Project
                && Math.Abs(f.Start - start) <= ContextWindow && f.Start != start)
            {
                return true;
            }
        }

        return false;
    }

    private static void AddNegative(ScanContext ctx, TermEntry entry, int start, int end)
    {
        // "pas de galère", "not a nightmare": a negation just before turns the complaint off.
        var negated = false;
        foreach (var h in ctx.Lexicon)
        {
            if (h.Entry.Category == Lexicon.Negation && h.End <= start && h.End >= start - 12 && !(h.Start <= start && h.End >= end))
            {
                negated = true;
                break;
            }
        }

        var intensified = ctx.HasNearby(Lexicon.Intensifier, start, end, 25);
        var confidence = negated ? 0.15 : Math.Min(1, entry.Weight + (intensified ? 0.1 : 0));
        ctx.Add(FindingTypes.Negative, start, end, confidence, negated ? "negated" : intensified ? "intensified" : "complaint", entry);
    }

    private static List<TermHit> Hits()
    {
        var hits = _hits ??= new List<TermHit>(32);
        hits.Clear();
        return hits;
    }
}
