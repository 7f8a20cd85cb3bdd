using System.Text;
using Gazouille.Data;
using Gazouille.LeakGuard.Normalization;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Trust;

/// <summary>
/// Refuses names that pass for an official account, an official team or a verified partner organization. Names are
/// compared by their Leak Guard skeleton (Unicode TR39 confusables, NFKC, case and accents folded, format and
/// zero-width characters removed, leetspeak, letters split by spaces rejoined) with everything but letters and digits
/// dropped, so "Gazоuille" (Cyrillic о), "Ｇａｚｏｕｉｌｌｅ", "G a z o u i l l e", "gazouille-officiel" and
/// "Gazouille 🐦" all meet "gazouille". Official accounts are exempt, and a guest may carry its own org's name.
/// </summary>
public sealed class ImpersonationGuard(GazouilleDb db)
{
    public const string Refusal = "This name looks like an official account or a verified partner organization; choose a name of your own.";
    public const string RefusalFr = "Ce nom ressemble à celui d'un compte officiel ou d'une organisation partenaire vérifiée ; choisissez un nom qui soit le vôtre.";

    /// <summary>
    /// An API error in the caller's language: the account's (or the sign-up's <c>locale</c>), else the first of French or
    /// English in Accept-Language, else English as Mastodon clients expect. Only the refusal is translated; other
    /// messages pass unchanged. Pages translate through their resources instead.
    /// </summary>
    public static string InLanguage(string message, string? preferred, HttpRequest request)
    {
        var language = preferred is "fr" or "en" ? preferred : null;
        foreach (var part in request.Headers.AcceptLanguage.ToString().Split(','))
        {
            if (language is not null) break;
            var tag = part.Split(';')[0].Trim();
            if (tag.StartsWith("fr", StringComparison.OrdinalIgnoreCase)) language = "fr";
            else if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)) language = "en";
        }
        return language == "fr" ? message.Replace(Refusal, RefusalFr, StringComparison.Ordinal) : message;
    }

    /// <summary>Shorter protected names must match whole; longer ones are refused inside another name too.</summary>
    private const int MinimumContained = 5;

    /// <summary>The reason to refuse one of <paramref name="names"/>, or null when none of them imitates a protected name.</summary>
    public async Task<string?> CheckAsync(long? accountId, long? partnerOrgId, IEnumerable<string?> names, CancellationToken ct)
    {
        var keys = names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => Key(n!)).Where(k => k.Length > 0).Distinct().ToList();
        if (keys.Count == 0) return null;
        if (accountId is { } me && await db.Users.AnyAsync(a => a.Id == me && a.Official, ct)) return null;

        var protectedNames = new List<string>();
        foreach (var a in await db.Users.AsNoTracking().Where(a => a.Official && a.Id != accountId).Select(a => new { a.UserName, a.DisplayName }).ToListAsync(ct))
            protectedNames.AddRange([a.UserName!, a.DisplayName]);
        foreach (var t in await db.Teams.AsNoTracking().Where(t => t.Official).Select(t => new { t.Handle, t.Name }).ToListAsync(ct))
            protectedNames.AddRange([t.Handle, t.Name]);
        foreach (var o in await db.PartnerOrgs.AsNoTracking().Where(o => o.Verified && o.Id != partnerOrgId).Select(o => new { o.Handle, o.Name }).ToListAsync(ct))
            protectedNames.AddRange([o.Handle, o.Name]);

        foreach (var p in protectedNames.Select(Key).Where(k => k.Length >= 2).Distinct())
            if (keys.Any(k => k == p || (p.Length >= MinimumContained && k.Contains(p, StringComparison.Ordinal)))) return Refusal;
        return null;
    }

    /// <summary>The comparison key of a name: its Leak Guard skeleton, letters and digits only.</summary>
    public static string Key(string name)
    {
        var skeleton = TextNormalizer.SkeletonOf(name);
        var b = new StringBuilder(skeleton.Length);
        foreach (var r in skeleton.EnumerateRunes())
            if (Rune.IsLetterOrDigit(r)) b.Append(r.ToString());
        return b.ToString();
    }
}
