using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Media;

/// <summary>
/// Avatars, kept in the database (<see cref="MediaFile"/>) so that every node serves them; the type is read from the
/// file's bytes, not from what the client claims. <see cref="SaveAsync"/> and <see cref="Delete"/> only stage the
/// change: it is saved with the caller's <c>SaveChangesAsync</c>, in the same transaction as the profile that points at
/// the file, so a failed edit leaves neither a stray file nor a profile pointing at nothing.
/// </summary>
public sealed class AvatarStore(GazouilleDb db, DataLocation data, IOptions<GazouilleSettings> settings, TimeProvider clock)
{
    public const string Folder = "avatars";

    public async Task<string> SaveAsync(long accountId, IFormFile file, CancellationToken ct)
    {
        var max = settings.Value.Media.AvatarMaxBytes;
        if (file.Length == 0) throw ApiException.Unprocessable("Validation failed: the avatar file is empty");
        if (file.Length > max) throw ApiException.Unprocessable($"Validation failed: the avatar is larger than {max / 1024 / 1024} MB");
        var content = new byte[file.Length];
        await using (var s = file.OpenReadStream())
            if (await s.ReadAtLeastAsync(content, content.Length, throwOnEndOfStream: false, ct) != content.Length)
                throw ApiException.Unprocessable("Validation failed: the avatar file was cut short");
        var (ext, type) = Sniff(content) ?? throw ApiException.Unprocessable("Validation failed: the avatar must be a PNG, JPEG, GIF or WebP image");
        var name = $"{accountId}-{Guid.CreateVersion7():N}.{ext}";
        db.MediaFiles.Add(new MediaFile { Name = $"{Folder}/{name}", ContentType = type, Content = content, AccountId = accountId, CreatedAt = clock.GetUtcNow() });
        return name;
    }

    /// <summary>
    /// Removes a replaced avatar once the profile no longer points at it (a stray file, should this fail, is never
    /// shown: nothing refers to it). Avatars stored on disk by versions before the database kept them go too.
    /// </summary>
    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var file = Path.GetFileName(name);
        await db.MediaFiles.Where(m => m.Name == Folder + "/" + file).ExecuteDeleteAsync(ct);
        var legacy = Path.Combine(data.MediaDirectory, Folder, file);
        if (File.Exists(legacy)) File.Delete(legacy);
    }

    /// <summary>
    /// The file behind <c>/media/avatars/NAME</c>: from the database, else from the disk where versions before this
    /// one kept avatars (so an upgraded instance keeps its pictures).
    /// </summary>
    public async Task<(byte[] Content, string ContentType)?> ReadAsync(string name, CancellationToken ct)
    {
        if (name.Length > MediaFile.NameMaxLength || name != Path.GetFileName(name)) return null;
        var key = Folder + "/" + name;
        var stored = await db.MediaFiles.AsNoTracking().Where(m => m.Name == key).Select(m => new { m.Content, m.ContentType }).FirstOrDefaultAsync(ct);
        if (stored is not null) return (stored.Content, stored.ContentType);
        var legacy = Path.Combine(data.MediaDirectory, Folder, name);
        if (!File.Exists(legacy)) return null;
        var bytes = await File.ReadAllBytesAsync(legacy, ct);
        return Sniff(bytes) is { } kind ? (bytes, kind.ContentType) : null;
    }

    internal static (string Extension, string ContentType)? Sniff(ReadOnlySpan<byte> b) =>
        b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) ? ("png", "image/png")
        : b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF ? ("jpg", "image/jpeg")
        : b.StartsWith("GIF8"u8) ? ("gif", "image/gif")
        : b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..].StartsWith("WEBP"u8) ? ("webp", "image/webp")
        : null;
}
