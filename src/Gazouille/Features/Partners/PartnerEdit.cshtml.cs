using Gazouille.Data;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Partners;

/// <summary>One partner organization: its e-mail domains and its verified mark. Administrators only.</summary>
public sealed class PartnerEditModel(PartnerAdministration partners, Trust.TrustMarks marks, GazouilleDb db, IStringLocalizer<WebText> t) : PartnerAdminPage(t)
{
    [FromRoute] public string Handle { get; set; } = "";
    public PartnerEntity? Organization { get; private set; }
    public string Domains { get; private set; } = "";

    protected override Task<bool> MayOpenAsync(CancellationToken ct) => Task.FromResult(Viewer.IsAdmin);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Organization is null ? NotFound() : Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Organization = Handle.Length > 64 ? null : await partners.FindAsync(Viewer, Handle, ct);
        if (Organization is not null && Error is null) Domains = string.Join(", ", Organization.Domains);
    }

    private string Back => "/admin/partners/" + Uri.EscapeDataString(Organization?.Handle ?? Handle.ToLowerInvariant());

    public Task<IActionResult> OnPostDomainsAsync([FromForm] string? domains, CancellationToken ct)
    {
        Domains = domains ?? "";
        return RunAsync(() => partners.SetDomainsAsync(Viewer, Handle, [domains ?? ""], ct), T["E-mail domains saved."], Back, LoadAsync, ct);
    }

    public async Task<IActionResult> OnPostVerifyAsync([FromForm] bool remove, CancellationToken ct)
    {
        var actor = "@" + await db.Users.AsNoTracking().Where(a => a.Id == Viewer.AccountId).Select(a => a.UserName).FirstAsync(ct);
        return await RunAsync(() => marks.MarkPartnerAsync(actor, Handle, !remove, ct),
            remove ? T["The organization is no longer verified."] : T["The organization is verified."], Back, LoadAsync, ct);
    }
}
