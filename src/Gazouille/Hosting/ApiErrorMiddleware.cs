using Gazouille.Api;

namespace Gazouille.Hosting;

/// <summary>
/// Turns every failure on API routes into Mastodon's <c>{"error": "…"}</c> with the right status: input errors thrown
/// from handlers, bad requests detected by ASP.NET Core, and — logged, never shown — unexpected exceptions.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/oauth/token")
        || request.Path.StartsWithSegments("/oauth/revoke") || request.Path.StartsWithSegments("/nodeinfo");

    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            if (IsApi(http.Request)) await WriteAsync(http, e.Status, e.Message, e.Extra);
            else await WritePageAsync(http, e.Status, e.Status == StatusCodes.Status404NotFound ? null : e.Message);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            await WriteAsync(http, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large."
                : "The request could not be read: " + e.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!http.Response.HasStarted && DatabaseOutage.Classify(e) is { } outage)
        {
            if (outage.Status < StatusCodes.Status500InternalServerError)
            {
                logger.LogInformation("The database refused the request's text on {Method} {Path}", http.Request.Method, http.Request.Path);
            }
            else
            {
                logger.LogWarning(e, "Database unavailable on {Method} {Path}", http.Request.Method, http.Request.Path);
                http.Response.OnStarting(() =>
                {
                    http.Response.Headers.RetryAfter = "5";
                    return Task.CompletedTask;
                });
            }
            if (IsApi(http.Request)) await WriteAsync(http, outage.Status, outage.Message);
            else await WritePageAsync(http, outage.Status, null);
        }
        catch (Exception e) when (!http.Response.HasStarted && IsApi(http.Request))
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            await WriteAsync(http, StatusCodes.Status500InternalServerError, "Something went wrong on our side; nothing was saved. Please try again.");
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            await WritePageAsync(http, StatusCodes.Status500InternalServerError, null);
        }
    }

    private static Task WritePageAsync(HttpContext http, int status, string? message)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        return Features.Web.WebErrorPage.WriteAsync(http, message);
    }

    private static Task WriteAsync(HttpContext http, int status, string message, IReadOnlyDictionary<string, object?>? extra = null)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        if (extra is null) return http.Response.WriteAsJsonAsync(new ApiError(message), http.RequestAborted);
        var body = new Dictionary<string, object?> { ["error"] = message };
        foreach (var (key, value) in extra) body[key] = value;
        return http.Response.WriteAsJsonAsync(body, http.RequestAborted);
    }
}
