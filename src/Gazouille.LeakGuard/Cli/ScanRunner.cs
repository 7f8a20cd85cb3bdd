using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gazouille.LeakGuard.Cli;

/// <summary>
/// <c>gazouille leakguard scan</c>: JSON Lines in, one JSON line out per input line, in order. A line that is not a
/// valid request answers <c>{"line":N,"error":"…"}</c> in its place and makes the exit code 1.
/// </summary>
public static class ScanRunner
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Run(TextReader input, TextWriter output, TextWriter error, LeakPolicy policy, string defaultAudience, string? lang = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!LeakAudiences.TryParse(defaultAudience, out var fallback, out var fallbackChannel))
        {
            error.WriteLine($"Unknown audience '{defaultAudience}': use team, followers, company, partners or public.");
            return 2;
        }

        var engine = new LeakGuardEngine(policy);
        var bad = 0;
        var lineNumber = 0;
        var buffer = new MemoryStream();
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue; // blank lines carry no request (e.g. a trailing newline); nothing to answer
            }

            buffer.SetLength(0);
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                if (ScanRequest.TryParse(line, out var request, out var problem))
                {
                    var audience = fallback;
                    var channel = request.ChannelClient;
                    string? lineChannel = null;
                    if (request.Audience is { } a && !LeakAudiences.TryParse(a, out audience, out lineChannel))
                    {
                        WriteError(writer, lineNumber, $"unknown audience '{a}'; use team, followers, company, partners or public", request.Id);
                        bad++;
                    }
                    else
                    {
                        channel ??= request.Audience is null ? fallbackChannel : lineChannel;
                        WriteVerdict(writer, request.Id, engine.Check(request.Text, audience, channel), lang);
                    }
                }
                else
                {
                    WriteError(writer, lineNumber, problem, null);
                    bad++;
                }
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        output.Flush();
        return bad > 0 ? 1 : 0;
    }

    private static void WriteVerdict(Utf8JsonWriter w, JsonElement? id, LeakVerdict verdict, string? lang)
    {
        w.WriteStartObject();
        w.WritePropertyName("id");
        if (id is { } value)
        {
            value.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WriteString("decision", verdict.Decision.ToWire());
        w.WriteNumber("score", verdict.Score);
        if (verdict.Incomplete)
        {
            w.WriteBoolean("incomplete", true);
        }

        w.WriteString("audience", verdict.Audience.ToWire());
        w.WriteStartArray("findings");
        foreach (var f in verdict.Findings)
        {
            w.WriteStartObject();
            w.WriteString("type", f.Type);
            w.WriteNumber("start", f.Start);
            w.WriteNumber("end", f.End);
            w.WriteString("text", f.Text);
            w.WriteString("reason", f.Reason.In(lang));
            w.WriteString("way_out", f.WayOut.In(lang));
            w.WriteNumber("confidence", f.Confidence);
            w.WriteString("rule", f.Rule.ToWire());
            w.WriteString("decision", f.Decision.ToWire());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter w, int line, string error, JsonElement? id)
    {
        w.WriteStartObject();
        w.WriteNumber("line", line);
        if (id is { } value)
        {
            w.WritePropertyName("id");
            value.WriteTo(w);
        }

        w.WriteString("error", error);
        w.WriteEndObject();
    }
}
