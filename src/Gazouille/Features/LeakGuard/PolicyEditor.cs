using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gazouille.Api;
using Gazouille.Data;
using Gazouille.Features.Audit;
using Gazouille.LeakGuard;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.LeakGuard;

/// <summary>The stored policy as an editable tree, and the version it was read from.</summary>
public sealed record PolicyDraft(int Version, JsonObject Tree, LeakPolicy Policy);

public sealed record PolicyCategory(string Name, bool BuiltIn, int Terms, string Rule);

/// <summary>
/// Edits the instance policy from the admin pages: each edit reads the stored document, changes its tree, and saves a
/// new version through <see cref="LeakPolicyStore.SaveAsync"/> (validated, audited as <c>policy.change</c> with what
/// changed). An edit made on an older version than the stored one is refused, so two admins never undo each other.
/// A YAML policy is saved back as JSON (its comments are not kept).
/// </summary>
public sealed class PolicyEditor(GazouilleDb db, LeakPolicyStore store, AuditLog audit)
{
    public static readonly string[] BuiltInCategories = ["client", "project", "person", "confidential", "internal_only"];

    /// <summary>Most terms one dictionary may hold through the admin pages.</summary>
    public const int MaxTerms = 200_000;

    private static readonly JsonSerializerOptions Written = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<PolicyDraft> LoadAsync(CancellationToken ct)
    {
        var doc = await db.LeakPolicyDocuments.AsNoTracking().OrderByDescending(d => d.Version).FirstOrDefaultAsync(ct);
        if (doc is null) return new(0, [], LeakPolicy.Default);
        var format = LeakPolicyStore.Format(doc.Format);
        try
        {
            return new(doc.Version, LeakPolicy.ReadDocument(doc.Text, format) as JsonObject ?? [], LeakPolicy.Parse(doc.Text, format));
        }
        catch (LeakPolicyException e)
        {
            throw new ApiException(StatusCodes.Status409Conflict, $"The stored policy (version {doc.Version}) cannot be read any more: {e.Message}. Import a corrected one.");
        }
    }

    public static List<PolicyCategory> Categories(PolicyDraft draft)
    {
        var dictionaries = draft.Tree["dictionaries"] as JsonObject;
        var names = BuiltInCategories.Concat((dictionaries?.Select(d => d.Key) ?? []).Where(n => !BuiltInCategories.Contains(n)).Order(StringComparer.Ordinal));
        return names.Select(n => new PolicyCategory(n, BuiltInCategories.Contains(n), (dictionaries?[n] as JsonArray)?.Count ?? 0,
            BuiltInCategories.Contains(n) ? "" : draft.Policy.CustomRules.TryGetValue(n, out var r) ? r.ToWire() : LeakRule.Custom.ToWire())).ToList();
    }

    /// <summary>The terms of a category as an admin writes them: "~" before an ambiguous term.</summary>
    public static List<PolicyTerm> Terms(PolicyDraft draft, string category) =>
        ((draft.Tree["dictionaries"] as JsonObject)?[category] as JsonArray ?? []).Select(PolicyTerm.From).ToList();

    /// <summary>
    /// Applies <paramref name="edit"/> to the stored policy and saves it. <paramref name="edit"/> returns an error for
    /// the admin (nothing saved) or null. Answers 409 when the policy changed since <paramref name="expectedVersion"/>,
    /// 422 with the validator's errors when the result is not a usable policy.
    /// </summary>
    public async Task<int> ChangeAsync(string actor, int expectedVersion, object change, Func<JsonObject, string?> edit, CancellationToken ct)
    {
        var draft = await LoadAsync(ct);
        if (draft.Version != expectedVersion)
            throw new ApiException(StatusCodes.Status409Conflict, $"The policy changed meanwhile (now version {draft.Version}); reload the page and make your change again.");
        var error = edit(draft.Tree);
        if (error is not null) throw ApiException.Unprocessable(error);
        var text = draft.Tree.ToJsonString(Written);
        try
        {
            var (doc, _) = await store.SaveAsync(db, audit, text, PolicyFormat.Json, actor, ct, "policy.change", change);
            return doc.Version;
        }
        catch (LeakPolicyException e)
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, e.Message) { Extra = new Dictionary<string, object?> { ["errors"] = e.Errors.Take(100).ToArray() } };
        }
        catch (DbUpdateException)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "Another administrator changed the policy at the same moment; reload the page and retry.");
        }
    }

    public static JsonObject Dictionaries(JsonObject tree)
    {
        if (tree["dictionaries"] is JsonObject d) return d;
        d = [];
        tree["dictionaries"] = d;
        return d;
    }

    public static JsonArray Dictionary(JsonObject tree, string category)
    {
        var dictionaries = Dictionaries(tree);
        if (dictionaries[category] is JsonArray a) return a;
        a = [];
        dictionaries[category] = a;
        return a;
    }

    /// <summary>Adds terms not already in the category (compared without case); returns how many were new.</summary>
    public static int Merge(JsonArray dictionary, IEnumerable<PolicyTerm> terms)
    {
        var known = dictionary.Select(n => PolicyTerm.From(n).Term).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var added = 0;
        foreach (var t in terms)
        {
            if (!known.Add(t.Term)) continue;
            dictionary.Add(t.ToNode());
            added++;
        }
        return added;
    }
}

/// <summary>One dictionary entry: the term, whether it is ambiguous (counts only with context), the partner org it belongs to.</summary>
public sealed record PolicyTerm(string Term, bool Ambiguous = false, string? Org = null, string[]? Aliases = null)
{
    public static PolicyTerm From(JsonNode? node)
    {
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s.StartsWith('~') ? new(s[1..], true) : new(s);
        if (node is not JsonObject o) return new(node?.ToJsonString() ?? "");
        var term = o["term"] is JsonValue t && t.TryGetValue<string>(out var ts) ? ts : "";
        var ambiguous = o["ambiguous"] is JsonValue a && a.TryGetValue<bool>(out var ab) && ab;
        var org = o["org"] is JsonValue g && g.TryGetValue<string>(out var gs) ? gs : null;
        var aliases = (o["aliases"] as JsonArray)?.Select(x => x is JsonValue xv && xv.TryGetValue<string>(out var xs) ? xs : "").Where(x => x.Length > 0).ToArray();
        return new(term, ambiguous, org, aliases is { Length: > 0 } ? aliases : null);
    }

    public JsonNode ToNode()
    {
        if (Org is null && Aliases is null) return JsonValue.Create(Ambiguous ? "~" + Term : Term);
        var o = new JsonObject { ["term"] = Term };
        if (Ambiguous) o["ambiguous"] = true;
        if (Org is not null) o["org"] = Org;
        if (Aliases is not null) o["aliases"] = new JsonArray(Aliases.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        return o;
    }

    /// <summary>How the admin pages and the text export write it.</summary>
    public override string ToString() => (Ambiguous ? "~" : "") + Term;
}
