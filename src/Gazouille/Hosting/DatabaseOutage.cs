using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gazouille.Hosting;

/// <summary>
/// Tells a database that cannot serve for now (PostgreSQL restarting or unreachable, SQLite locked or unable to write,
/// a full disk) from a bug: the first answers 503 (507 for a full disk) with a sentence and a Retry-After, the request
/// saved nothing (each write is one transaction), and the next request, once the database is back, simply works.
/// </summary>
public static class DatabaseOutage
{
    public const string Unavailable = "The database is unavailable for a moment (it may be restarting); nothing was saved. Please try again in a few seconds.";
    public const string DiskFull = "The server's disk is full, so nothing was saved. Please tell your administrator; reading still works.";

    public const string UnstorableText = "The request contains a NUL character (U+0000), which cannot be stored or searched; remove it and try again.";

    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteIoError = 10, SqliteFull = 13, SqliteCantOpen = 14;

    /// <summary>
    /// The status and message for a database outage anywhere in the exception's chain, or null for anything else. Text
    /// PostgreSQL cannot store (a NUL character, which SQLite takes) is not an outage but is told apart here too: 400.
    /// </summary>
    public static (int Status, string Message)? Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteFull }:
                case PostgresException { SqlState: PostgresErrorCodes.DiskFull }:
                    return (StatusCodes.Status507InsufficientStorage, DiskFull);
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteIoError or SqliteCantOpen }:
                case NpgsqlException { IsTransient: true }:
                    return (StatusCodes.Status503ServiceUnavailable, Unavailable);
                case PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter }:
                    return (StatusCodes.Status400BadRequest, UnstorableText);
            }
        }
        return null;
    }
}
