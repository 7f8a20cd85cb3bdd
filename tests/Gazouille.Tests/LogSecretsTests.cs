using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Gazouille.Data.Entities;
using Microsoft.Extensions.Logging;

namespace Gazouille.Tests;

/// <summary>Secrets never reach the server's logs: passwords, tokens, client secrets, PKCE verifiers, anti-forgery tokens,
/// the SMTP password — captured through an ILogger provider at the levels the server logs by default.</summary>
public sealed class LogSecretsTests
{
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }

    [Fact]
    public async Task Signing_in_exchanging_tokens_creating_tokens_and_mailing_log_no_secret()
    {
        var capture = new Capture();
        await using var smtp = new FakeSmtpServer();
        const string smtpPassword = "smtp-Pa55word-7Qx";
        await using var f = await GazouilleFactory.StartAsync(new()
        {
            ["Gazouille:Mail:SmtpHost"] = "127.0.0.1", ["Gazouille:Mail:SmtpPort"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gazouille:Mail:Security"] = "none", ["Gazouille:Mail:From"] = "gazouille@corp.example",
            ["Gazouille:Mail:User"] = "mailer", ["Gazouille:Mail:Password"] = smtpPassword,
            ["Gazouille:SignUp:Mode"] = "domains", ["Gazouille:SignUp:AllowedDomains:0"] = "corp.example",
        }, configure: b => b.Logging.AddProvider(capture));
        var secrets = new List<string> { smtpPassword, "correct horse battery", "Wrong-Passw0rd-zz" };

        // Password sign-in in the browser (a failure, then a success) and an anti-forgery token from a form.
        var (rootId, root) = await f.SignedInAsync("root", AccountRole.Admin);
        await f.CreateUserAsync("alice");
        var stranger = WebBrowser.Anonymous(f);
        var signInPage = await stranger.PageAsync("/auth/sign_in");
        secrets.Add(HtmlForms.HiddenFields(signInPage, "/auth/sign_in").First(x => x.Key == "__RequestVerificationToken").Value);
        await stranger.SubmitAsync("/auth/sign_in", "/auth/sign_in", ("login", "alice"), ("password", "Wrong-Passw0rd-zz"));
        var browser = await WebBrowser.SignInAsync(f, "alice");

        // OAuth: app registration (client secret), authorization code with PKCE (verifier), token exchange (access token).
        const string redirect = "urn:ietf:wg:oauth:2.0:oob";
        var app = await (await f.Client().PostAsJsonAsync("/api/v1/apps", new { client_name = "Logs", redirect_uris = redirect, scopes = "read" })).OkJsonAsync();
        secrets.Add(app.Str("client_secret"));
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        secrets.Add(verifier);
        var consent = await browser.PageAsync($"/oauth/authorize?response_type=code&client_id={app.Str("client_id")}&redirect_uri={Uri.EscapeDataString(redirect)}&scope=read&code_challenge={challenge}&code_challenge_method=S256");
        var approve = HtmlForms.HiddenFields(consent, "/oauth/authorize");
        secrets.Add(approve.First(x => x.Key == "__RequestVerificationToken").Value);
        approve.Add(KeyValuePair.Create("decision", "approve"));
        var oob = await (await browser.Http.PostAsync("/oauth/authorize", new FormUrlEncodedContent(approve))).Content.ReadAsStringAsync();
        var code = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(oob, "<code id=\"code\">([^<]+)</code>").Groups[1].Value);
        secrets.Add(code);
        var token = await (await f.Client().PostAsync("/oauth/token", ApiAssert.Form(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect),
            ("client_id", app.Str("client_id")), ("client_secret", app.Str("client_secret")), ("code_verifier", verifier)))).OkJsonAsync();
        secrets.Add(token.Str("access_token"));
        await f.Client(token.Str("access_token")).GetOkAsync("/api/v1/accounts/verify_credentials");
        // A wrong bearer token is refused without being written down either.
        secrets.Add("gzl_not-a-real-token-Zq81");
        await f.Client("gzl_not-a-real-token-Zq81").GetAsync("/api/v1/accounts/verify_credentials");

        // Sign-up through the API creates a personal access token; the SMTP password is used for an invitation.
        var signedUp = await (await f.Client().PostAsync("/api/v1/accounts", ApiAssert.Form(("username", "bob"), ("email", "bob@corp.example"),
            ("password", "bobs long passphrase 42"), ("agreement", "true"), ("locale", "en")))).OkJsonAsync();
        secrets.Add("bobs long passphrase 42");
        secrets.Add(signedUp.Str("access_token"));
        await root.PostAsJsonAsync("/api/v1/gazouille/invitations", new { email = "carol@corp.example" });
        Assert.NotEqual(0, rootId);

        var logs = string.Join("\n", capture.Lines);
        Assert.NotEmpty(capture.Lines);
        foreach (var secret in secrets)
        {
            Assert.False(string.IsNullOrEmpty(secret));
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..Math.Min(4, secret.Length)]}…) is in the logs:\n{Around(logs, secret)}");
        }
    }

    private static string Around(string logs, string secret)
    {
        var at = logs.IndexOf(secret, StringComparison.Ordinal);
        var start = logs.LastIndexOf('\n', Math.Max(0, at - 1)) + 1;
        return logs.Substring(start, Math.Min(600, logs.Length - start));
    }
}
