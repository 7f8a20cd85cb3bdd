namespace Gazouille.Data.Entities;

public class Notification
{
    public long Id { get; set; }
    /// <summary>Who is notified.</summary>
    public long AccountId { get; set; }
    /// <summary>Who did it.</summary>
    public long FromAccountId { get; set; }
    public Account? FromAccount { get; set; }
    /// <summary>Mastodon's type: mention, follow, favourite, reblog, status, update.</summary>
    public required string Type { get; set; }
    public long? StatusId { get; set; }
    public Status? Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
