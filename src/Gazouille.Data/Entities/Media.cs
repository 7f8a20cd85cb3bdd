namespace Gazouille.Data.Entities;

/// <summary>
/// An uploaded file (an avatar), kept in the database so that every node of an instance serves it: nodes share the
/// database, not a disk. Each node keeps a copy on its own disk as a cache. Names are unique and never reused, so a
/// file never changes once stored.
/// </summary>
public class MediaFile
{
    public const int NameMaxLength = 80;

    /// <summary>The path under <c>/media/</c>, e.g. <c>avatars/42-….png</c>.</summary>
    public required string Name { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Content { get; set; }
    public long AccountId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
