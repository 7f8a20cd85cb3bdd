using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gazouille.LeakGuard;

/// <summary>Turns JSON or YAML text into one tree (JsonNode) so that a single validator checks both formats.</summary>
internal static class PolicyDocument
{
    private const int MaxDepth = 32;
    private const int MaxNodes = 2_000_000;

    public static JsonNode ReadJson(string text)
    {
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
            {
                MaxDepth = MaxDepth,
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return node ?? throw new LeakPolicyException("the policy is 'null'; it must be a JSON object such as {\"dictionaries\": {…}}");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new LeakPolicyException($"the policy is not valid JSON{where}: {FirstSentence(e.Message)}", e);
        }
    }

    public static JsonNode ReadYaml(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new LeakPolicyException($"the policy is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        if (stream.Documents.Count == 0)
        {
            throw new LeakPolicyException("the policy is empty; it must be a mapping with at least 'dictionaries'");
        }

        var budget = MaxNodes;
        return Convert(stream.Documents[0].RootNode, 0, ref budget)
            ?? throw new LeakPolicyException("the policy is empty; it must be a mapping with at least 'dictionaries'");
    }

    // Aliases make YAML a graph: the node budget stops "billion laughs" documents from expanding without bound.
    private static JsonNode? Convert(YamlNode node, int depth, ref int budget)
    {
        if (depth > MaxDepth)
        {
            throw new LeakPolicyException($"the policy nests deeper than {MaxDepth} levels");
        }

        if (--budget < 0)
        {
            throw new LeakPolicyException($"the policy has more than {MaxNodes} values (are YAML aliases expanding?)");
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? string.Empty : key.ToString();
                    obj[name] = Convert(value, depth + 1, ref budget);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(Convert(item, depth + 1, ref budget));
                }

                return array;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                return null;
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(value);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
