using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;

namespace Gazouille.Features.Notifications;

/// <summary>Creates notifications, only for recipients who may read the status at that moment (read paths check again).</summary>
public sealed class Notifier(GazouilleDb db, ViewerLoader viewers)
{
    public async Task NotifyAsync(long recipientId, long fromId, string type, Status? status, CancellationToken ct)
    {
        if (recipientId == fromId) return;
        if (status is not null)
        {
            var recipient = await viewers.LoadAsync(recipientId, ct);
            if (recipient is null || !Visibility.CanSee(recipient, status)) return;
        }
        db.Notifications.Add(new Notification
        {
            Id = Snowflake.NewId(), AccountId = recipientId, FromAccountId = fromId, Type = type, StatusId = status?.Id,
            CreatedAt = DateTimeOffset.UtcNow,
        });
    }
}
