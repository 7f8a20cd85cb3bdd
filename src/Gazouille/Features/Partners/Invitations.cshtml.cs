using Gazouille.Api;
using Gazouille.Features.Accounts;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Partners;

/// <summary>
/// Invitations: make one (for a partner organization or for a colleague), list them newest first, revoke one. The link
/// is shown once to the inviter when it did not go by mail. Administrators, and team leads for their teams' partners.
/// </summary>
public sealed class InvitationsModel(InvitationDesk invitations, IStringLocalizer<WebText> t) : PartnerAdminPage(t)
{
    public const int PageSize = 50;

    [FromQuery] public string? Before { get; set; }
    [FromQuery] public string? Partner { get; set; }
    public List<InvitationEntity> Invitations { get; private set; } = [];
    public List<(string Handle, string Name)> Organizations { get; private set; } = [];
    public string? NextUrl { get; private set; }
    /// <summary>The invitation just made, with its link when the inviter has to pass it on.</summary>
    public InvitationEntity? Created { get; private set; }
    public string Email { get; private set; } = "";
    public int Days { get; private set; } = 7;

    protected override Task<bool> MayOpenAsync(CancellationToken ct) => invitations.MayInviteAsync(Viewer, ct);

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        long? before = Ids.TryParse(Before ?? "", out var b) ? b : null;
        Invitations = await invitations.ListAsync(Viewer, before, PageSize, ct);
        if (Invitations.Count == PageSize) NextUrl = "/admin/invitations?before=" + Invitations[^1].Id;
        Organizations = await invitations.InvitableOrganizationsAsync(Viewer, ct);
    }

    public async Task<IActionResult> OnPostInviteAsync([FromForm] string? email, [FromForm] string? partner, [FromForm] int? days, CancellationToken ct)
    {
        (Email, Partner, Days) = (email ?? "", partner, days ?? 7);
        try
        {
            Created = await invitations.InviteAsync(Viewer, email, days, partner, ct);
        }
        catch (ApiException e) when (e.Status != StatusCodes.Status404NotFound)
        {
            return await FailAsync(e, LoadAsync, ct);
        }
        (Email, Partner, Days) = ("", Partner, 7);
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostRevokeAsync([FromForm] string? id, CancellationToken ct) =>
        RunAsync(async () =>
        {
            if (!Ids.TryParse(id ?? "", out var iid) || !await invitations.RevokeAsync(Viewer, iid, ct)) throw ApiException.NotFound();
        }, T["Invitation revoked: its link no longer works."], "/admin/invitations", LoadAsync, ct);
}
