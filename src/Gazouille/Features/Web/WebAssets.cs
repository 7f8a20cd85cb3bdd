using System.Security.Cryptography;
using System.Text.Json;

namespace Gazouille.Features.Web;

/// <summary>The static files of the web app and a content hash for cache-busting URLs.</summary>
public sealed class WebAssets
{
    public WebAssets()
    {
        Directory = Path.Combine(AppContext.BaseDirectory, "web");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (System.IO.Directory.Exists(Directory))
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                sha.AppendData(File.ReadAllBytes(file));
        Version = Convert.ToHexString(sha.GetHashAndReset())[..12].ToLowerInvariant();
    }

    public string Directory { get; }
    public string Version { get; }

    public string Url(string path) => $"/assets/{path}?v={Version}";

    /// <summary>The web app manifest, so that phones can install Gazouille on their home screen.</summary>
    public string Manifest(string language) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["name"] = "Gazouille",
        ["short_name"] = "Gazouille",
        ["description"] = language == "fr" ? "Le microblog de l'entreprise" : "The company's microblog",
        ["lang"] = language,
        ["start_url"] = "/",
        ["scope"] = "/",
        ["display"] = "standalone",
        ["background_color"] = "#ffffff",
        ["theme_color"] = "#1d5fbf",
        ["icons"] = new object[]
        {
            new Dictionary<string, string> { ["src"] = Url("icons/icon-192.png"), ["sizes"] = "192x192", ["type"] = "image/png" },
            new Dictionary<string, string> { ["src"] = Url("icons/icon-512.png"), ["sizes"] = "512x512", ["type"] = "image/png" },
            new Dictionary<string, string> { ["src"] = Url("icons/icon.svg"), ["sizes"] = "any", ["type"] = "image/svg+xml", ["purpose"] = "any maskable" },
        },
    });
}
