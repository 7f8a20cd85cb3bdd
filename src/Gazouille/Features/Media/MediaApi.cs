using Microsoft.Net.Http.Headers;

namespace Gazouille.Features.Media;

/// <summary>
/// <c>GET /media/avatars/NAME</c>: uploaded pictures, served by whichever node is asked (they live in the database).
/// Names are never reused, so browsers and proxies may keep a copy for a year; the type is the one read from the
/// bytes at upload, and <c>nosniff</c> keeps browsers from guessing another.
/// </summary>
public static class MediaApi
{
    public static void MapMedia(this IEndpointRouteBuilder app) =>
        app.MapGet("/media/" + AvatarStore.Folder + "/{name}", async (string name, AvatarStore store, HttpContext http, CancellationToken ct) =>
        {
            if (await store.ReadAsync(name, ct) is not { } file) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(file.Content, file.ContentType, entityTag: new EntityTagHeaderValue($"\"{name}\""));
        }).ExcludeFromDescription();
}
