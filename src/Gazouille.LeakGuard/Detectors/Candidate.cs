using Gazouille.LeakGuard.Normalization;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>What a detector saw, before combination: original offsets, a type and a first confidence.</summary>
public sealed class Candidate
{
    public Candidate(string type, int start, int end, double confidence, string? note = null, TermEntry? entry = null)
    {
        Type = type;
        Start = start;
        End = end;
        Confidence = confidence;
        Note = note;
        Entry = entry;
    }

    public string Type { get; }

    public int Start { get; }

    public int End { get; }

    public double Confidence { get; set; }

    /// <summary>Why the detector matched (e.g. "mobile", "webmail", "gitleaks:aws-access-token"); feeds the explanation.</summary>
    public string? Note { get; set; }

    public TermEntry? Entry { get; }

    public bool Overlaps(Candidate other) => Start < other.End && other.Start < End;
}

/// <summary>Everything one scan shares between detectors.</summary>
public sealed class ScanContext
{
    public ScanContext(NormalizedText text, LeakPolicy policy)
    {
        Text = text;
        Policy = policy;
    }

    public NormalizedText Text { get; }

    /// <summary>Set when a detector ran out of time and was skipped: the scan may have missed something.</summary>
    public bool Incomplete { get; set; }

    public string Original => Text.Original;

    public LeakPolicy Policy { get; }

    public List<Candidate> Candidates { get; } = [];

    /// <summary>Built-in lexicon hits in skeleton offsets, with their original spans.</summary>
    public List<(TermEntry Entry, int Start, int End, int SkelStart, int SkelEnd)> Lexicon { get; } = [];

    /// <summary>Bounds on what one scan keeps, so that a hostile megabyte of repeated terms stays linear.</summary>
    public const int MaxCandidates = 1000;

    public const int MaxLexiconHits = 2000;

    public void Add(string type, int start, int end, double confidence, string? note = null, TermEntry? entry = null)
    {
        if (start >= 0 && end <= Original.Length && start < end && Candidates.Count < MaxCandidates)
        {
            Candidates.Add(new Candidate(type, start, end, confidence, note, entry));
        }
    }

    /// <summary>True when a lexicon word of <paramref name="category"/> lies within <paramref name="window"/> chars of the span.</summary>
    /// <remarks>A plain loop: called for most findings of every post, a capturing lambda would allocate each time.</remarks>
    public bool HasNearby(string category, int start, int end, int window = 60)
    {
        foreach (var h in Lexicon)
        {
            if (h.Entry.Category == category && h.End >= start - window && h.Start <= end + window && !(h.Start >= start && h.End <= end))
            {
                return true;
            }
        }

        return false;
    }

    public bool HasNearbyBefore(string category, int start, int window)
    {
        foreach (var h in Lexicon)
        {
            if (h.Entry.Category == category && h.End <= start && h.End >= start - window)
            {
                return true;
            }
        }

        return false;
    }
}
