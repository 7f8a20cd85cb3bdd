using Gazouille.Hosting;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Gazouille.Features.Mail;

/// <summary>A message to one person, in plain text.</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>
/// Sends mail through the configured SMTP server (MailKit). Without one, the message is written to the log so the flow
/// still works on a laptop; the answer says which happened so the inviter can be shown the link.
/// </summary>
public sealed class MailSender(IOptions<GazouilleSettings> settings, ILogger<MailSender> logger)
{
    public bool Configured => !string.IsNullOrWhiteSpace(settings.Value.Mail.SmtpHost);

    /// <summary>True when the mail left through SMTP; false when it was only logged (no SMTP server configured).</summary>
    public async Task<bool> SendAsync(OutgoingMail mail, CancellationToken ct)
    {
        var config = settings.Value.Mail;
        if (!Configured)
        {
            logger.LogInformation("No SMTP server configured (Gazouille:Mail:SmtpHost); mail to {To} not sent. Subject: {Subject}\n{Body}", mail.To, mail.Subject, mail.Body);
            return false;
        }
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(config.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };
        using var smtp = new SmtpClient { Timeout = 15_000 };
        var security = config.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await smtp.ConnectAsync(config.SmtpHost!, config.SmtpPort, security, ct);
        if (!string.IsNullOrEmpty(config.User)) await smtp.AuthenticateAsync(config.User, config.Password ?? "", ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(quit: true, ct);
        logger.LogInformation("Mail sent to {To}: {Subject}", mail.To, mail.Subject);
        return true;
    }
}
