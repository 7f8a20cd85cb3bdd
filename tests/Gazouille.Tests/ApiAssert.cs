using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gazouille.Tests;

/// <summary>Small readers and assertions shared by the HTTP specifications.</summary>
public static class ApiAssert
{
    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetOkAsync(this HttpClient client, string url) => await (await client.GetAsync(url)).OkJsonAsync();

    public static async Task<JsonElement> PostOkAsync(this HttpClient client, string url, object? body = null) =>
        await (await client.PostAsJsonAsync(url, body ?? new { })).OkJsonAsync();

    /// <summary>A Mastodon error: the expected status, a JSON <c>{"error": "…"}</c> body, and no trace of the server's insides.</summary>
    public static async Task<string> ErrorAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        NoLeakOfInternals(text);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        var error = json.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    /// <summary>I4: what the viewer may not see answers exactly like what does not exist.</summary>
    public static async Task NotFoundAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{response.RequestMessage?.RequestUri}: expected 404, got {(int)response.StatusCode}: {text}");
        Assert.Equal("""{"error":"Record not found"}""", text);
    }

    public static void NoLeakOfInternals(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite", text, StringComparison.OrdinalIgnoreCase);
    }

    public static string Id(this JsonElement e) => e.GetProperty("id").GetString()!;

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();

    public static List<string> Ids(this JsonElement array) => array.EnumerateArray().Select(Id).ToList();

    public static int Count(this JsonElement array) => array.GetArrayLength();

    public static HttpContent RawJson(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public static HttpContent Form(params (string Key, string Value)[] fields) =>
        new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
}
