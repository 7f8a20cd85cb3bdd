using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Statuses;
using Gazouille.Features.Timelines;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Accounts;

/// <summary>Someone's profile and posts, with the follow button; a profile the viewer may not see does not exist (I4).</summary>
public sealed class ProfileModel(GazouilleDb db, AccountRenderer accounts, TimelineReader timelines, StatusRenderer renderer, FollowGraph follows) : WebPageModel
{
    public const int PageSize = 20;

    [FromRoute] public string Username { get; set; } = "";
    [FromQuery(Name = "max_id")] public string? MaxId { get; set; }

    public AccountEntity Account { get; private set; } = null!;
    public bool IsMe { get; private set; }
    public bool Following { get; private set; }
    public List<StatusEntity> Statuses { get; private set; } = [];
    public string? OlderUrl { get; private set; }
    public List<(string Handle, string Name)> Teams { get; private set; } = [];

    private async Task<Data.Entities.Account?> FindAsync(CancellationToken ct)
    {
        if (Username.Length is 0 or > 64) return null;
        var normalized = Username.ToUpperInvariant();
        return await db.Users.AsNoTracking().Where(Visibility.AccountsVisibleTo(Viewer)).FirstOrDefaultAsync(a => a.NormalizedUserName == normalized, ct);
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var account = await FindAsync(ct);
        if (account is null) return NotFound();
        Account = await accounts.RenderAsync(Viewer, account, ct: ct);
        IsMe = account.Id == Viewer.AccountId;
        Following = Viewer.FollowingIds.Contains(account.Id);
        var ids = await timelines.PageAsync(timelines.Account(Viewer, account.Id), new PageRequest(Ids.TryParse(MaxId, out var max) ? max : null, null, null, PageSize), ct);
        Statuses = await renderer.RenderManyAsync(Viewer, await renderer.LoadAsync(ids, ct), ct);
        if (ids.Count == PageSize) OlderUrl = $"/@{account.UserName}?max_id={Ids.Format(ids[^1])}";
        var teams = db.TeamMembers.Where(m => m.AccountId == account.Id).Select(m => m.Team!);
        if (Viewer.IsGuest) teams = teams.Where(t => Viewer.GrantedTeamIds.Contains(t.Id));
        Teams = (await teams.OrderBy(t => t.Name).Select(t => new { t.Handle, t.Name }).ToListAsync(ct)).Select(t => (t.Handle, t.Name)).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostFollowAsync(CancellationToken ct)
    {
        var account = await FindAsync(ct);
        if (account is null) return NotFound();
        await follows.FollowAsync(Viewer, account.Id, ct);
        return LocalRedirect($"/@{account.UserName}");
    }

    public async Task<IActionResult> OnPostUnfollowAsync(CancellationToken ct)
    {
        var account = await FindAsync(ct);
        if (account is null) return NotFound();
        await follows.UnfollowAsync(Viewer, account.Id, ct);
        return LocalRedirect($"/@{account.UserName}");
    }
}
