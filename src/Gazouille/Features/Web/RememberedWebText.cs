using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Web;

/// <summary>
/// The web app's strings, remembered per culture and name. A page looks up some fifty of them, and each lookup in the
/// ResourceManager takes a lock that fifty readers at once wait on; the resources never change while the server runs.
/// </summary>
public sealed class RememberedWebText(IStringLocalizerFactory factory) : IStringLocalizer<WebText>
{
    private readonly IStringLocalizer _inner = factory.Create(typeof(WebText));
    private readonly ConcurrentDictionary<(string Culture, string Name), LocalizedString> _strings = new();

    public LocalizedString this[string name]
    {
        get
        {
            var key = (CultureInfo.CurrentUICulture.Name, name);
            if (_strings.TryGetValue(key, out var found)) return found;
            found = _inner[name];
            // Names are written in the views, so this stays small; a guard all the same against an unbounded set.
            if (_strings.Count < 10_000) _strings[key] = found;
            return found;
        }
    }

    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            var format = this[name];
            return new LocalizedString(name, string.Format(CultureInfo.CurrentCulture, format.Value, arguments), format.ResourceNotFound, format.SearchedLocation);
        }
    }

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => _inner.GetAllStrings(includeParentCultures);
}
