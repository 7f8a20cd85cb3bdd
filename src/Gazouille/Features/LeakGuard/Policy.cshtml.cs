using System.Text.Json.Nodes;
using Gazouille.Api;
using Gazouille.Features.Web;
using Gazouille.LeakGuard;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.LeakGuard;

/// <summary>
/// The Leak Guard policy in the admin area: categories, the decision table per audience, a box to try a text, and
/// rescans of recent posts. Every change goes through <see cref="PolicyEditor"/> (a new audited version). Admins only.
/// </summary>
public sealed class PolicyModel(PolicyEditor editor, LeakPolicyStore store, LeakGate guard, PolicyJobs jobs, IStringLocalizer<WebText> t) : WebPageModel
{
    public const int MaxTryLength = LeakGuardApi.MaxCheckLength;

    public sealed record TryResult(string Text, IReadOnlyList<LeakFinding> Findings, IReadOnlyList<(LeakAudience Audience, LeakDecision Decision)> Decisions, string Lang);

    public PolicyDraft Draft { get; private set; } = new(0, [], LeakPolicy.Default);
    public List<PolicyCategory> Categories { get; private set; } = [];
    public IReadOnlyList<PolicyJob> Jobs { get; private set; } = [];
    public TryResult? Tried { get; private set; }
    [TempData] public string? Message { get; set; }
    public string? Error { get; private set; }
    public string[] Errors { get; private set; } = [];

    public static IEnumerable<LeakRule> Rules => Enum.GetValues<LeakRule>().Where(r => r != LeakRule.Informational);

