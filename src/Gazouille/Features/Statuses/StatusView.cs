namespace Gazouille.Features.Statuses;

/// <summary>A post as a page shows it: the rendered status, whether it is the one the page is about, whether in its thread.</summary>
public sealed record StatusView(StatusEntity Status, bool Focused = false, bool InThread = false);

/// <summary>The compose box: who may read, what was typed (kept on error), what it answers.</summary>
public sealed record ComposeView(
    IReadOnlyList<AudienceChoice> Choices, string Selected, string Text = "", string? Error = null,
    StatusEntity? InReplyTo = null, int MaxLength = 500, string? SpoilerText = null)
{
    /// <summary>The Leak Guard's findings on the text, shown highlighted with the error.</summary>
    public LeakTipsView? Tips { get; init; }
    /// <summary>The guard warned: the author may publish with a justification.</summary>
    public bool AskJustification { get; init; }
    public string Justification { get; init; } = "";
}

/// <summary>What the Leak Guard says about a draft for its audience, as the compose box shows it.</summary>
public sealed record LeakTipsView(string Text, LeakGuard.LeakCheckEntity Check, string? SuggestedLabel);
