namespace Gazouille.Api;

/// <summary>Mastodon's error entity: <c>{"error": "…"}</c>, with an optional machine-readable description.</summary>
public sealed record ApiError(string Error)
{
    public static readonly ApiError NotFound = new("Record not found");
    public static readonly ApiError Unauthorized = new("The access token is invalid");
    public static readonly ApiError Forbidden = new("This action is outside the authorized scopes");
}

/// <summary>Thrown where input is wrong deep inside a handler; the API error middleware answers it as <c>{"error"}</c>.</summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>More members of the error body beside <c>error</c> (e.g. <c>leak_guard</c>), for clients that know them.</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }

    /// <summary>The message for a person on a page, without the "Validation failed: " prefix API clients expect.</summary>
    public string Explanation => Message.StartsWith(ValidationPrefix, StringComparison.Ordinal) ? Message[ValidationPrefix.Length..] : Message;

    private const string ValidationPrefix = "Validation failed: ";

    public static ApiException Unprocessable(string message) => new(StatusCodes.Status422UnprocessableEntity, message);
    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
    public static ApiException NotFound() => new(StatusCodes.Status404NotFound, ApiError.NotFound.Error);
    public static ApiException Forbidden(string message) => new(StatusCodes.Status403Forbidden, message);
}
