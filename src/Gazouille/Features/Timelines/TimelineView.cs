using Gazouille.Features.Statuses;

namespace Gazouille.Features.Timelines;

/// <summary>A list of posts with a link to older ones.</summary>
public sealed record TimelineView(IReadOnlyList<StatusEntity> Statuses, string? OlderUrl, string Label);
