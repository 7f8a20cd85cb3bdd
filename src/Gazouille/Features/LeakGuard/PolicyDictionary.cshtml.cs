using System.Text;
using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.LeakGuard;

/// <summary>One dictionary of the policy: its terms (filtered, paged), adding and removing terms, import and export.</summary>
[RequestSizeLimit(MaxFileBytes + (64 * 1024))]
[RequestFormLimits(MultipartBodyLengthLimit = MaxFileBytes + (64 * 1024))]
public sealed class PolicyDictionaryModel(PolicyEditor editor, LeakGate guard, PolicyJobs jobs, IStringLocalizer<WebText> t) : WebPageModel
{
    public const int PageSize = 200;
    /// <summary>Largest dictionary file accepted by the import form.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    [FromRoute] public string Category { get; set; } = "";
    [FromQuery] public string? Q { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; }
    public int Version { get; private set; }
    public int Total { get; private set; }
    public List<PolicyTerm> Shown { get; private set; } = [];
    public bool HasMore { get; private set; }
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }
    public string[] Errors { get; private set; } = [];

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsAdmin) context.Result = NotFound();
    }

    private async Task<List<PolicyTerm>?> LoadAsync(CancellationToken ct)
    {
        var draft = await editor.LoadAsync(ct);
        if (!PolicyEditor.Categories(draft).Any(c => c.Name == Category)) return null;
        Version = draft.Version;
        var terms = PolicyEditor.Terms(draft, Category);
        Total = terms.Count;
        var filtered = string.IsNullOrWhiteSpace(Q) ? terms : terms.Where(x => x.Term.Contains(Q.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        PageNumber = Math.Max(0, PageNumber);
        Shown = filtered.Skip(PageNumber * PageSize).Take(PageSize).ToList();
        HasMore = filtered.Count > (PageNumber + 1) * PageSize;
        return terms;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) is null ? NotFound() : Page();

    /// <summary>The whole dictionary as CSV or plain text (the formats the import reads).</summary>
    public async Task<IActionResult> OnGetExportAsync([FromQuery] string? format, CancellationToken ct)
    {
        var terms = await LoadAsync(ct);
        if (terms is null) return NotFound();
        var csv = format != "text";
        var writer = new StringWriter();
        if (csv) PolicyTermFile.WriteCsv(writer, terms);
        else PolicyTermFile.WriteText(writer, terms);
        return File(Encoding.UTF8.GetBytes(writer.ToString()), csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8", $"{Category}.{(csv ? "csv" : "txt")}");
    }

    public async Task<IActionResult> OnPostAddAsync([FromForm] int version, [FromForm] string? terms, CancellationToken ct)
    {
        var read = PolicyTermFile.Read(Encoding.UTF8.GetBytes(terms ?? ""), csv: false, _ => { }, ct);
        if (read.Errors.Count > 0) return await FailAsync(t["Nothing was added: some lines are wrong."], read.Errors.ToArray(), StatusCodes.Status422UnprocessableEntity, ct);
        if (read.Terms.Count == 0) return await FailAsync(t["Write at least one term."], [], StatusCodes.Status422UnprocessableEntity, ct);
        var added = 0;
        return await ChangeAsync(version, new { kind = "terms.add", category = Category, terms = read.Terms.Count }, tree =>
        {
            added = PolicyEditor.Merge(PolicyEditor.Dictionary(tree, Category), read.Terms);
            return null;
        }, () => t["{0} terms added.", added], ct);
    }

    public Task<IActionResult> OnPostRemoveAsync([FromForm] int version, [FromForm] string? term, CancellationToken ct) =>
        ChangeAsync(version, new { kind = "terms.remove", category = Category, term }, tree =>
        {
            var dictionary = PolicyEditor.Dictionary(tree, Category);
            var gone = dictionary.Where(n => PolicyTerm.From(n).Term == term).ToList();
            if (gone.Count == 0) return t["That term is not in the dictionary."];
            foreach (var n in gone) dictionary.Remove(n);
            return null;
        }, () => t["Term removed."], ct);

    public async Task<IActionResult> OnPostImportAsync([FromForm] int version, IFormFile? file, [FromForm] string? mode, CancellationToken ct)
    {
        if (await LoadAsync(ct) is null) return NotFound();
        if (file is null || file.Length == 0) return await FailAsync(t["Choose a file to import."], [], StatusCodes.Status422UnprocessableEntity, ct);
        if (file.Length > MaxFileBytes) return await FailAsync(t["The file is larger than {0} MB.", MaxFileBytes / (1024 * 1024)], [], StatusCodes.Status413PayloadTooLarge, ct);
        var data = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(data, ct);
        try
        {
            var job = jobs.StartImport(await guard.ActorAsync(Viewer.AccountId, ct), version, Category, data, PolicyTermFile.IsCsv(file.FileName, file.ContentType), mode == "replace");
            return LocalRedirect($"/admin/policy/jobs/{job.Id}");
        }
        catch (ApiException e)
        {
            return await FailAsync(Explain(e), [], e.Status, ct);
        }
    }

    private async Task<IActionResult> ChangeAsync(int version, object change, Func<System.Text.Json.Nodes.JsonObject, string?> edit, Func<string> done, CancellationToken ct)
    {
        if (await LoadAsync(ct) is null) return NotFound();
        try
        {
            await editor.ChangeAsync(await guard.ActorAsync(Viewer.AccountId, ct), version, change, edit, ct);
        }
        catch (ApiException e)
        {
            return await FailAsync(Explain(e), e.Extra?.GetValueOrDefault("errors") as string[] ?? [], e.Status, ct);
        }
        Message = done();
        return LocalRedirect($"/admin/policy/dictionaries/{Uri.EscapeDataString(Category)}");
    }

    private async Task<IActionResult> FailAsync(string error, string[] errors, int status, CancellationToken ct)
    {
        (Error, Errors) = (error, errors);
        if (await LoadAsync(ct) is null) return NotFound();
        Response.StatusCode = status;
        return Page();
    }
}
