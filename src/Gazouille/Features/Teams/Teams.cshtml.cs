using Gazouille.Features.Web;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Teams;

/// <summary>The teams the viewer may know of, its own first.</summary>
public sealed class TeamsModel(TeamDirectory teams) : WebPageModel
{
    public List<TeamEntity> Teams { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var mine = Viewer.TeamIds;
        Teams = await teams.RenderAsync(Viewer, await teams.Visible(Viewer).OrderByDescending(t => mine.Contains(t.Id)).ThenBy(t => t.Name).Take(500).ToListAsync(ct), ct);
    }
}
