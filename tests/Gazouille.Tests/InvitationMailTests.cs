using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Gazouille.Data.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>A throw-away SMTP server on 127.0.0.1 that accepts every message and keeps it (just enough of RFC 5321).</summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeSmtpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public List<(string To, string Data)> Messages { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); } catch (OperationCanceledException) { return; }
            using (client)
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII);
                var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 localhost test SMTP");
                var to = "";
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    if (verb is "EHLO" or "HELO") await writer.WriteAsync("250-localhost\r\n250 8BITMIME\r\n");
                    else if (verb == "RCPT") { to = line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)]; await writer.WriteLineAsync("250 OK"); }
                    else if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 go on");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } d && d != ".") data.AppendLine(d);
                        lock (Messages) Messages.Add((to, data.ToString()));
                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (verb == "QUIT") { await writer.WriteLineAsync("221 bye"); break; }
                    else await writer.WriteLineAsync("250 OK");
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
    }
}

public sealed class InvitationMailTests
{
    [Fact]
    public async Task Without_smtp_the_inviter_gets_the_link_and_with_smtp_only_the_invitee_does()
    {
        await using (var laptop = await GazouilleFactory.StartAsync())
        {
            var (_, admin) = await laptop.SignedInAsync("root", AccountRole.Admin);
            var invitation = await (await admin.PostAsJsonAsync("/api/v1/gazouille/invitations", new { email = "ann@corp.example" })).OkJsonAsync();
            Assert.Equal("logged", invitation.Str("mail"));
            Assert.Contains("/auth/sign_up?invite=", invitation.Str("url"), StringComparison.Ordinal);
        }

        await using var smtp = new FakeSmtpServer();
        await using var f = await GazouilleFactory.StartAsync(new()
        {
            ["Gazouille:Mail:SmtpHost"] = "127.0.0.1", ["Gazouille:Mail:SmtpPort"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gazouille:Mail:Security"] = "none", ["Gazouille:Mail:From"] = "gazouille@corp.example",
        });
        var (_, root) = await f.SignedInAsync("root", AccountRole.Admin);
        var mailed = await (await root.PostAsJsonAsync("/api/v1/gazouille/invitations", new { email = "bob@corp.example" })).OkJsonAsync();
        Assert.Equal("sent", mailed.Str("mail"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, mailed.GetProperty("url").ValueKind);
        var (to, data) = Assert.Single(smtp.Messages);
        Assert.Equal("bob@corp.example", to);
        var link = System.Text.RegularExpressions.Regex.Match(data.Replace("=\r\n", "", StringComparison.Ordinal), @"invite=([A-Za-z0-9_=%-]+)").Groups[1].Value;
        Assert.NotEmpty(link);
        var signedUp = await f.Client().PostAsync("/api/v1/accounts", ApiAssert.Form(("username", "bob"), ("email", "bob@corp.example"),
            ("password", "long enough password"), ("agreement", "true"), ("locale", "fr"), ("invite_code", Uri.UnescapeDataString(link))));
        Assert.Equal(HttpStatusCode.OK, signedUp.StatusCode);
    }

    [Fact]
    public async Task A_mail_server_that_fails_leaves_a_usable_invitation_and_no_error()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there any more
        await using var f = await GazouilleFactory.StartAsync(new() { ["Gazouille:Mail:SmtpHost"] = "127.0.0.1", ["Gazouille:Mail:SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Gazouille:Mail:Security"] = "none" });
        var (_, root) = await f.SignedInAsync("root", AccountRole.Admin);
        var invitation = await (await root.PostAsJsonAsync("/api/v1/gazouille/invitations", new { email = "carol@corp.example" })).OkJsonAsync();
        Assert.Equal("failed", invitation.Str("mail"));
        Assert.Contains("invite=", invitation.Str("url"), StringComparison.Ordinal);
        foreach (var bad in new[] { "not an address", "a@b\r\nBcc: x@evil.example", "<script>@x", new string('a', 300) + "@x.example" })
            await (await root.PostAsJsonAsync("/api/v1/gazouille/invitations", new { email = bad })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_team_lead_invites_guests_of_the_partners_its_team_shares_with_and_no_others()
    {
        await using var f = await GazouilleFactory.StartAsync();
        var (_, lead) = await f.SignedInAsync("lead");
        await f.CreateTeamAsync("design");
        await f.WithScopeAsync(sp => sp.GetRequiredService<Features.Teams.TeamDirectory>().AddMemberAsync("design", "lead", lead: true));
        await f.CreatePartnerAsync("nordlys");
        await f.CreatePartnerAsync("acme");
        await f.GrantAsync("design", "nordlys");
        var ok = await (await lead.PostAsJsonAsync("/api/v1/gazouille/invitations", new { partner = "nordlys", email = "g@nordlys.example" })).OkJsonAsync();
        Assert.Equal("nordlys", ok.Str("partner"));
        await (await lead.PostAsJsonAsync("/api/v1/gazouille/invitations", new { partner = "acme" })).ErrorAsync(HttpStatusCode.Forbidden);
        await f.GrantAsync("design", "nordlys", revoke: true);
        await (await lead.PostAsJsonAsync("/api/v1/gazouille/invitations", new { partner = "nordlys" })).ErrorAsync(HttpStatusCode.Forbidden);
    }
}
