using System.Text.Json;

namespace Gazouille.BrowserTests;

/// <summary>Runs axe-core (from npm, see package.json) in the page and fails on any serious or critical violation.</summary>
public static class Accessibility
{
    private static readonly Lazy<string> AxeScript = new(FindAxe);

    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var found = await SeriousViolationsAsync(page);
        Assert.True(found.Count == 0, $"axe-core found {found.Count} serious or critical violation(s) on {page.Url}:\n{string.Join("\n", found)}");
    }

    /// <summary>Each serious or critical violation on the page, with up to five of the elements at fault.</summary>
    public static async Task<List<string>> SeriousViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = AxeScript.Value });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' ')) }));
            }
            """);
        return violations.EnumerateArray().Select(v =>
            $"- [{v.GetProperty("impact").GetString()}] {v.GetProperty("id").GetString()}: {v.GetProperty("help").GetString()}\n" +
            string.Join("\n", v.GetProperty("nodes").EnumerateArray().Select(n => "    " + n.GetString()))).ToList();
    }

    /// <summary>node_modules sits beside the project: walk up from the test binaries to it.</summary>
    private static string FindAxe()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            "axe-core is missing: run `npm ci` in tests/Gazouille.BrowserTests (scripts/test.sh does).");
    }
}
