using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Partners;

/// <summary>
/// The partner pages of the admin area. Who may open them is decided per page in <see cref="MayOpenAsync"/>; everyone
/// else gets the same 404 as for a page that does not exist. Refusals of the services are shown in the reader's language.
/// </summary>
public abstract class PartnerAdminPage(IStringLocalizer<WebText> t) : WebPageModel
{
    protected IStringLocalizer<WebText> T => t;
    [TempData] public string? Message { get; set; }
    public string? Error { get; protected set; }

    protected abstract Task<bool> MayOpenAsync(CancellationToken ct);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (!Viewer.IsEmployee || !await MayOpenAsync(HttpContext.RequestAborted))
        {
            context.Result = NotFound();
            return;
        }
        await next();
    }

    /// <summary>Runs a change; on success back to <paramref name="back"/> with <paramref name="done"/>, else the page again with why.</summary>
    protected async Task<IActionResult> RunAsync(Func<Task> action, string done, string back, Func<CancellationToken, Task> reload, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (ApiException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return NotFound();
        }
        catch (ApiException e)
        {
            return await FailAsync(e, reload, ct);
        }
        Message = done;
        return LocalRedirect(back);
    }

    protected async Task<IActionResult> FailAsync(ApiException e, Func<CancellationToken, Task> reload, CancellationToken ct)
    {
        // The services speak English to API clients; the sentences the pages know are shown translated.
        Error = Explain(e);
        await reload(ct);
        Response.StatusCode = e.Status == StatusCodes.Status403Forbidden ? 403 : 422;
        return Page();
    }
}
