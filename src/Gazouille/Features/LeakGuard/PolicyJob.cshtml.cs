using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;

namespace Gazouille.Features.LeakGuard;

/// <summary>A policy job's progress (htmx polls the fragment every second while it runs) and, once done, its report.</summary>
public sealed class PolicyJobModel(PolicyJobs jobs) : WebPageModel
{
    public PolicyJob Job { get; private set; } = null!;

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsAdmin) context.Result = NotFound();
    }

    public IActionResult OnGet(string id)
    {
        if (jobs.Find(id) is not { } job) return NotFound();
        Job = job;
        return IsHtmx ? Partial("_PolicyJob", job) : Page();
    }
}
