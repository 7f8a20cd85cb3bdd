using Gazouille.Api;
using Gazouille.Hosting;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Media;

/// <summary>Avatars on disk under the data folder; the type is read from the file's bytes, not from what the client claims.</summary>
public sealed class AvatarStore(DataLocation data, IOptions<GazouilleSettings> settings)
{
    public string Directory => Path.Combine(data.MediaDirectory, "avatars");

    public async Task<string> SaveAsync(long accountId, IFormFile file, CancellationToken ct)
    {
        var max = settings.Value.Media.AvatarMaxBytes;
        if (file.Length == 0) throw ApiException.Unprocessable("Validation failed: the avatar file is empty");
        if (file.Length > max) throw ApiException.Unprocessable($"Validation failed: the avatar is larger than {max / 1024 / 1024} MB");
        var head = new byte[12];
        await using (var s = file.OpenReadStream())
            _ = await s.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var ext = Sniff(head) ?? throw ApiException.Unprocessable("Validation failed: the avatar must be a PNG, JPEG, GIF or WebP image");
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{accountId}-{Guid.CreateVersion7():N}.{ext}";
        var tmp = Path.Combine(Directory, name + ".tmp");
        await using (var output = File.Create(tmp))
        await using (var input = file.OpenReadStream())
            await input.CopyToAsync(output, ct);
        File.Move(tmp, Path.Combine(Directory, name));
        return name;
    }

    public void Delete(string name)
    {
        var path = Path.Combine(Directory, Path.GetFileName(name));
        if (File.Exists(path)) File.Delete(path);
    }

    private static string? Sniff(ReadOnlySpan<byte> b) =>
        b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) ? "png"
        : b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF ? "jpg"
        : b.StartsWith("GIF8"u8) ? "gif"
        : b.StartsWith("RIFF"u8) && b[8..].StartsWith("WEBP"u8) ? "webp"
        : null;
}
