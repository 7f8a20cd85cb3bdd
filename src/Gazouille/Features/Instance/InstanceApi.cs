using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Instance;

/// <summary>Instance metadata and the endpoints Mastodon apps call at start-up, answered honestly (empty where we have nothing).</summary>
public static class InstanceApi
{
    public const string Version = "4.2.0 (compatible; Gazouille 0.1.0)";

    public static IEndpointRouteBuilder MapInstanceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/instance", V1).WithTags("Instance");
        app.MapGet("/api/v2/instance", V2).WithTags("Instance");
        app.MapGet("/.well-known/nodeinfo", (InstanceUrls urls) => Results.Json(new { links = new[] { new { rel = "http://nodeinfo.diaspora.software/ns/schema/2.0", href = $"{urls.Base}/nodeinfo/2.0" } } })).ExcludeFromDescription();
        app.MapGet("/nodeinfo/2.0", NodeInfo).ExcludeFromDescription();
        app.MapGet("/api/v1/preferences", Preferences).RequireScope("read:accounts").WithTags("Instance");
        foreach (var path in new[] { "/api/v1/custom_emojis", "/api/v1/announcements", "/api/v1/trends/tags", "/api/v1/trends/statuses", "/api/v1/trends/links" })
            app.MapGet(path, () => Results.Json(Array.Empty<object>())).WithTags("Instance");
        foreach (var path in new[] { "/api/v1/lists", "/api/v1/filters", "/api/v2/filters", "/api/v1/followed_tags", "/api/v1/follow_requests",
                                     "/api/v1/blocks", "/api/v1/mutes", "/api/v1/domain_blocks", "/api/v1/conversations", "/api/v1/endorsements" })
            app.MapGet(path, () => Results.Json(Array.Empty<object>())).RequireScope("read").WithTags("Instance");
        app.MapGet("/api/v1/markers", () => Results.Json(new { })).RequireScope("read:statuses").WithTags("Instance");
        return app;
    }

    private record Stats(int UserCount, int StatusCount, int DomainCount);

    private static async Task<Stats> StatsAsync(GazouilleDb db, CancellationToken ct) =>
        new(await db.Users.CountAsync(a => !a.Suspended, ct),
            await db.Statuses.CountAsync(s => s.AudienceKind == AudienceKind.Public && s.State == StatusState.Published && s.ReblogOfId == null, ct), 0);

    private static async Task<IResult> V1(GazouilleDb db, InstanceUrls urls, IOptions<GazouilleSettings> settings, CancellationToken ct)
    {
        var s = settings.Value;
        var stats = await StatsAsync(db, ct);
        return Results.Json(new
        {
            uri = urls.Host, title = s.Instance.Title, short_description = s.Instance.Description, description = s.Instance.Description,
            email = s.Instance.ContactEmail, version = Version, urls = new { streaming_api = StreamingBase(urls.Base) },
            stats = new { user_count = stats.UserCount, status_count = stats.StatusCount, domain_count = stats.DomainCount },
            thumbnail = (string?)null, languages = new[] { "fr", "en" }, registrations = s.SignUp.Mode != "closed", approval_required = false,
            invites_enabled = true,
            configuration = Configuration(s),
            contact_account = (object?)null, rules = Array.Empty<object>(),
        });
    }

    private static object Configuration(GazouilleSettings s) => new
    {
        accounts = new { max_featured_tags = 0, max_pinned_statuses = 0 },
        statuses = new { max_characters = s.Posts.MaxLength, max_media_attachments = 0, characters_reserved_per_url = 23 },
        media_attachments = new { supported_mime_types = Array.Empty<string>(), image_size_limit = s.Media.AvatarMaxBytes, image_matrix_limit = 0, video_size_limit = 0, video_frame_rate_limit = 0, video_matrix_limit = 0 },
        polls = new { max_options = 0, max_characters_per_option = 0, min_expiration = 0, max_expiration = 0 },
    };

    private static async Task<IResult> V2(GazouilleDb db, InstanceUrls urls, IOptions<GazouilleSettings> settings, CancellationToken ct)
    {
        var s = settings.Value;
        var stats = await StatsAsync(db, ct);
        return Results.Json(new
        {
            domain = urls.Host, title = s.Instance.Title, version = Version, source_url = "https://example.invalid/gazouille",
            description = s.Instance.Description,
            usage = new { users = new { active_month = stats.UserCount } },
            stats = new { user_count = stats.UserCount, status_count = stats.StatusCount, domain_count = 0 },
            thumbnail = new { url = $"{urls.Base}/avatars/missing.png" },
            languages = new[] { "fr", "en" },
            configuration = new
            {
                urls = new { streaming = StreamingBase(urls.Base) },
                accounts = new { max_featured_tags = 0, max_pinned_statuses = 0 },
                statuses = new { max_characters = s.Posts.MaxLength, max_media_attachments = 0, characters_reserved_per_url = 23 },
                translation = new { enabled = false },
                gazouille = new { audiences = new[] { "direct", "followers", "team", "company", "partners", "public" }, public_posting = s.Audiences.PublicEnabled },
            },
            registrations = new { enabled = s.SignUp.Mode != "closed", approval_required = false, message = (string?)null },
            contact = new { email = s.Instance.ContactEmail, account = (object?)null },
            rules = Array.Empty<object>(),
        });
    }

    private static async Task<IResult> NodeInfo(GazouilleDb db, IOptions<GazouilleSettings> settings, CancellationToken ct)
    {
        var stats = await StatsAsync(db, ct);
        return Results.Json(new
        {
            version = "2.0", software = new { name = "gazouille", version = "0.1.0" }, protocols = Array.Empty<string>(),
            services = new { outbound = Array.Empty<string>(), inbound = Array.Empty<string>() },
            usage = new { users = new { total = stats.UserCount }, localPosts = stats.StatusCount },
            openRegistrations = settings.Value.SignUp.Mode != "closed", metadata = new { nodeName = settings.Value.Instance.Title },
        });
    }

    private static async Task<IResult> Preferences(HttpContext http, GazouilleDb db, CancellationToken ct)
    {
        var me = await db.Users.AsNoTracking().FirstAsync(a => a.Id == http.Viewer().AccountId, ct);
        var visibility = me.DefaultAudience switch { "direct" => "direct", "followers" => "private", "public" or "company" => "public", _ => "private" };
        return Results.Json(new Dictionary<string, object?>
        {
            ["posting:default:visibility"] = visibility, ["posting:default:sensitive"] = false, ["posting:default:language"] = me.Language.Length > 0 ? me.Language : null,
            ["reading:expand:media"] = "default", ["reading:expand:spoilers"] = false, ["gazouille:default:audience"] = me.DefaultAudience,
        });
    }

    /// <summary>The base URL with its scheme made ws/wss (clients append /api/v1/streaming); only the scheme changes.</summary>
    internal static string StreamingBase(string baseUrl) =>
        baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + baseUrl[8..]
        : baseUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "ws://" + baseUrl[7..]
        : baseUrl;
}
