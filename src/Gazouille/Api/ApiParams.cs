using System.Globalization;
using System.Text.Json;

namespace Gazouille.Api;

/// <summary>
/// The parameters of an API call, whatever way the client sent them: query string, JSON, form or multipart — as Mastodon
/// accepts all four. JSON objects flatten to Rails-style keys (<c>source[privacy]</c>) and arrays to repeated values,
/// and a trailing <c>[]</c> is dropped, so <c>media_ids[]=1</c> and <c>{"media_ids":["1"]}</c> read the same.
/// </summary>
public sealed class ApiParams
{
    public const int MaxBodyBytes = 1024 * 1024;
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private IFormFileCollection? _files;

    public static async ValueTask<ApiParams?> BindAsync(HttpContext context)
    {
        var p = new ApiParams();
        var request = context.Request;
        foreach (var (key, values) in request.Query)
            foreach (var v in values)
                if (v is not null) p.Add(key, v);

        if (request.ContentLength is > MaxBodyBytes)
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {MaxBodyBytes / 1024} KiB.");

        if (request.HasJsonContentType())
        {
            JsonDocument doc;
            try
            {
                doc = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted);
            }
            catch (JsonException e)
            {
                throw ApiException.BadRequest($"The request body is not valid JSON ({e.Message.Split('.')[0]}).");
            }
            catch (InvalidOperationException)
            {
                throw ApiException.BadRequest("The request body is not valid UTF-8 JSON.");
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    try
                    {
                        p.Flatten("", doc.RootElement);
                    }
                    catch (InvalidOperationException)
                    {
                        // A lone surrogate escape (\uD800) or bytes that are not UTF-8 inside a string.
                        throw ApiException.BadRequest("The request body contains text that is not valid Unicode.");
                    }
                }
                else if (doc.RootElement.ValueKind != JsonValueKind.Null)
                {
                    throw ApiException.BadRequest("The request body must be a JSON object.");
                }
            }
        }
        else if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException e)
            {
                throw ApiException.BadRequest($"The form could not be read: {e.Message}");
            }
            foreach (var (key, values) in form)
                foreach (var v in values)
                    if (v is not null) p.Add(key, v);
            p._files = form.Files;
        }
        return p;
    }

    private void Flatten(string prefix, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var prop in e.EnumerateObject())
                    Flatten(prefix.Length == 0 ? prop.Name : $"{prefix}[{prop.Name}]", prop.Value);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    Flatten(prefix, item);
                break;
            case JsonValueKind.String:
                Add(prefix, e.GetString()!);
                break;
            case JsonValueKind.True:
                Add(prefix, "true");
                break;
            case JsonValueKind.False:
                Add(prefix, "false");
                break;
            case JsonValueKind.Number:
                Add(prefix, e.GetRawText());
                break;
        }
    }

    private void Add(string key, string value)
    {
        if (key.EndsWith("[]", StringComparison.Ordinal)) key = key[..^2];
        if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
        list.Add(value);
    }

    /// <summary>The last value given for <paramref name="name"/> (the body wins over the query string).</summary>
    public string? Get(string name) => _values.TryGetValue(name, out var l) && l.Count > 0 ? l[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var l) ? l : [];

    public bool Has(string name) => _values.ContainsKey(name);

    public bool? GetBool(string name) => Get(name)?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "true" or "1" or "on" or "yes" => true,
        "false" or "0" or "off" or "no" => false,
        _ => throw ApiException.Unprocessable($"Validation failed: {name} must be true or false"),
    };

    public int? GetInt(string name)
    {
        var raw = Get(name);
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw ApiException.Unprocessable($"Validation failed: {name} must be a whole number");
    }

    /// <summary>An id parameter (Mastodon ids are strings of digits); anything else is a record that cannot exist.</summary>
    public long? GetId(string name)
    {
        var raw = Get(name);
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return Ids.TryParse(raw, out var id) ? id : throw ApiException.NotFound();
    }

    public IFormFile? GetFile(string name) => _files?.GetFile(name);
}

public static class Ids
{
    public static bool TryParse(string? raw, out long id)
    {
        id = 0;
        return raw is { Length: > 0 and < 20 } && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }

    public static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);
}
