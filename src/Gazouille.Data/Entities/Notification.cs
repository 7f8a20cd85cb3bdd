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
    /// <summary>For <c>gazouille.report.resolved</c>: the reporter's report whose outcome this tells.</summary>
    public long? ReportId { get; set; }
    /// <summary>For <c>moderation_warning</c>: the decision told to the account.</summary>
    public long? WarningId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
