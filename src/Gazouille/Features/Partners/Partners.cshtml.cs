using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Partners;

/// <summary>Partner organizations: the list (by handle, paged), and a new one. Administrators only.</summary>
public sealed class PartnersModel(PartnerAdministration partners, IStringLocalizer<WebText> t) : PartnerAdminPage(t)
{
    public const int PageSize = 50;

    [FromQuery] public string? After { get; set; }
    public List<PartnerEntity> Organizations { get; private set; } = [];
    public string? NextUrl { get; private set; }
    public string NewHandle { get; private set; } = "";
    public string NewName { get; private set; } = "";
    public string NewDomains { get; private set; } = "";

    protected override Task<bool> MayOpenAsync(CancellationToken ct) => Task.FromResult(Viewer.IsAdmin);

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Organizations = await partners.ListAsync(Viewer, After, PageSize, ct);
        if (Organizations.Count == PageSize) NextUrl = "/admin/partners?after=" + Uri.EscapeDataString(Organizations[^1].Handle);
    }

    public Task<IActionResult> OnPostCreateAsync([FromForm] string? handle, [FromForm] string? name, [FromForm] string? domains, CancellationToken ct)
    {
        (NewHandle, NewName, NewDomains) = (handle ?? "", name ?? "", domains ?? "");
        return RunAsync(() => partners.CreateAsync(Viewer, handle, name, [domains ?? ""], ct), T["Partner organization created."], "/admin/partners", LoadAsync, ct);
    }
}
