using System.Text.Json;
using Gazouille.Data;
using Gazouille.Features.Accounts;
using Gazouille.Features.Audit;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Instance;
using Gazouille.Features.Media;
using Gazouille.Features.Moderation;
using Gazouille.Features.Notifications;
using Gazouille.Features.Operations;
using Gazouille.Features.Streaming;
using Gazouille.Features.OAuth;
using Gazouille.Features.Partners;
using Gazouille.Features.Search;
using Gazouille.Features.Statuses;
using Gazouille.Features.Teams;
using Gazouille.Features.Timelines;
using Gazouille.Features.Trust;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.DataProtection;
using Scalar.AspNetCore;

namespace Gazouille.Hosting;

/// <summary>Builds the web application: the table of contents of the server.</summary>
public static class GazouilleApp
{
    public static WebApplicationBuilder CreateBuilder(DataLocation data, string[]? args = null)
    {
        data.EnsureDirectories();
        // Settings are read at start: no file watchers, which Linux counts per user (128 inotify instances by default).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args ?? [], "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
            // Razor Pages are found in this assembly even when a test host starts the app.
            ApplicationName = typeof(GazouilleApp).Assembly.GetName().Name,
        });
        builder.Configuration.AddJsonFile(Path.Combine(data.DataDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        // OpenIddict logs whole OAuth requests at Information, PKCE verifiers and anti-forgery tokens included (it redacts
        // only codes, secrets and tokens): its warnings and errors are enough.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("OpenIddict", LogLevel.Warning).AddFilter(DataLocation.ConnectionLogCategory, LogLevel.None);
        builder.Services.AddGazouilleCore(builder.Configuration, data);
        builder.Services.AddGazouilleAuth();
        builder.Services.AddGazouilleWeb();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddGazouilleOperations();
        builder.Services.AddSingleton<Features.RateLimits.RateLimiters>();
        builder.Services.AddSingleton<StreamHub>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StreamHub>());
        builder.Services.AddOpenApi("gazouille");
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "gazouille_csrf");
        builder.Services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = false; });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        return builder;
    }

    /// <summary>Services shared by the server and the admin commands.</summary>
    public static IServiceCollection AddGazouilleCore(this IServiceCollection services, IConfiguration configuration, DataLocation data)
    {
        services.Configure<GazouilleSettings>(configuration.GetSection("Gazouille"));
        services.AddSingleton(data);
        services.AddHttpContextAccessor();
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<GazouilleMetrics>();
        services.AddGazouilleEventBus(configuration);
        services.AddSingleton<StreamOutbox>();
        services.AddSingleton<AccountCounts>();
        services.AddSingleton<ChangeClock>();
        services.AddSingleton<ChangeClock.Watcher>();
        services.AddSingleton(sp => new ViewerPageCache(sp.GetRequiredService<ChangeClock>(), sp.GetRequiredService<TimeProvider>())
        {
            Enabled = configuration.GetValue("Gazouille:Caching:Pages", true),
        });
        services.AddSingleton(sp => new Features.Web.ViewerHtmlCache(
            new ViewerPageCache(sp.GetRequiredService<ChangeClock>(), sp.GetRequiredService<TimeProvider>())
            {
                Enabled = configuration.GetValue("Gazouille:Caching:Pages", true),
                MaxEntries = Features.Web.ViewerHtmlCache.MaxEntries,
            },
            sp.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<System.Text.Encodings.Web.HtmlEncoder>()));
        // The options are built once (their interceptors are singletons keeping per-context state), not per request,
        // and without the application's service provider: EF strips that provider from options that carry one before
        // looking up its internal services, so every context built from them cloned its core options and compared them
        // field by field through reflection (about a tenth of what a web page view allocated). The application's
        // logger factory, the one thing EF took from it, is given directly. AddDbContext keeps these options (TryAdd).
        services.AddSingleton(sp =>
        {
            var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<GazouilleDb>();
            data.Configure(options);
            options.AddInterceptors(sp.GetRequiredService<StreamOutbox>(), sp.GetRequiredService<ChangeClock.Watcher>());
            options.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return options.Options;
        });
        services.AddDbContext<GazouilleDb>(ServiceLifetime.Scoped, ServiceLifetime.Singleton);
        services.AddSingleton(sp => new AccessCache(sp.GetRequiredService<ChangeClock>(), sp.GetRequiredService<TimeProvider>())
        {
            Enabled = configuration.GetValue("Gazouille:Caching:Access", true),
        });
        services.AddScoped<AccessCache.RequestEpoch>();
        services.AddScoped<ViewerLoader>();
        services.AddSingleton<ViewerLoader.Queries>();
        services.AddSingleton<Features.OAuth.PersonalAccessTokenHandler.Queries>();
        services.AddScoped<InstanceUrls>();
        services.AddScoped<AccountRenderer>();
        services.AddSingleton<AccountRenderer.Queries>();
        services.AddScoped<AccountDirectory>();
        services.AddScoped<OwnSessions>();
        services.AddScoped<SignUpPolicy>();
        services.AddScoped<TeamDirectory>();
        services.AddScoped<StatusRenderer>();
        services.AddScoped<StatusFinder>();
        services.AddScoped<TimelineReader>();
        services.AddSingleton<TimelineReader.WindowHints>();
        services.AddScoped<SearchService>();
        services.AddScoped<StatusInteractions>();
        services.AddScoped<AudienceChoices>();
        services.AddScoped<ComposeBox>();
        services.AddScoped<NotificationReader>();
        services.AddScoped<FollowGraph>();
        services.AddScoped<ProfileEditor>();
        services.AddScoped<Features.Mail.MailSender>();
        services.AddScoped<Features.Admin.AccountAdministration>();
        services.AddScoped<Features.Partners.PartnerAdministration>();
        services.AddScoped<InvitationDesk>();
        services.AddScoped<StatusPublisher>();
        services.AddScoped<AudienceResolver>();
        services.AddScoped<Notifier>();
        services.AddScoped<AvatarStore>();
        services.AddScoped<Features.Demo.DemoSeeder>();
        services.AddHttpContextAccessor();
        services.AddSingleton<LeakPolicyStore>();
        services.AddScoped<LeakGate>();
        services.AddScoped<LeakChecker>();
        services.AddScoped<PolicyEditor>();
        services.AddScoped<LeakHistory>();
        services.AddScoped<FalsePositives>();
        services.AddScoped<Features.Moderation.ComplianceStats>();
        services.AddSingleton<PolicyJobs>();
        services.AddScoped<AuditLog>();
        services.AddScoped<HeldPosts>();
        services.AddScoped<Features.Reports.ReportBook>();
        services.AddScoped<Features.Reports.ReportActions>();
        // Shared by the server and the admin commands: the signing keys' private halves are protected with this key ring.
        services.AddDataProtection().PersistKeysToDbContext<GazouilleDb>().SetApplicationName("Gazouille");
        services.AddSingleton<Features.Trust.SigningKeyCache>();
        services.AddScoped<Features.Trust.InstanceKeys>();
        services.AddScoped<Features.Trust.PostSigner>();
        services.AddScoped<Features.Trust.StatusProofs>();
        services.AddScoped<Features.Trust.TrustMarks>();
        services.AddScoped<Features.Trust.ImpersonationGuard>();
        return services;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var data = app.Services.GetRequiredService<DataLocation>();
        app.Services.GetRequiredService<ChangeClock>().IsServer = true;

        app.UseMiddleware<SecurityHeaders>();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseStreamingHandoff();
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (ApiErrorMiddleware.IsApi(http.Request) && http.Response.ContentLength is null && string.IsNullOrEmpty(http.Response.ContentType))
                await http.Response.WriteAsJsonAsync(new Api.ApiError(http.Response.StatusCode switch
                {
                    404 => Api.ApiError.NotFound.Error,
                    405 => "This method is not allowed here",
                    415 => "Send parameters as JSON, a form or the query string",
                    _ => "The request could not be handled",
                }));
            else if (http.Response.ContentLength is null && string.IsNullOrEmpty(http.Response.ContentType))
                await WebErrorPage.WriteAsync(http);
        });
        app.UseGazouilleWebAssets();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseStreamingTokens();
        app.UseMiddleware<OAuthFormBody>();
        app.UseAuthentication();
        app.UseMiddleware<ViewerMiddleware>();
        app.UseMiddleware<Features.RateLimits.RateLimitMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi("/api/openapi/{documentName}.json");
        app.MapScalarApiReference("/api/docs", o => o.WithOpenApiRoutePattern("/api/openapi/{documentName}.json").AddDocument("gazouille"));
        app.MapGet("/avatars/missing.png", () => Results.Bytes(DefaultImages.Avatar, "image/png")).ExcludeFromDescription();
        app.MapMedia();
        app.MapGet("/headers/missing.png", () => Results.Bytes(DefaultImages.Avatar, "image/png")).ExcludeFromDescription();

        app.MapSignInPages();
        app.MapRegistrationApi();
        app.MapOAuth();
        app.MapAppsApi();
        app.MapInstanceApi();
        app.MapAccountsApi();
        app.MapSessionsApi();
        app.MapStatusesApi();
        app.MapTimelinesApi();
        app.MapSearchApi();
        app.MapNotificationsApi();
        app.MapTeamsApi();
        app.MapPartnersApi();
        app.MapLeakGuardApi();
        app.MapPolicyJobsApi();
        app.MapLeakHistoryApi();
        app.MapFalsePositivesApi();
        app.MapComplianceApi();
        app.MapModerationApi();
        Features.Reports.ReportsApi.MapReportsApi(app);
        app.MapAuditApi();
        app.MapProofsApi();
        app.MapTrustAdminApi();
        app.MapStreamingApi();
        app.MapHealthApi();
        app.MapGazouilleWeb();
        return app;
    }
}

internal static class DefaultImages
{
    // A 1×1 grey PNG: clients need an image URL for accounts without an avatar.
    public static readonly byte[] Avatar = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4BgAA9gD1ZEqLJQAAAABJRU5ErkJggg==");
}
