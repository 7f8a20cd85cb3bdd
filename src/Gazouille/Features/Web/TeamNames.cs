using Gazouille.Data;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Web;

/// <summary>Team names by handle for the audience badges of a page, read once per request.</summary>
public sealed class TeamNames(GazouilleDb db)
{
    private Dictionary<string, string>? _names;

    public async Task<string> NameAsync(string handle)
    {
        _names ??= await db.Teams.AsNoTracking().Select(t => new { t.Handle, t.Name }).ToDictionaryAsync(t => t.Handle, t => t.Name);
        return _names.GetValueOrDefault(handle, handle);
    }

    /// <summary>The audience badge with the team's name in place of its handle.</summary>
    public async Task<string> BadgeAsync(string audience, Microsoft.Extensions.Localization.IStringLocalizer t)
    {
        var parts = audience.Split(':');
        return parts.Length > 1 && parts[0] is "team" or "partners"
            ? Display.AudienceBadge($"{parts[0]}:{await NameAsync(parts[1])}", t)
            : Display.AudienceBadge(audience, t);
    }
}
