using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Text;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary><c>serve --demo</c>: an empty instance becomes a company with faces and a week of conversations.</summary>
public sealed class DemoTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        Assert.True(await SeedAsync());
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private Task<bool> SeedAsync() => _f.WithScopeAsync(sp => sp.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None));

    private Task<T> DbAsync<T>(Func<GazouilleDb, Task<T>> query) => _f.WithScopeAsync(sp => query(sp.GetRequiredService<GazouilleDb>()));

    [Fact]
    public async Task Every_person_gets_a_generated_avatar_that_is_a_valid_png_served_like_an_uploaded_one()
    {
        var people = await DbAsync(db => db.Users.AsNoTracking().Select(a => new { a.UserName, a.AvatarFile }).ToListAsync());
        Assert.True(people.Count >= 8);
        var images = new HashSet<string>();
        foreach (var person in people)
        {
            Assert.NotNull(person.AvatarFile);
            var served = await _f.Client().GetAsync($"/media/avatars/{person.AvatarFile}");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
            var bytes = await served.Content.ReadAsByteArrayAsync();
            Assert.Equal((128, 128), PngSize(bytes));
            images.Add(Convert.ToBase64String(bytes));
        }
        Assert.Equal(people.Count, images.Count); // one face per person
    }

    [Fact]
    public async Task A_week_of_posts_replies_favourites_and_boosts_is_back_dated_with_ids_in_time_order()
    {
        var posts = await DbAsync(db => db.Statuses.AsNoTracking().Where(s => s.ReblogOfId == null)
            .Select(s => new { s.Id, s.CreatedAt, s.InReplyToId, s.AudienceKind, s.State }).ToListAsync());
        Assert.InRange(posts.Count, 50, 80);
        Assert.All(posts, p => Assert.Equal(StatusState.Published, p.State)); // nothing held by the Leak Guard
        var now = DateTimeOffset.UtcNow;
        Assert.True(posts.Select(p => p.CreatedAt.UtcDateTime.Date).Distinct().Count() >= 6);
        Assert.All(posts, p => Assert.InRange(p.CreatedAt, now.AddDays(-8), now));
        var byId = posts.OrderBy(p => p.Id).Select(p => p.CreatedAt).ToList();
        Assert.Equal(byId.Order(), byId);
        Assert.Contains(posts, p => p.InReplyToId is not null);
        foreach (var kind in new[] { AudienceKind.Company, AudienceKind.Team, AudienceKind.Partners, AudienceKind.Followers })
            Assert.Contains(posts, p => p.AudienceKind == kind);

        Assert.True(await DbAsync(db => db.Favourites.CountAsync()) >= 40);
        Assert.True(await DbAsync(db => db.Statuses.CountAsync(s => s.ReblogOfId != null)) >= 5);
        Assert.True(await DbAsync(db => db.StatusTags.Select(t => t.Name).Distinct().CountAsync()) >= 10);
        Assert.True(await DbAsync(db => db.Notifications.CountAsync(n => n.Type == "mention")) >= 10);
    }

    [Fact]
    public async Task The_partner_guest_sees_only_the_partner_channel_through_the_api()
    {
        var graceId = await DbAsync(db => db.Users.Where(a => a.UserName == "grace").Select(a => a.Id).FirstAsync());
        var grace = _f.Client(await _f.TokenAsync(graceId));
        var seen = new List<string>();
        foreach (var url in new[] { "/api/v1/timelines/home?limit=40", "/api/v1/timelines/public?limit=40", "/api/v1/timelines/company?limit=40",
            "/api/v1/timelines/team/design?limit=40", "/api/v1/timelines/tag/hiver", "/api/v1/timelines/tag/design", "/api/v1/timelines/tag/demo" })
        {
            var answer = await grace.GetAsync(url);
            if (answer.StatusCode == HttpStatusCode.NotFound) continue; // a timeline a guest may not open at all
            var statuses = await answer.OkJsonAsync();
            foreach (var s in statuses.EnumerateArray())
            {
                var shown = s.TryGetProperty("reblog", out var r) && r.ValueKind == System.Text.Json.JsonValueKind.Object ? r : s;
                seen.Add(shown.Str("content"));
                Assert.StartsWith("partners:design", shown.Str("audience"), StringComparison.Ordinal);
            }
        }
        Assert.Contains(seen, c => c.Contains("brief de la campagne", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Seeding_again_adds_nothing()
    {
        var before = await DbAsync(async db => (await db.Users.CountAsync(), await db.Statuses.CountAsync(), await db.Favourites.CountAsync()));
        Assert.False(await SeedAsync());
        Assert.Equal(before, await DbAsync(async db => (await db.Users.CountAsync(), await db.Statuses.CountAsync(), await db.Favourites.CountAsync())));
    }

    /// <summary>Reads a PNG as a decoder would: signature, chunk CRCs, IHDR, and IDAT inflating to every scanline.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        var (width, height, bytesPerPixel) = (0, 0, 0);
        using var idat = new MemoryStream();
        var at = 8;
        var types = new List<string>();
        while (at < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)), Crc32(png.AsSpan(at + 4, length + 4)));
            types.Add(type);
            if (type == "IHDR")
            {
                (width, height) = (BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[4..]));
                Assert.Equal(8, data[8]);
                bytesPerPixel = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"colour type {data[9]}") };
            }
            if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        Assert.Equal("IHDR", types[0]);
        Assert.Equal("IEND", types[^1]);
        idat.Position = 0;
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(pixels);
        Assert.Equal(height * (1 + width * bytesPerPixel), pixels.Length);
        return (width, height);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return crc ^ 0xFFFFFFFFu;
    }
}
