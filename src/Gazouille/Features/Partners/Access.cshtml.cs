using Gazouille.Data;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Partners;

/// <summary>
/// The access review (who outside the company can read what, since when, granted by whom, last activity, CSV export),
/// granting and revoking. Administrators see every team; a team lead the teams they lead.
/// </summary>
public sealed class AccessModel(PartnerAdministration partners, GazouilleDb db, IStringLocalizer<WebText> t) : PartnerAdminPage(t)
{
    public const int PageSize = 50;

    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public List<GrantEntity> Grants { get; private set; } = [];
    public int Total { get; private set; }
    public string? NextUrl { get; private set; }
    public string? PreviousUrl { get; private set; }
    public List<(string Handle, string Name)> Teams { get; private set; } = [];
    public List<(string Handle, string Name)> Organizations { get; private set; } = [];
    public Form Draft { get; private set; } = new(null, null, "read_reply", null);

    public sealed record Form(string? Team, string? Partner, string Rights, string? Expires);

    protected override async Task<bool> MayOpenAsync(CancellationToken ct) => Viewer.IsAdmin || (await partners.LedTeamsAsync(Viewer, ct)).Count > 0;

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var all = await partners.ReviewAsync(Viewer, ct);
        Total = all.Count;
        var page = Math.Clamp(PageNumber, 1, Math.Max(1, (Total + PageSize - 1) / PageSize));
        Grants = all.Skip((page - 1) * PageSize).Take(PageSize).ToList();
        if (page * PageSize < Total) NextUrl = $"/admin/access?page={page + 1}";
        if (page > 1) PreviousUrl = $"/admin/access?page={page - 1}";
        var teams = db.Teams.AsNoTracking();
        if (!Viewer.IsAdmin)
        {
            var led = await partners.LedTeamsAsync(Viewer, ct);
            teams = teams.Where(x => led.Contains(x.Id));
        }
        Teams = (await teams.OrderBy(x => x.Name).Take(500).Select(x => new { x.Handle, x.Name }).ToListAsync(ct)).Select(x => (x.Handle, x.Name)).ToList();
        Organizations = (await db.PartnerOrgs.AsNoTracking().OrderBy(o => o.Name).Take(500).Select(o => new { o.Handle, o.Name }).ToListAsync(ct))
            .Select(o => (o.Handle, o.Name)).ToList();
    }

    /// <summary>The same review as a CSV file (the API's <c>?format=csv</c>), for a spreadsheet.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct) =>
        File(PartnerAdministration.ReviewCsv(await partners.ReviewAsync(Viewer, ct)), "text/csv; charset=utf-8", "access-review.csv");

    public Task<IActionResult> OnPostGrantAsync([FromForm] string? team, [FromForm] string? partner, [FromForm] string? rights, [FromForm] string? expires, CancellationToken ct)
    {
        Draft = new Form(team, partner, rights ?? "read_reply", expires);
        return RunAsync(() => partners.GrantAsync(Viewer, team, partner, rights, expires, ct), T["Access granted: the organization's guests follow the channel now."], "/admin/access", LoadAsync, ct);
    }

    public Task<IActionResult> OnPostRevokeAsync([FromForm] string? id, CancellationToken ct) =>
        RunAsync(async () =>
        {
            if (!Api.Ids.TryParse(id, out var grantId) || !await partners.RevokeAsync(Viewer, grantId, ct)) throw Api.ApiException.NotFound();
        }, T["Access revoked: the organization's guests no longer see the channel."], "/admin/access", LoadAsync, ct);
}
