using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// E-mail addresses and phone numbers, judged as DESIGN.md asks: a personal or webmail address of a person is personal
/// data, a role address on the company's own domain is not; a mobile is personal, a switchboard is not.
/// </summary>
internal static partial class ContactDetector
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    private static readonly HashSet<string> Webmail = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr",
        "live.com", "live.fr", "msn.com", "icloud.com", "me.com", "aol.com", "orange.fr", "wanadoo.fr", "free.fr",
        "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr", "numericable.fr", "proton.me", "protonmail.com", "gmx.com",
        "gmx.fr", "gmx.de", "web.de", "yandex.com", "mail.com", "zoho.com", "tutanota.com", "fastmail.com",
    };

    private static readonly HashSet<string> RoleLocalParts = new(StringComparer.OrdinalIgnoreCase)
    {
        "contact", "info", "infos", "support", "help", "aide", "rh", "hr", "jobs", "careers", "recrutement", "sales",
        "ventes", "commercial", "admin", "noreply", "no-reply", "accueil", "presse", "press", "media", "communication",
        "compta", "comptabilite", "accounting", "billing", "facturation", "legal", "juridique", "dpo", "privacy",
        "security", "securite", "it", "helpdesk", "servicedesk", "webmaster", "postmaster", "hello", "bonjour", "team",
        "equipe", "office", "marketing", "partenaires", "partners", "abuse", "newsletter", "service-client", "sav",
    };

    [GeneratedRegex(@"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w\-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex Email();

    public static void Detect(ScanContext ctx)
    {
        var text = ctx.Original;
        if (text.Contains('@', StringComparison.Ordinal))
        {
            foreach (var m in Email().EnumerateMatches(text))
            {
                ClassifyEmail(ctx, text.Substring(m.Index, m.Length), m.Index);
            }
        }

        DetectPhones(ctx);
    }

    private static void ClassifyEmail(ScanContext ctx, string address, int start)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        var local = address[..at];
        var domain = address[(at + 1)..].ToLowerInvariant();
        var end = start + address.Length;
        var ownDomain = NetworkDetector.IsOwnDomain(ctx.Policy, domain);
        if (NetworkDetector.IsInternalDomain(ctx.Policy, domain) && !ctx.Policy.InternalDomains.Contains(domain))
        {
            // deploy@bastion.corp.example names an internal machine, whatever the mailbox.
            ctx.Add(FindingTypes.InternalHost, start + at + 1, end, 0.85, "internal-domain");
        }

        var role = RoleLocalParts.Contains(local) || RoleLocalParts.Contains(local.Split('.', '-', '_')[0]) && !local.Contains('.', StringComparison.Ordinal);
        if (Webmail.Contains(domain))
        {
            ctx.Add(FindingTypes.Email, start, end, 0.9, "webmail");
        }
        else if (ownDomain)
        {
            // A colleague's work address is contact data but not private; a role address is meant to be shared.
            if (!role)
            {
                ctx.Add(FindingTypes.Email, start, end, 0.5, "work");
            }
        }
        else
        {
            ctx.Add(FindingTypes.Email, start, end, role ? 0.35 : 0.75, role ? "role" : "personal");
        }
    }

    private static void DetectPhones(ScanContext ctx)
    {
        var text = ctx.Original;
        var digits = 0;
        foreach (var c in text)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }

        if (digits < 7)
        {
            return;
        }

        // libphonenumber scans the whole text with its own patterns; a bound keeps hostile megabyte inputs cheap.
        var scan = text.Length > 20_000 ? text[..20_000] : text;
        foreach (var region in (ReadOnlySpan<string>)["FR", "US"])
        {
            foreach (var match in Phones.FindNumbers(scan, region, PhoneNumberUtil.Leniency.VALID, 200))
            {
                var start = match.Start;
                var end = match.Start + match.Length;
                if (ctx.Candidates.Exists(c => c.Type == FindingTypes.Phone && c.Start < end && start < c.End))
                {
                    continue;
                }

                var (confidence, note) = Phones.GetNumberType(match.Number) switch
                {
                    PhoneNumberType.MOBILE => (0.85, "mobile"),
                    PhoneNumberType.FIXED_LINE_OR_MOBILE or PhoneNumberType.PERSONAL_NUMBER => (0.7, "personal"),
                    PhoneNumberType.VOIP => (0.6, "voip"),
                    PhoneNumberType.FIXED_LINE => (0.45, "landline"),
                    _ => (0.3, "service"),
                };
                if (ctx.HasNearby(Lexicon.Switchboard, start, end, 40))
                {
                    confidence -= 0.3;
                    note = "switchboard";
                }
                else if (ctx.HasNearby(Lexicon.PersonalContact, start, end, 40))
                {
                    confidence += 0.2;
                }

                ctx.Add(FindingTypes.Phone, start, end, Math.Clamp(confidence, 0, 1), note);
            }
        }
    }
}
