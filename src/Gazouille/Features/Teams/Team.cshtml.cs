using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Accounts;
using Gazouille.Features.Statuses;
using Gazouille.Features.Timelines;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Teams;

/// <summary>A team: who is in it, who leads it, its channel, and the follow button.</summary>
public sealed class TeamModel(TeamDirectory teams, GazouilleDb db, AccountRenderer accounts, TimelineReader timelines, StatusRenderer renderer, ComposeBox compose) : WebPageModel
{
    public const int PageSize = 20;

    [FromRoute] public string Handle { get; set; } = "";
    [FromQuery(Name = "max_id")] public string? MaxId { get; set; }

    public TeamEntity Team { get; private set; } = null!;
    public List<(AccountEntity Account, bool Lead)> Members { get; private set; } = [];
    public List<StatusEntity> Statuses { get; private set; } = [];
    public string? OlderUrl { get; private set; }
    public ComposeView? Compose { get; private set; }

    private Task<Data.Entities.Team?> FindAsync(CancellationToken ct)
    {
        var h = Handle.ToLowerInvariant();
        return teams.Visible(Viewer).FirstOrDefaultAsync(t => t.Handle == h, ct);
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var team = await FindAsync(ct);
        var channel = team is null ? null : await timelines.TeamAsync(Viewer, team.Handle, ct);
        if (team is null || channel is null) return NotFound();
        Team = (await teams.RenderAsync(Viewer, [team], ct))[0];
        var members = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == team.Id).OrderByDescending(m => m.IsLead).ThenBy(m => m.AccountId)
            .Take(200).Select(m => new { m.Account, m.IsLead }).ToListAsync(ct);
        var rendered = await accounts.RenderManyAsync(Viewer, members.Select(m => m.Account!).ToList(), ct: ct);
        Members = rendered.Select((a, i) => (a, members[i].IsLead)).ToList();
        var ids = await timelines.PageAsync(channel, new PageRequest(Ids.TryParse(MaxId, out var max) ? max : null, null, null, PageSize), ct);
        Statuses = await renderer.RenderManyAsync(Viewer, await renderer.LoadAsync(ids, ct), ct);
        if (ids.Count == PageSize) OlderUrl = $"/teams/{team.Handle}?max_id={Ids.Format(ids[^1])}";
        if (MaxId is null)
        {
            var box = await compose.NewAsync(Viewer, ct: ct);
            // From a team's page the natural audience is that team (or its partner channel for a guest).
            var here = box.Choices.FirstOrDefault(c => c.Audience == $"team:{team.Handle}") ?? box.Choices.FirstOrDefault(c => c.Audience == $"partners:{team.Handle}");
            if (here is not null) Compose = box with { Selected = here.Audience };
        }
        return Page();
    }

    public Task<IActionResult> OnPostFollowAsync(CancellationToken ct) => SetFollowAsync(true, ct);
    public Task<IActionResult> OnPostUnfollowAsync(CancellationToken ct) => SetFollowAsync(false, ct);

    private async Task<IActionResult> SetFollowAsync(bool follow, CancellationToken ct)
    {
        var team = await FindAsync(ct);
        if (team is null) return NotFound();
        if (follow) await teams.FollowAsync(Viewer, team, ct);
        else await teams.UnfollowAsync(Viewer, team, ct);
        return BackOr($"/teams/{team.Handle}");
    }
}
