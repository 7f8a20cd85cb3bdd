using System.Text.Json;

namespace Gazouille.LeakGuard.Cli;

/// <summary>One input line of <c>leakguard scan</c>: {"id": …, "text": "…", "audience": "…"?, "channel_client": "…"?}.</summary>
internal sealed record ScanRequest(JsonElement? Id, string Text, string? Audience, string? ChannelClient)
{
    public static bool TryParse(string line, out ScanRequest request, out string problem)
    {
        request = null!;
        problem = string.Empty;
        try
        {
            using var doc = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "expected a JSON object such as {\"id\": \"p1\", \"text\": \"…\"}";
                return false;
            }

            JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : null;
            if (!root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                problem = "\"text\" is required and must be a string";
                return false;
            }

            string? audience = null;
            if (root.TryGetProperty("audience", out var a) && a.ValueKind != JsonValueKind.Null)
            {
                if (a.ValueKind != JsonValueKind.String)
                {
                    problem = "\"audience\" must be a string (team, followers, company, partners or public)";
                    return false;
                }

                audience = a.GetString();
            }

            string? channel = root.TryGetProperty("channel_client", out var ch) && ch.ValueKind == JsonValueKind.String ? ch.GetString() : null;
            request = new ScanRequest(id, text.GetString()!, audience, channel);
            return true;
        }
        catch (JsonException e)
        {
            problem = $"not valid JSON: {e.Message.Split(" Path:")[0]}";
            return false;
        }
    }
}
