namespace Gazouille.LeakGuard.Detectors;

/// <summary>Check digits that tell a real identifier from a run of digits. Written by hand: no IbanNet here.</summary>
public static class Checksums
{
    /// <summary>Luhn (cards, SIREN, SIRET) over ASCII digits only.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 2)
        {
            return false;
        }

        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>ISO 13616: country length, then mod 97 of the rearranged number equals 1. Input has no spaces.</summary>
    public static bool Iban(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 15 || iban.Length > 34 || !char.IsAsciiLetter(iban[0]) || !char.IsAsciiLetter(iban[1])
            || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return false;
        }

        Span<char> country = [char.ToUpperInvariant(iban[0]), char.ToUpperInvariant(iban[1])];
        if (!IbanLength(country, out var expected) || expected != iban.Length)
        {
            return false;
        }

        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = char.ToUpperInvariant(iban[(k + 4) % iban.Length]);
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }

    /// <summary>IBAN length per country (SWIFT IBAN registry).</summary>
    public static bool IbanLength(ReadOnlySpan<char> country, out int length)
    {
        length = country switch
        {
            "NO" => 15, "BE" => 16, "DK" or "FI" or "FO" or "GL" or "NL" or "SD" => 18, "MK" or "SI" => 19,
            "AT" or "BA" or "EE" or "KZ" or "LT" or "LU" or "XK" => 20, "CH" or "CR" or "HR" or "LI" or "LV" => 21,
            "BG" or "BH" or "DE" or "GB" or "GE" or "IE" or "ME" or "RS" or "VA" => 22, "AE" or "IL" or "TL" or "IQ" => 23,
            "AD" or "CZ" or "ES" or "MD" or "PK" or "RO" or "SA" or "SE" or "SK" or "TN" or "VG" => 24,
            "LY" or "PT" or "ST" => 25, "IS" or "TR" => 26,
            "FR" or "GR" or "IT" or "MC" or "MR" or "SM" or "BI" => 27, "AL" or "AZ" or "BY" or "CY" or "DO" or "GT"
                or "HU" or "LB" or "PL" or "SV" => 28,
            "BR" or "EG" or "PS" or "QA" or "UA" => 29, "JO" or "KW" or "MU" => 30, "MT" or "SC" => 31, "LC" => 32,
            "RU" => 33,
            _ => 0,
        };
        return length > 0;
    }

    /// <summary>
    /// French NIR: key = 97 - (13-digit number mod 97); Corsica's 2A/2B count as 19/18 with the letter read as 0.
    /// </summary>
    public static bool NirKey(ReadOnlySpan<char> thirteen, int key)
    {
        if (thirteen.Length != 13)
        {
            return false;
        }

        long value = 0;
        var corsica = 0L;
        for (var i = 0; i < 13; i++)
        {
            var c = char.ToUpperInvariant(thirteen[i]);
            int d;
            if (i == 6 && c is 'A' or 'B')
            {
                corsica = c == 'A' ? 1_000_000 : 2_000_000;
                d = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                d = c - '0';
            }
            else
            {
                return false;
            }

            value = (value * 10) + d;
        }

        value -= corsica;
        return 97 - (value % 97) == key;
    }

    /// <summary>Card brands by prefix and length, so a Luhn-valid run of digits must also look like a card.</summary>
    public static string? CardBrand(ReadOnlySpan<char> d)
    {
        var n = d.Length;
        if (n < 12 || n > 19)
        {
            return null;
        }

        if (d[0] == '4' && n is 13 or 16 or 19)
        {
            return "Visa";
        }

        var p2 = int.Parse(d[..2], provider: System.Globalization.CultureInfo.InvariantCulture);
        var p4 = int.Parse(d[..4], provider: System.Globalization.CultureInfo.InvariantCulture);
        var p6 = int.Parse(d[..6], provider: System.Globalization.CultureInfo.InvariantCulture);
        return (p2, p4, n) switch
        {
            ( >= 51 and <= 55, _, 16) => "Mastercard",
            (_, >= 2221 and <= 2720, 16) => "Mastercard",
            (34 or 37, _, 15) => "American Express",
            (_, 6011, >= 16 and <= 19) => "Discover",
            (65, _, >= 16 and <= 19) => "Discover",
            (64, >= 6440 and <= 6499, >= 16 and <= 19) => "Discover",
            (36 or 38 or 39, _, >= 14 and <= 19) => "Diners Club",
            (30, >= 3000 and <= 3059, >= 14 and <= 19) => "Diners Club",
            (35, >= 3528 and <= 3589, >= 16 and <= 19) => "JCB",
            (62, _, >= 16 and <= 19) => "UnionPay",
            (_, 1800 or 2131, 15) => "JCB",
            (50 or (>= 56 and <= 69), _, >= 12 and <= 19) => "Maestro",
            _ when p6 is >= 222100 and <= 272099 && n == 16 => "Mastercard",
            _ => null,
        };
    }
}
