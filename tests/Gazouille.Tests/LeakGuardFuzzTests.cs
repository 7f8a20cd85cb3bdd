using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gazouille.Tests;

/// <summary>
/// The Leak Guard fuzzer through the server: random texts built from what the guard looks for (IBANs, cards, secrets,
/// e-mails, phone numbers, amounts, headcounts, confidentiality markers, complaints) disguised the ways it must see
/// through (zero-width and bidi characters, letters split by dots, leetspeak, accents, confusable letters) and mixed with
/// hostile text (lone surrogates, combining marks, control characters, emoji, HTML, 20,000-character runs), sent to the
/// check endpoint and as new posts with random audiences, by an employee and a partner's guest. Checked: never a 500,
/// an answer within 10 s, and every finding's span lies inside the text sent (UTF-16 offsets, end exclusive) and, where
/// the finding quotes it, is that text. Seeded (GAZOUILLE_FUZZ_SEED), bounded in time (GAZOUILLE_FUZZ_SECONDS, default 30).
/// </summary>
public sealed class LeakGuardFuzzTests : IAsyncLifetime
{
    private const string Check = "/api/v1/gazouille/leak_guard/check";
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() =>
        _w = await LeakGuardWorld.CreateAsync(new() { ["Gazouille:Audiences:PublicEnabled"] = "true", ["Gazouille:RateLimits:Enabled"] = "false" });

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private static readonly string[] Pieces =
    [
        LeakGuardWorld.Iban, LeakGuardWorld.Secret, "4970 1012 3456 7890", "4111111111111111", "1 85 05 78 006 084 36", "06 12 34 56 78", "+33 6 12 34 56 78",
        "jean.dupont@gmail.com", "password=hunter2", "-----BEGIN RSA PRIVATE KEY-----", "AKIAIOSFODNN7EXAMPLE", "10.12.0.5", "srv-db01.corp.local",
        "2,5 M€", "150 000 €", "$3.2M", "20 personnes", "40 licenciements", "confidentiel", "NDA", "ne pas diffuser", "usage interne uniquement",
        "internal only", "galère", "ça m'échappe", "pas du tout content", "ce n'est pas un échec", "client", "projet", "SIREN 732 829 320", "@bob", "#ops",
        "bonjour", "la réunion de demain", "<script>alert(1)</script>", "'; DROP TABLE statuses; --", "🙂👍🏽", "é", "ﬁ", "Ⅻ", "\u00A0",
    ];

    private static readonly string[] Audiences = ["company", "public", "followers", "direct", "team:ops", "partners:ops", "partners:ops:acme", "partners", "team", "", "nonsense"];

    private static string Disguise(Random r, string s) => r.Next(8) switch
    {
        0 => string.Join('\u200B', s.ToCharArray()),
        1 => string.Join('.', s.ToCharArray()),
        2 => s.Replace('e', '3').Replace('a', '4').Replace('o', '0').Replace('i', '1'),
        3 => s.Replace('a', 'а').Replace('o', 'о').Replace('e', 'е'), // Cyrillic look-alikes
        4 => "\u202E" + s + "\u202C",
        5 => s.ToUpperInvariant().Normalize(NormalizationForm.FormD),
        _ => s,
    };

    private static string Text(Random r)
    {
        var sb = new StringBuilder();
        for (var n = r.Next(1, 8); n > 0; n--)
        {
            sb.Append(r.Next(5) switch
            {
                0 => Noise(r, r.Next(1, 40)),
                1 => new string(Pieces[r.Next(Pieces.Length)][0], r.Next(1, 3000)),
                _ => Disguise(r, Pieces[r.Next(Pieces.Length)]),
            });
            sb.Append(r.Next(4) switch { 0 => "", 1 => "\n", _ => " " });
        }
        if (r.Next(20) == 0) sb.Append(new string('x', 20_000 - sb.Length % 20_000));
        return sb.ToString();
    }

