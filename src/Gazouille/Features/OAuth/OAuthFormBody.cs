using System.Text;
using System.Text.Json;
using Gazouille.Api;

namespace Gazouille.Features.OAuth;

/// <summary>
/// Mastodon accepts JSON and multipart bodies on <c>/oauth/token</c> and <c>/oauth/revoke</c>, and client libraries
/// (masto, megalodon) send JSON; OpenIddict reads only forms. This turns such a body into the equivalent form first.
/// Form bodies pass through the same path so that the same clean-up applies to every client.
/// </summary>
public sealed class OAuthFormBody(RequestDelegate next)
{
    private const int MaxBytes = 64 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsPost(request.Method) && request.Path.Equals("/oauth/authorize", StringComparison.OrdinalIgnoreCase) && request.HasFormContentType)
        {
            // The consent form: OpenIddict reads it before the page and fails on what the form reader refuses (%00).
            // Read once here (the form is kept for OpenIddict and the page), so such a form is the client's 400.
            try
            {
                await request.ReadFormAsync(http.RequestAborted);
            }
            catch (InvalidDataException e)
            {
                throw ApiException.BadRequest($"The form could not be read: {e.Message}");
            }
        }
        else if (HttpMethods.IsPost(request.Method)
            && (request.Path.Equals("/oauth/token", StringComparison.OrdinalIgnoreCase) || request.Path.Equals("/oauth/revoke", StringComparison.OrdinalIgnoreCase))
            && (request.HasJsonContentType() || request.HasFormContentType))
        {
            if (request.ContentLength is > MaxBytes) throw new ApiException(StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
            var fields = new List<KeyValuePair<string, string>>();
            if (request.HasJsonContentType())
            {
                JsonDocument doc;
                try
                {
                    doc = await JsonDocument.ParseAsync(request.Body, default, http.RequestAborted);
                }
                catch (JsonException)
                {
                    throw ApiException.BadRequest("The request body is not valid JSON.");
                }
                using (doc)
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest("The request body must be a JSON object.");
                    try
                    {
                        foreach (var p in doc.RootElement.EnumerateObject())
                        {
                            var value = p.Value.ValueKind switch
                            {
                                JsonValueKind.String => p.Value.GetString(),
                                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                                _ => null,
                            };
                            if (value is not null) fields.Add(KeyValuePair.Create(p.Name, value));
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        // An escaped lone surrogate ("\uD800") is valid JSON but no string .NET can hold.
                        throw ApiException.BadRequest("The request body contains text that is not valid Unicode.");
                    }
                }
            }
            else
            {
                IFormCollection form;
                try
                {
                    form = await request.ReadFormAsync(http.RequestAborted);
                }
                catch (InvalidDataException e)
                {
                    // A NUL byte, a value past the form limits, a broken multipart boundary: the client's mistake, not ours.
                    throw Api.ApiException.BadRequest($"The form could not be read: {e.Message}");
                }
                fields.AddRange(form.SelectMany(f => f.Value.Select(v => KeyValuePair.Create(f.Key, v ?? ""))));
            }
            // A raw NUL passes a form read but not the re-read of its escaped form (%00): refused here, once, clearly.
            if (fields.Any(f => f.Key.Contains('\0', StringComparison.Ordinal) || f.Value.Contains('\0', StringComparison.Ordinal)))
                throw ApiException.BadRequest("The request contains a NUL character.");
            // Mastodon clients repeat the scope when exchanging a code; OAuth takes it from the authorization, and
            // OpenIddict refuses it there, so it is dropped rather than failing the sign-in.
            if (fields.Any(f => f.Key == "grant_type" && f.Value == "authorization_code"))
                fields.RemoveAll(f => f.Key == "scope");
            var encoded = Encoding.UTF8.GetBytes(await new FormUrlEncodedContent(fields).ReadAsStringAsync(http.RequestAborted));
            request.Body = new MemoryStream(encoded);
            request.ContentType = "application/x-www-form-urlencoded";
            request.ContentLength = encoded.Length;
            http.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(null);
        }
        await next(http);
    }
}
