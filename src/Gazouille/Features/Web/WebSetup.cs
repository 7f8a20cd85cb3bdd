using System.Globalization;
using System.IO.Compression;
using Gazouille.Features.RateLimits;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.FileProviders;

namespace Gazouille.Features.Web;

/// <summary>The web app: Razor Pages living in the feature folders, French and English, static assets.</summary>
public static class WebSetup
{
    public static readonly CultureInfo[] Cultures = [new("fr"), new("en")];
    public const string CultureCookie = "gazouille_lang";
    public const string ThemeCookie = "gazouille_theme";

    public static IServiceCollection AddGazouilleWeb(this IServiceCollection services)
    {
        services.AddLocalization();
        services.AddSingleton<IStringLocalizer<WebText>, RememberedWebText>();
        // Accented letters stay letters in the HTML (still escaped where HTML needs it): French pages stay readable and small.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AddPageRoute("/Timelines/Timeline", "/tags/{tag}");
            o.Conventions.AllowAnonymousToPage("/Web/Language");
            o.Conventions.AllowAnonymousToPage("/OAuth/SignIn");
            o.Conventions.AllowAnonymousToPage("/LeakGuard/Help");
            o.Conventions.AllowAnonymousToPage("/Accounts/SignUp");
            o.Conventions.AllowAnonymousToPage("/Trust/Verify");
            o.Conventions.AllowAnonymousToPage("/Sso/Sso");
            Strict(o, "/OAuth/SignIn", new(RateLimitBucket.SignIn));
            Strict(o, "/Accounts/SignUp", new(RateLimitBucket.SignUp));
            Strict(o, "/Sso/Sso", new(RateLimitBucket.SignIn));
            Strict(o, "/Statuses/Compose", new(RateLimitBucket.Check, "check"));
            Strict(o, "/Accounts/ProfileEdit", new(RateLimitBucket.Uploads));
            PageHandlerRules.Apply(o);
        }).AddViewLocalization().AddMvcOptions(PageHandlerRules.ApplyToBinding);
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = o.SupportedUICultures = Cultures;
            o.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = CultureCookie }, new AcceptLanguageHeaderRequestCultureProvider()];
        });
        services.AddResponseCompression(o =>
        {
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ["text/css", "text/javascript", "application/javascript", "application/manifest+json", "image/svg+xml"];
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.AddSingleton<WebAssets>();
        services.AddScoped<WebSession>();
        services.AddScoped<TeamNames>();
        return services;
    }

    private static void Strict(Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions o, string page, StrictRateLimit limit) =>
        o.Conventions.AddPageApplicationModelConvention(page, m => m.EndpointMetadata.Add(limit));

    public static IApplicationBuilder UseGazouilleWebAssets(this IApplicationBuilder app)
    {
        var assets = app.ApplicationServices.GetRequiredService<WebAssets>();
        app.UseResponseCompression();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(assets.Directory),
            RequestPath = "/assets",
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers["X-Content-Type-Options"] = "nosniff";
                // Versioned URLs never change content; the rest may be cached briefly.
                ctx.Context.Response.Headers.CacheControl = ctx.Context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "public, max-age=300";
            },
        });
        app.UseRequestLocalization();
        return app;
    }

    public static IEndpointRouteBuilder MapGazouilleWeb(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapAutocomplete();
        app.MapGet("/manifest.webmanifest", (HttpContext http, WebAssets assets) =>
            Results.Text(assets.Manifest(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName), "application/manifest+json")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Remembers the reader's language in a cookie (a year), the way the request localization reads it.</summary>
    public static void RememberCulture(HttpResponse response, string culture) =>
        response.Cookies.Append(CultureCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)), Remembered);

    /// <summary>A reader's choice kept on the device for a year (language, theme, last notification seen).</summary>
    public static CookieOptions Remembered => new() { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true };

    public static string? SupportedCulture(string? raw) =>
        Cultures.Select(c => c.Name).FirstOrDefault(c => string.Equals(c, raw?.Trim(), StringComparison.OrdinalIgnoreCase));
}
