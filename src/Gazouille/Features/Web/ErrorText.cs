using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Gazouille.Api;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Web;

/// <summary>
/// The services explain a refusal in English, which is what API clients get. A page shows the same sentence in the
/// reader's language: the sentence is looked up in <see cref="WebText"/> as it is, or, when it carries values (a limit,
/// a parameter's name), matched against the translated sentences that hold <c>{0}</c>, <c>{1}</c>… A sentence nobody
/// translated yet is shown in English rather than not at all.
/// </summary>
public static class ErrorText
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new();

    /// <summary>The sentences with values, by key (the same in every language), read once.</summary>
    private static string[]? _templates;

    public static string Explain(this IStringLocalizer t, ApiException e) => Translate(t, e.Explanation);

    public static string Translate(IStringLocalizer t, string english)
    {
        var exact = t[english];
        if (!exact.ResourceNotFound) return Sentence(exact.Value);
        _templates ??= t.GetAllStrings(includeParentCultures: true).Select(s => s.Name).Where(n => n.Contains("{0}", StringComparison.Ordinal)).ToArray();
        foreach (var template in _templates)
        {
            var match = Patterns.GetOrAdd(template, Compile).Match(english);
            if (match.Success)
                return Sentence(t[template, match.Groups.Cast<Group>().Skip(1).Select(g => (object)g.Value).ToArray()].Value);
        }
        return Sentence(english);
    }

    /// <summary>"{0} must be a whole number" → ^(.+?) must be a whole number$ (the placeholders only; the rest literal).</summary>
    private static Regex Compile(string template) =>
        new("^" + Regex.Replace(Regex.Escape(template), @"\\\{\d+}", "(.+?)") + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(50));

    /// <summary>
    /// An error shown alone on a page starts with a capital, as a sentence does, unless it starts with a parameter's
    /// name (<c>since_id</c>, <c>source[privacy]</c>), which is written as the API spells it.
    /// </summary>
    private static string Sentence(string s)
    {
        var firstWord = s.Split(' ', 2)[0];
        return s.Length > 0 && char.IsLower(s[0]) && firstWord.All(c => char.IsLetter(c) || c is '\'' or '’')
            ? char.ToUpper(s[0], CultureInfo.CurrentCulture) + s[1..]
            : s;
    }
}
