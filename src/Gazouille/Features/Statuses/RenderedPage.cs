using System.Collections;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Statuses;

/// <summary>
/// A timeline page's rendered posts as <see cref="StatusRenderer.RenderPageAsync"/> keeps them for one reader, with their
/// JSON once it has been written: a reader who asks again for an unchanged page gets the same bytes without serializing
/// twenty posts again (a quarter of a home timeline request's CPU). Immutable like the entities it holds.
/// </summary>
public sealed class RenderedPage(List<StatusEntity> statuses) : IReadOnlyList<StatusEntity>
{
    public static readonly RenderedPage Empty = new([]);

    private sealed record Written(JsonSerializerOptions Options, byte[] Utf8);

    private Written? _json;

    /// <summary>The page as <see cref="TypedResults.Ok{TValue}"/> would write it with <paramref name="options"/>.</summary>
    public byte[] Utf8Json(JsonSerializerOptions options)
    {
        if (_json is { } kept && ReferenceEquals(kept.Options, options)) return kept.Utf8;
        var utf8 = JsonSerializer.SerializeToUtf8Bytes(statuses, options);
        _json = new Written(options, utf8); // two readers racing here write the same bytes
        return utf8;
    }

    public StatusEntity this[int index] => statuses[index];
    public int Count => statuses.Count;
    public IEnumerator<StatusEntity> GetEnumerator() => statuses.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>200 with a page of posts as JSON: the <see cref="RenderedPage"/>'s bytes, as they were first written.</summary>
public sealed class StatusPage(RenderedPage page)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<IReadOnlyList<StatusEntity>>, IValueHttpResult
{
    public IReadOnlyList<StatusEntity> Value => page;
    object IValueHttpResult.Value => page;
    public int StatusCode => StatusCodes.Status200OK;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var utf8 = page.Utf8Json(httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = utf8.Length;
        return httpContext.Response.Body.WriteAsync(utf8).AsTask();
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(IReadOnlyList<StatusEntity>), ["application/json"]));
}