    private static string Noise(Random r, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(r.Next(6) switch
            {
                0 => (char)r.Next(0x20, 0x7F),
                1 => (char)r.Next(1, 0x20),
                2 => (char)r.Next(0xD800, 0xE000), // lone surrogates, sent as U+FFFD by the JSON writer
                3 => (char)r.Next(0x300, 0x370),
                4 => (char)r.Next(0x200B, 0x2070),
                _ => (char)r.Next(0xA0, 0x2FFF),
            });
        }
        return sb.ToString();
    }

    /// <summary>The finding quotes the span, or masks it (cards, NIR, IBAN: "••••" and the last four characters).</summary>
    private static bool Quotes(string quoted, string span) =>
        quoted == span || (quoted.StartsWith("••••", StringComparison.Ordinal) && span.EndsWith(quoted[4..], StringComparison.Ordinal));

    [Fact]
    public async Task Hostile_texts_to_the_check_endpoint_and_to_new_posts_never_fail_hang_or_point_outside_the_text()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_FUZZ_SEED"), out var s) ? s : 20261126;
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("GAZOUILLE_FUZZ_SECONDS"), out var d) ? d : 30;
        var random = new Random(seed);
        var findings = new List<string>();
        var (sent, spans) = (0, 0);
        var codes = new SortedDictionary<int, int>();
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while ((DateTime.UtcNow < until || sent < 50) && findings.Count < 20)
        {
            var text = Text(random);
            var audience = Audiences[random.Next(Audiences.Length)];
            var post = random.Next(3) == 0;
            var client = random.Next(3) == 0 ? _w.Gina : _w.Alice;
            object body = post ? new { status = text, audience } : new { text, audience };
            // What the server receives: the JSON writer turns lone surrogates into U+FFFD.
            var received = JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(text))!;
            sent++;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var what = $"#{sent} {(post ? "POST /api/v1/statuses" : "POST " + Check)} audience={audience} text={JsonSerializer.Serialize(text.Length > 300 ? text[..300] + "…" : text)} ({text.Length} chars)";
            try
            {
                using var answer = await client.PostAsJsonAsync(post ? "/api/v1/statuses" : Check, body, timeout.Token);
                var code = (int)answer.StatusCode;
                codes[code] = codes.GetValueOrDefault(code) + 1;
                var json = await answer.Content.ReadAsStringAsync(timeout.Token);
                if (code >= 500) { findings.Add($"{what}\n    → {code}: {json}"); continue; }
                using var doc = JsonDocument.Parse(json);
                var guard = doc.RootElement.TryGetProperty("leak_guard", out var lg) && lg.ValueKind == JsonValueKind.Object ? lg : doc.RootElement;
                if (!guard.TryGetProperty("findings", out var list) || list.ValueKind != JsonValueKind.Array) continue;
                foreach (var f in list.EnumerateArray())
                {
                    if (!f.TryGetProperty("start", out var st) || !f.TryGetProperty("end", out var en)) continue;
                    spans++;
                    var (start, end) = (st.GetInt32(), en.GetInt32());
                    if (start < 0 || end < start || end > received.Length)
                        findings.Add($"{what}\n    → span {start}..{end} outside the text of {received.Length} chars: {f}");
                    else if (f.TryGetProperty("text", out var quoted) && !Quotes(quoted.GetString()!, received[start..end]))
                        findings.Add($"{what}\n    → span {start}..{end} quotes {quoted} but the text there is {JsonSerializer.Serialize(received[start..end])}");
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                findings.Add($"{what}\n    → no answer within 10 s");
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: {sent} texts, {spans} spans checked in {seconds} s; answers: "
            + string.Join(", ", codes.Select(c => $"{c.Key}×{c.Value}")));
        Assert.True(findings.Count == 0, $"seed {seed}, {sent} texts; {findings.Count} findings:\n" + string.Join('\n', findings));
        Assert.True(spans > 0, "no finding had a span: the fuzzer tested nothing");
    }
}
