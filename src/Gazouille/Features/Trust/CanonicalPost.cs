using System.Globalization;
using System.Text;

namespace Gazouille.Features.Trust;

/// <summary>One published version of a post, as it is signed (see docs/api.md, "Signed posts").</summary>
public sealed record PostVersion(
    long Id, int Edit, long AuthorId, string Author, string Audience, bool AudienceSubset,
    string SpoilerText, string Text, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt);

/// <summary>
/// The canonical JSON of a post version: the keys below in this (sorted) order, no whitespace, strings escaped as
/// ECMAScript's JSON.stringify does (only <c>"</c>, <c>\</c>, control characters and lone surrogates), UTF-8.
/// That is RFC 8785 (JCS) for this object, so any JCS library re-creates it from the parsed payload.
/// </summary>
public static class CanonicalPost
{
    public const string Type = "gazouille.status";
    public const int Version = 1;

    public static string Payload(PostVersion v)
    {
        var b = new StringBuilder(v.Text.Length + v.SpoilerText.Length + 256);
        b.Append('{');
        Member(b, "audience", v.Audience, first: true);
        b.Append(",\"audience_subset\":").Append(v.AudienceSubset ? "true" : "false");
        Member(b, "author", v.Author);
        Member(b, "author_id", v.AuthorId.ToString(CultureInfo.InvariantCulture));
        Member(b, "created_at", Time(v.CreatedAt));
        b.Append(",\"edit\":").Append(v.Edit.ToString(CultureInfo.InvariantCulture));
        if (v.EditedAt is { } edited) Member(b, "edited_at", Time(edited));
        else b.Append(",\"edited_at\":null");
        Member(b, "id", v.Id.ToString(CultureInfo.InvariantCulture));
        Member(b, "spoiler_text", v.SpoilerText);
        Member(b, "text", v.Text);
        Member(b, "type", Type);
        b.Append(",\"v\":").Append(Version.ToString(CultureInfo.InvariantCulture));
        b.Append('}');
        return b.ToString();
    }

    /// <summary>UTC, milliseconds, as Mastodon writes times: 2026-11-26T01:02:03.456Z.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Member(StringBuilder b, string name, string value, bool first = false)
    {
        if (!first) b.Append(',');
        b.Append('"').Append(name).Append("\":");
        Quote(b, value);
    }

    public static void Quote(StringBuilder b, string s)
    {
        b.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (c < 0x20) Escape(b, c);
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) b.Append(c).Append(s[++i]);
                    else if (char.IsSurrogate(c)) Escape(b, c);
                    else b.Append(c);
                    break;
            }
        }
        b.Append('"');
    }

    private static void Escape(StringBuilder b, char c) => b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
