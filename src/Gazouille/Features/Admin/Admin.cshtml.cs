using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Teams;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Admin;

/// <summary>The basic admin area: people (roles, suspension) and teams (create, add members). Administrators only.</summary>
public sealed class AdminModel(GazouilleDb db, AccountAdministration accounts, TeamDirectory teams, Trust.TrustMarks marks,
    Microsoft.Extensions.Options.IOptions<Hosting.GazouilleSettings> settings, IStringLocalizer<WebText> t) : WebPageModel
{
    public const int PageSize = 50;

    public sealed record Row(long Id, string Username, string DisplayName, string Email, AccountRole Role, bool Suspended, string? Partner)
    {
        public bool Official { get; init; }
    }
    public sealed record TeamRow(string Handle, string Name, int Members, bool Official);
    public sealed record PartnerRow(string Handle, string Name, bool Verified);

    [FromQuery] public string? Q { get; set; }
    [FromQuery] public string? After { get; set; }
    public List<Row> People { get; private set; } = [];
    public List<TeamRow> TeamList { get; private set; } = [];
    public List<PartnerRow> Partners { get; private set; } = [];
    public List<AccountAdministration.PendingAccount> Pending { get; private set; } = [];
    public bool ApprovalRequired => settings.Value.SignUp.RequireApproval;
    public string? NextUrl { get; private set; }
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }
    public string NewTeamHandle { get; private set; } = "";
    public string NewTeamName { get; private set; } = "";

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsAdmin) context.Result = NotFound();
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var q = Q.Trim().ToUpperInvariant();
            query = query.Where(a => a.NormalizedUserName!.Contains(q) || a.NormalizedEmail!.Contains(q) || a.DisplayName.ToUpper().Contains(q));
        }
        if (!string.IsNullOrEmpty(After)) query = query.Where(a => string.Compare(a.NormalizedUserName, After.ToUpperInvariant()) > 0);
        People = await query.OrderBy(a => a.NormalizedUserName).Take(PageSize)
            .Select(a => new Row(a.Id, a.UserName!, a.DisplayName, a.Email ?? "", a.Role, a.Suspended,
                a.PartnerOrgId == null ? null : db.PartnerOrgs.Where(o => o.Id == a.PartnerOrgId).Select(o => o.Name).FirstOrDefault()) { Official = a.Official })
            .ToListAsync(ct);
        if (People.Count == PageSize) NextUrl = $"/admin?q={Uri.EscapeDataString(Q ?? "")}&after={Uri.EscapeDataString(People[^1].Username)}";
        TeamList = await db.Teams.AsNoTracking().OrderBy(x => x.Handle).Take(500).Select(x => new TeamRow(x.Handle, x.Name, x.Members.Count, x.Official)).ToListAsync(ct);
        Pending = await accounts.PendingAsync(Viewer, null, PageSize, ct);
        Partners = await db.PartnerOrgs.AsNoTracking().OrderBy(x => x.Handle).Take(500).Select(x => new PartnerRow(x.Handle, x.Name, x.Verified)).ToListAsync(ct);
    }

    public async Task<IActionResult> OnPostRoleAsync([FromForm] long id, [FromForm] string? role, CancellationToken ct)
    {
        if (!Enum.TryParse<AccountRole>(role, ignoreCase: true, out var r) || !Enum.IsDefined(r))
            return await FailAsync(t["Choose employee, moderator or administrator."], ct);
        return await RunAsync(() => accounts.SetRoleAsync(Viewer, id, r, ct), t["Role changed."], ct);
    }

    public Task<IActionResult> OnPostApproveAsync([FromForm] long id, CancellationToken ct) =>
        RunAsync(() => accounts.ApproveAsync(Viewer, id, ct), t["Account approved: the person can sign in now."], ct);

    public Task<IActionResult> OnPostRejectAsync([FromForm] long id, CancellationToken ct) =>
        RunAsync(() => accounts.RejectAsync(Viewer, id, ct), t["Sign-up rejected: the account is deleted."], ct);

    public Task<IActionResult> OnPostSuspendAsync([FromForm] long id, CancellationToken ct) =>
        RunAsync(() => accounts.SetSuspendedAsync(Viewer, id, true, ct), t["Account suspended: its sessions and tokens stop working now."], ct);

    public Task<IActionResult> OnPostUnsuspendAsync([FromForm] long id, CancellationToken ct) =>
        RunAsync(() => accounts.SetSuspendedAsync(Viewer, id, false, ct), t["Account reactivated."], ct);

    public Task<IActionResult> OnPostRevokeSessionsAsync([FromForm] long id, CancellationToken ct) =>
        id == Viewer.AccountId ? FailAsync(t["Sign out on your own devices instead: this would end the session you are using."], ct)
            : RunAsync(() => accounts.RevokeSessionsAsync(Viewer, id, ct), t["Sessions and tokens ended: the person must sign in again."], ct);

    public async Task<IActionResult> OnPostCreateTeamAsync([FromForm] string? handle, [FromForm] string? name, CancellationToken ct)
    {
        var (_, error) = await teams.CreateAsync((handle ?? "").Trim(), (name ?? "").Trim(), null, ct);
        if (error is not null)
        {
            (NewTeamHandle, NewTeamName) = (handle ?? "", name ?? "");
            return await FailAsync(error, ct);
        }
        Message = t["Team created."];
        return LocalRedirect("/admin");
    }

    public async Task<IActionResult> OnPostAddMemberAsync([FromForm] string? team, [FromForm] string? username, [FromForm] bool lead, CancellationToken ct)
    {
        var error = await teams.AddMemberAsync((team ?? "").Trim(), (username ?? "").Trim().TrimStart('@'), lead, ct);
        if (error is not null) return await FailAsync(error, ct);
        Message = t["Member added."];
        return LocalRedirect("/admin");
    }

    /// <summary>Marks (or unmarks) an employee account or a team as official: see <see cref="Trust.TrustMarks"/>.</summary>
    public async Task<IActionResult> OnPostOfficialAsync([FromForm] string? username, [FromForm] bool remove, CancellationToken ct)
    {
        var actor = "@" + await db.Users.AsNoTracking().Where(a => a.Id == Viewer.AccountId).Select(a => a.UserName).FirstAsync(ct);
        return await RunAsync(() => marks.MarkAsync(actor, username ?? "", !remove, ct), remove ? t["The official mark is removed."] : t["Marked official."], ct);
    }

    public async Task<IActionResult> OnPostVerifyPartnerAsync([FromForm] string? handle, [FromForm] bool remove, CancellationToken ct)
    {
        var actor = "@" + await db.Users.AsNoTracking().Where(a => a.Id == Viewer.AccountId).Select(a => a.UserName).FirstAsync(ct);
        return await RunAsync(() => marks.MarkPartnerAsync(actor, handle ?? "", !remove, ct), remove ? t["The organization is no longer verified."] : t["The organization is verified."], ct);
    }

    private async Task<IActionResult> RunAsync(Func<Task> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (ApiException e) when (e.Status != StatusCodes.Status404NotFound)
        {
            return await FailAsync(Explain(e), ct);
        }
        catch (ApiException)
        {
            return NotFound();
        }
        Message = done;
        return LocalRedirect("/admin");
    }

    private async Task<IActionResult> FailAsync(string error, CancellationToken ct)
    {
        Error = error;
        await LoadAsync(ct);
        Response.StatusCode = 422;
        return Page();
    }
}
