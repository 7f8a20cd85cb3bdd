using Gazouille.Data;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Web;

/// <summary>Suggestions for the compose box: people and teams after @, hashtags after #, only what the author may see.</summary>
public static class Autocomplete
{
    public sealed record Suggestion(string Value, string Label);

    public static IEndpointRouteBuilder MapAutocomplete(this IEndpointRouteBuilder app)
    {
        app.MapGet("/web/autocomplete", SuggestAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SuggestAsync(HttpContext http, GazouilleDb db, IStringLocalizer<WebText> text, string? q, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (!viewer.IsSignedIn || q is not { Length: >= 2 and <= 32 } || (q[0] != '@' && q[0] != '#')) return Results.Ok(Array.Empty<Suggestion>());
        var term = q[1..].ToLowerInvariant();
        if (term.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '.' or '-'))) return Results.Ok(Array.Empty<Suggestion>());
        if (q[0] == '#')
        {
            // Only tags of posts the author may read, from the last 90 days: a tag can itself be confidential.
            var since = Snowflake.MinIdAt(DateTimeOffset.UtcNow.AddDays(-90));
            var visible = db.Statuses.Where(Visibility.StatusesVisibleTo(viewer)).Where(s => s.Id > since).Select(s => s.Id);
            var tags = await db.StatusTags.Where(t => t.Name.StartsWith(term) && visible.Contains(t.StatusId)).GroupBy(t => t.Name)
                .OrderByDescending(g => g.Count()).Select(g => g.Key).Take(8).ToListAsync(ct);
            return Results.Ok(tags.Select(t => new Suggestion("#" + t, "#" + t)));
        }
        var upper = term.ToUpperInvariant();
        var people = await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(viewer))
            .Where(a => a.NormalizedUserName!.StartsWith(upper) || a.DisplayName.ToLower().StartsWith(term))
            .OrderBy(a => a.UserName).Take(6).Select(a => new { a.UserName, a.DisplayName, a.Official }).ToListAsync(ct);
        var granted = viewer.GrantedTeamIds;
        var teams = await db.Teams.AsNoTracking().Where(t => viewer.IsEmployee || granted.Contains(t.Id))
            .Where(t => t.Handle.StartsWith(term) || t.Name.ToLower().StartsWith(term)).OrderBy(t => t.Handle).Take(4)
            .Select(t => new { t.Handle, t.Name, t.Official }).ToListAsync(ct);
        // An official account says so in words, so the look-alike next to it in the list cannot pass for it.
        string Mark(bool official) => official ? $" · {text["Official"]}" : "";
        return Results.Ok(people.Select(p => new Suggestion("@" + p.UserName, (Display.Name(p.DisplayName, "") is { Length: > 0 } shown ? $"{shown} (@{p.UserName})" : "@" + p.UserName) + Mark(p.Official)))
            .Concat(teams.Select(x => new Suggestion("@" + x.Handle, $"{x.Name} (@{x.Handle})" + Mark(x.Official)))));
    }
}