    /// <summary>The decisions a cell may take: its default or stricter.</summary>
    public static IEnumerable<LeakDecision> Choices(LeakRule rule, LeakAudience audience) =>
        Enum.GetValues<LeakDecision>().Where(d => d >= DecisionTable.Default[rule, audience]);

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!Viewer.IsAdmin) context.Result = NotFound();
    }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Draft = await editor.LoadAsync(ct);
        Categories = PolicyEditor.Categories(Draft);
        Jobs = jobs.Recent();
    }

    private Task<string> ActorAsync(CancellationToken ct) => guard.ActorAsync(Viewer.AccountId, ct);

    public async Task<IActionResult> OnPostDecisionsAsync([FromForm] int version, CancellationToken ct)
    {
        var cells = new JsonObject();
        var count = 0;
        foreach (var rule in Rules)
        {
            var row = new JsonObject();
            foreach (var audience in LeakAudiences.All)
            {
                var value = Request.Form[$"cell.{rule.ToWire()}.{audience.ToWire()}"].ToString();
                if (!LeakDecisions.TryParse(value, out var d)) continue;
                if (d < DecisionTable.Default[rule, audience]) return await FailAsync(t["A decision can only be stricter than the default."], ct);
                if (d == DecisionTable.Default[rule, audience]) continue;
                row[audience.ToWire()] = d.ToWire();
                count++;
            }
            if (row.Count > 0) cells[rule.ToWire()] = row;
        }
        return await ChangeAsync(version, new { kind = "decisions", stricter_cells = count }, tree =>
        {
            if (cells.Count == 0) tree.Remove("decisions");
            else tree["decisions"] = cells;
            return null;
        }, t["The decision table is saved."], ct);
    }

    public async Task<IActionResult> OnPostAddCategoryAsync([FromForm] int version, [FromForm] string? name, [FromForm] string? rule, CancellationToken ct)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0) return await FailAsync(t["Give the category a name."], ct);
        if (!LeakRules.TryParse(rule ?? "custom", out var r) || r == LeakRule.Informational) return await FailAsync(t["Choose a rule from the list."], ct);
        return await ChangeAsync(version, new { kind = "category.add", category = name, rule = r.ToWire() }, tree =>
        {
            var dictionaries = PolicyEditor.Dictionaries(tree);
            if (dictionaries.ContainsKey(name) || PolicyEditor.BuiltInCategories.Contains(name)) return t["That category exists already."];
            dictionaries[name] = new JsonArray();
            if (r != LeakRule.Custom) CustomRules(tree)[name] = r.ToWire();
            return null;
        }, t["Category added."], ct);
    }

    public async Task<IActionResult> OnPostCategoryRuleAsync([FromForm] int version, [FromForm] string? name, [FromForm] string? rule, CancellationToken ct)
    {
        if (!LeakRules.TryParse(rule ?? "", out var r) || r == LeakRule.Informational) return await FailAsync(t["Choose a rule from the list."], ct);
        return await ChangeAsync(version, new { kind = "category.rule", category = name, rule = r.ToWire() }, tree =>
        {
            if (name is null || PolicyEditor.BuiltInCategories.Contains(name) || !PolicyEditor.Dictionaries(tree).ContainsKey(name)) return t["Only a custom category's rule can be changed."];
            CustomRules(tree)[name] = r.ToWire();
            return null;
        }, t["The category's rule is saved."], ct);
    }

    public Task<IActionResult> OnPostDeleteCategoryAsync([FromForm] int version, [FromForm] string? name, CancellationToken ct) =>
        ChangeAsync(version, new { kind = "category.delete", category = name }, tree =>
        {
            if (name is null || PolicyEditor.BuiltInCategories.Contains(name) || !PolicyEditor.Dictionaries(tree).Remove(name)) return t["Only a custom category can be deleted."];
            (tree["custom_rules"] as JsonObject)?.Remove(name);
            return null;
        }, t["Category deleted."], ct);

    public async Task<IActionResult> OnPostAddExceptionAsync([FromForm] int version, [FromForm] string? term, CancellationToken ct)
    {
        term = (term ?? "").Trim();
        if (term.Length == 0) return await FailAsync(t["Write the exception term."], ct);
        return await ChangeAsync(version, new { kind = "exception.add", term }, tree =>
        {
            if (tree["exception_terms"] is not JsonArray list)
            {
                if (tree["exception_terms"] is not null) return t["The policy's exception terms are not a list; import a corrected policy."];
                tree["exception_terms"] = list = [];
            }
            if (list.Any(n => n is JsonValue v && v.TryGetValue<string>(out var s) && string.Equals(s.Trim(), term, StringComparison.OrdinalIgnoreCase))) return t["That exception term exists already."];
            list.Add(term);
            return null;
        }, t["Exception term added."], ct);
    }

    public Task<IActionResult> OnPostRemoveExceptionAsync([FromForm] int version, [FromForm] string? term, CancellationToken ct) =>
        ChangeAsync(version, new { kind = "exception.remove", term }, tree =>
        {
            var list = tree["exception_terms"] as JsonArray;
            var gone = list?.Where(n => n is JsonValue v && v.TryGetValue<string>(out var s) && s.Trim() == term?.Trim()).ToList() ?? [];
            if (gone.Count == 0) return t["That exception term is not in the policy."];
            foreach (var n in gone) list!.Remove(n);
            if (list!.Count == 0) tree.Remove("exception_terms");
            return null;
        }, t["Exception term removed."], ct);

    private static JsonObject CustomRules(JsonObject tree)
    {
        if (tree["custom_rules"] is JsonObject o) return o;
        o = [];
        tree["custom_rules"] = o;
        return o;
    }

    /// <summary>Tries a text against the policy in force, for every audience; nothing is saved.</summary>
    public async Task<IActionResult> OnPostTryAsync([FromForm] string? text, CancellationToken ct)
    {
        text ??= "";
        if (text.Length > MaxTryLength) return await FailAsync(t["The text is longer than {0} characters.", MaxTryLength], ct);
        var engine = await store.EngineAsync(ct);
        var findings = engine.Check(text, LeakAudience.Public).Findings;
        var decisions = LeakAudiences.All.Select(a => (a, engine.Check(text, a).Decision)).ToList();
        Tried = new TryResult(text, findings, decisions, await guard.LanguageAsync(Viewer.AccountId, ct));
        if (IsHtmx) return Partial("_PolicyTry", Tried);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRescanAsync([FromForm] int days, CancellationToken ct)
    {
        try
        {
            var job = jobs.StartRescan(await ActorAsync(ct), days);
            return LocalRedirect($"/admin/policy/jobs/{job.Id}");
        }
        catch (ApiException e)
        {
            return await FailAsync(Explain(e), ct, e.Status);
        }
    }

    private async Task<IActionResult> ChangeAsync(int version, object change, Func<JsonObject, string?> edit, string done, CancellationToken ct)
    {
        try
        {
            await editor.ChangeAsync(await ActorAsync(ct), version, change, edit, ct);
        }
        catch (ApiException e)
        {
            Errors = e.Extra?.GetValueOrDefault("errors") as string[] ?? [];
            return await FailAsync(Explain(e), ct, e.Status);
        }
        Message = done;
        return LocalRedirect("/admin/policy");
    }

    private async Task<IActionResult> FailAsync(string error, CancellationToken ct, int status = StatusCodes.Status422UnprocessableEntity)
    {
        Error = error;
        await LoadAsync(ct);
        Response.StatusCode = status;
        return Page();
    }
}
