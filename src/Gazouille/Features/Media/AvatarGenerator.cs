using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Gazouille.Features.Media;

/// <summary>
/// Identicons made on the server, with no network and no image library: a left-right symmetric 5×5 grid in a colour
/// drawn from the username, on a light background, written as a 128×128 PNG.
/// </summary>
public static class AvatarGenerator
{
    public const int Size = 128;
    private const int Cells = 5;
    private const int Cell = 22;
    private const int Margin = (Size - Cells * Cell) / 2;
    private static readonly (byte R, byte G, byte B) Background = (242, 244, 247);

    public static byte[] Identicon(string username)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(username.Trim().ToLowerInvariant()));
        // Saturation and lightness are fixed so every hue stays readable on the light background (contrast ≥ 3:1).
        var colour = FromHsl(BinaryPrimitives.ReadUInt16BigEndian(hash) % 360, 0.62, 0.42);
        var filled = new bool[Cells, Cells];
        for (var row = 0; row < Cells; row++)
            for (var col = 0; col < (Cells + 1) / 2; col++)
            {
                var bit = row * 3 + col;
                filled[row, col] = filled[row, Cells - 1 - col] = (hash[2 + bit / 8] >> (bit % 8) & 1) == 1;
            }

        const int stride = 1 + Size * 3; // each scanline starts with its filter byte (0: none)
        var pixels = new byte[Size * stride];
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
            {
                var (cx, cy) = ((x - Margin) / Cell, (y - Margin) / Cell);
                var on = x >= Margin && y >= Margin && cx < Cells && cy < Cells && filled[cy, cx];
                var (r, g, b) = on ? colour : Background;
                var at = y * stride + 1 + x * 3;
                (pixels[at], pixels[at + 1], pixels[at + 2]) = (r, g, b);
            }
        return Png(Size, Size, pixels);
    }

    /// <summary>An 8-bit RGB PNG from filtered scanlines.</summary>
    private static byte[] Png(int width, int height, byte[] scanlines)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bits per channel
        header[9] = 2; // RGB
        Chunk(png, "IHDR", header);
        using (var deflated = new MemoryStream())
        {
            using (var zlib = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
                zlib.Write(scanlines);
            Chunk(png, "IDAT", deflated.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu);
        png.Write(word);
    }

    private static (byte, byte, byte) FromHsl(double hue, double saturation, double lightness)
    {
        var c = (1 - Math.Abs(2 * lightness - 1)) * saturation;
        var x = c * (1 - Math.Abs(hue / 60 % 2 - 1));
        var m = lightness - c / 2;
        var (r, g, b) = hue switch
        {
            < 60 => (c, x, 0d), < 120 => (x, c, 0d), < 180 => (0d, c, x), < 240 => (0d, x, c), < 300 => (x, 0d, c), _ => (c, 0d, x),
        };
        return ((byte)Math.Round((r + m) * 255), (byte)Math.Round((g + m) * 255), (byte)Math.Round((b + m) * 255));
    }

    /// <summary>The CRC-32 PNG chunks end with (System.IO.Hashing is a package, not part of the framework).</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            var c = (uint)n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }
    }
}
