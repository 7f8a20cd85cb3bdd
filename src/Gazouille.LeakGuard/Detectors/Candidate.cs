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

    public string Type { get; private set; }

    public int Start { get; private set; }

    public int End { get; private set; }

    public double Confidence { get; set; }

    /// <summary>Why the detector matched (e.g. "mobile", "webmail", "gitleaks:aws-access-token"); feeds the explanation.</summary>
    public string? Note { get; set; }

    public TermEntry? Entry { get; private set; }

    /// <summary>Reuses this object for another candidate (the engine's per-thread context recycles them between checks).</summary>
    internal void Set(string type, int start, int end, double confidence, string? note, TermEntry? entry)
    {
        Type = type;
        Start = start;
        End = end;
        Confidence = confidence;
        Note = note;
        Entry = entry;
    }

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

    /// <summary>
    /// A context that <see cref="Reset"/> prepares for each check of one thread: its lists keep their arrays and its
    /// candidates are recycled, so a check allocates none of them. Nothing it holds may outlive the check.
    /// </summary>
    internal ScanContext()
    {
        Text = null!;
        Policy = null!;
        _recycle = [];
    }

    // Every candidate this context has made (recycled contexts only), the first _used of them in use by this check.
    private readonly List<Candidate>? _recycle;
    private int _used;

    /// <summary>True while a check runs on this recycled context (a nested check on the same thread takes a new one).</summary>
    internal bool InUse { get; set; }

    internal void Reset(NormalizedText text, LeakPolicy policy)
    {
        Text = text;
        Policy = policy;
        Incomplete = false;
        Candidates.Clear();
        Lexicon.Clear();
        _used = 0;
    }

    /// <summary>
    /// Drops every reference to the finished check (its text, its policy, the terms its candidates name), so that an
    /// idle thread does not keep a replaced policy alive; the lists keep their arrays.
    /// </summary>
    internal void Release()
    {
        Text = null!;
        Policy = null!;
        Candidates.Clear();
        Lexicon.Clear();
        Strong.Clear();
        Kept.Clear();
        Judged.Clear();
        Found.Clear();
        for (var i = 0; i < _used; i++)
        {
            _recycle![i].Set(string.Empty, 0, 0, 0, null, null);
        }

        _used = 0;
    }

    /// <summary>Scratch lists for the combiner and the dictionary stage (cleared by whoever uses them).</summary>
    internal List<Candidate> Strong { get; } = [];

    internal List<Candidate> Kept { get; } = [];

    internal List<(Candidate Candidate, LeakRule Rule)> Judged { get; } = [];

    internal List<(TermEntry Entry, int Start, int End, bool Ambiguous)> Found { get; } = [];

    public NormalizedText Text { get; private set; }

    /// <summary>Set when a detector ran out of time and was skipped: the scan may have missed something.</summary>
    public bool Incomplete { get; set; }

    public string Original => Text.Original;

    public LeakPolicy Policy { get; private set; }

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
            Candidates.Add(NewCandidate(type, start, end, confidence, note, entry));
        }
    }

    private Candidate NewCandidate(string type, int start, int end, double confidence, string? note, TermEntry? entry)
    {
        if (_recycle is null)
        {
            return new Candidate(type, start, end, confidence, note, entry);
        }

        if (_used < _recycle.Count)
        {
            var c = _recycle[_used++];
            c.Set(type, start, end, confidence, note, entry);
            return c;
        }

        var made = new Candidate(type, start, end, confidence, note, entry);
        _recycle.Add(made);
        _used++;
        return made;
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
