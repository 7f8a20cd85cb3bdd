using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;

namespace Gazouille.Features.Moderation;

/// <summary>The compliance dashboard: charts drawn on the server as SVG, each with a table saying the same; JSON and CSV beside.</summary>
public sealed class ComplianceModel(ComplianceStats stats) : WebPageModel
{
    [FromQuery] public string? From { get; set; }
    [FromQuery] public string? To { get; set; }
    public ComplianceReport? Report { get; private set; }
    public string? Error { get; private set; }

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsModerator) context.Result = NotFound();
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Report = await stats.ComputeAsync(ComplianceStats.Day(From, "from"), ComplianceStats.Day(To, "to"), ct);
        }
        catch (ApiException e)
        {
            Error = Explain(e);
            Report = await stats.ComputeAsync(null, null, ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        return Page();
    }
}
