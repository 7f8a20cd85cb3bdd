using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Gazouille.Tests;

/// <summary>Every string the pages ask for exists in English and in French.</summary>
public sealed partial class WebTextTests
{
    [GeneratedRegex("""\b[Tt]\["([^"]+)"[,\]]""")]
    private static partial Regex Lookup();

    private static string SourceRoot() => Path.Combine(TestData.RepositoryRoot, "src", "Gazouille");

    private static HashSet<string> Keys(string file) =>
        XDocument.Load(Path.Combine(SourceRoot(), "Features", "Web", file)).Root!.Elements("data").Select(d => d.Attribute("name")!.Value).ToHashSet();

    [Fact]
    public void Every_string_used_by_a_page_is_translated_in_both_languages()
    {
        var english = Keys("WebText.resx");
        var french = Keys("WebText.fr.resx");
        Assert.Equal(english.Order(), french.Order());
        // The resource build keeps one of two names that differ only in case and drops the other (MSB3568).
        Assert.Empty(english.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)));
        var used = Directory.EnumerateFiles(Path.Combine(SourceRoot(), "Features"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => Lookup().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(k => !k.EndsWith('.')) // prefixes of keys built at run time, checked below
            .ToHashSet();
        Assert.NotEmpty(used);
        Assert.Empty(used.Except(english));
        foreach (var type in new[] { "mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update", "admin.sign_up", "admin.report" })
        {
            Assert.Contains($"Notification.{type}", english);
            Assert.Contains($"Notification.{type}.Verb", english);
        }
        Assert.Contains("LeakGuard.State.held", english);
        Assert.Contains("LeakGuard.State.rejected", english);
    }
}
