using CsCheck;
using Gazouille.LeakGuard.Detectors;

namespace Gazouille.LeakGuard.Tests;

public class DetectorTests
{
    private static IReadOnlyList<LeakFinding> Find(string text, LeakAudience audience = LeakAudience.Public) =>
        TestPolicies.Engine.Check(text, audience).Findings;

    private static LeakFinding Single(string text, string type) => Assert.Single(Find(text), f => f.Type == type);

    [Theory]
    [InlineData("FR7630006000011234567890189", true)]
    [InlineData("FR7630006000011234567890188", false)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("DE8937040044053201300", false)] // wrong length for Germany
    public void Iban_needs_country_length_and_mod97(string iban, bool valid) => Assert.Equal(valid, Checksums.Iban(iban));

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("79927398713", true)]
    public void Luhn(string digits, bool valid) => Assert.Equal(valid, Checksums.Luhn(digits));

    [Theory]
    [InlineData("1850375112145", 3, true)]
    [InlineData("1850375112145", 63, false)]
    [InlineData("2690520A12345", 0, false)]
    public void Nir_key(string thirteen, int key, bool valid) => Assert.Equal(valid, Checksums.NirKey(thirteen, key));

    [Fact]
    public void Corsican_nir_key_reads_2A_as_19()
    {
        var key = (int)(97 - (2690519123456L % 97)); // "2A" counts as "19"
        Assert.True(Checksums.NirKey("269052A123456", key));
        Assert.False(Checksums.NirKey("269052A123456", (key % 97) + 1));
    }

    [Fact]
    public void Finds_an_iban_with_spaces_and_points_at_it()
    {
        var text = "Virement sur FR76 3000 6000 0112 3456 7890 189 merci";
        var f = Single(text, FindingTypes.Iban);
        Assert.Equal("FR76 3000 6000 0112 3456 7890 189", f.Text);
        Assert.Equal(LeakDecision.Block, f.Decision);
    }

    [Fact]
    public void Card_needs_luhn_and_a_brand()
    {
        Assert.Contains(Find("carte 4111 1111 1111 1111 exp 12/26"), f => f.Type == FindingTypes.Card);
        Assert.DoesNotContain(Find("commande 4111 1111 1111 1112"), f => f.Type == FindingTypes.Card);
    }

    [Fact]
    public void Nir_with_valid_key_is_personal_data() =>
        Assert.Equal(LeakDecision.Hold, TestPolicies.Engine.Check("sécu : 1 85 03 75 112 145 03", LeakAudience.Company).Decision);

    [Theory]
    [InlineData("SIREN 732 829 320", FindingTypes.Siren)]
    [InlineData("SIRET 732 829 320 00074", FindingTypes.Siret)]
    public void Siren_and_siret_with_context(string text, string type) => Single(text, type);

    [Theory]
    [InlineData("On a signé pour 1,2 M€ hier")]
    [InlineData("un contrat de 300 k€")]
    [InlineData("2 millions d'euros de budget")]
    [InlineData("deal at €1.2m")]
    [InlineData("they raised $3M")]
    [InlineData("facture de 95 000 €")]
    public void Money_in_french_and_english(string text) => Assert.Contains(Find(text), f => f.Type == FindingTypes.Money);

    [Theory]
    [InlineData("le café est à 2 €")]
    [InlineData("j'ai couru 10 km")]
    [InlineData("version 2.4.1")]
    [InlineData("réunion à 14h30")]
    public void Small_or_non_money_numbers_are_not_money(string text) => Assert.DoesNotContain(Find(text), f => f.Type == FindingTypes.Money);

    [Theory]
    [InlineData("galère 20 personnes sur le carreau")]
    [InlineData("15 postes supprimés")]
    [InlineData("une équipe de 12")]
    [InlineData("they will lay off 30 people")]
    [InlineData("20 FTE on the account")]
    public void Headcounts(string text) => Assert.Contains(Find(text), f => f.Type == FindingTypes.Headcount);

    [Fact]
    public void Webmail_is_personal_and_role_address_on_own_domain_is_not()
    {
        Assert.Equal(LeakDecision.Block, TestPolicies.Engine.Check("écris à marie.d@gmail.com", LeakAudience.Partners).Decision);
        Assert.Equal(LeakDecision.Allow, TestPolicies.Engine.Check("écris à contact@example.fr", LeakAudience.Public).Decision);
    }

    [Fact]
    public void Mobile_is_personal_and_switchboard_is_not()
    {
        Assert.Equal(LeakDecision.Block, TestPolicies.Engine.Check("mon portable 06 12 34 56 78", LeakAudience.Partners).Decision);
        Assert.Equal(LeakDecision.Allow, TestPolicies.Engine.Check("le standard : 01 45 67 89 10", LeakAudience.Public).Decision);
    }

    [Theory]
    [InlineData("clé AKIAZ7QWERT5YUIOP3LK")]
    [InlineData("token ghp_4fGh7Jk2LmN9pQ1rS3tU5vW7xY9zA2bC4dE6")]
    [InlineData("export STRIPE_KEY=sk_live_51H8xQ2mT9vLpR7wK3nZ0bY6cJ4dF1gH5sA8eU")]
    [InlineData("-----BEGIN RSA PRIVATE KEY----- MIIEow -----END RSA PRIVATE KEY-----")]
    [InlineData("mdp : Soleil2024!")]
    [InlineData("password: Hx7!kLp92qZ")]
    public void Secrets_are_blocked_everywhere(string text) =>
        Assert.Equal(LeakDecision.Block, TestPolicies.Engine.Check(text, LeakAudience.Team).Decision);

    [Theory]
    [InlineData("mot de passe : oublié")]
    [InlineData("password: reset")]
    [InlineData("commit 3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39")]
    [InlineData("le plan https://intranet.example.test/projects/2026/infrastructure/migration-plan-final-v3.pdf")]
    [InlineData("voir Docs/Architecture/Decision-Records/ADR-0042_Event-Bus.md")]
    public void Talk_about_passwords_is_not_a_secret(string text) =>
        Assert.DoesNotContain(Find(text), f => f.Type == FindingTypes.Secret);

    [Fact]
    public void Gitleaks_rules_load_from_the_embedded_copy()
    {
        var rules = GitleaksRules.Embedded;
        Assert.True(rules.Rules.Count >= 200, $"only {rules.Rules.Count} rules loaded");
        var compiled = rules.Rules.Count(r => r.Regex is not null);
        Assert.True(compiled >= 200, $"only {compiled} gitleaks regexes compile in .NET");
    }

    [Fact]
    public void Gitleaks_keyword_scan_finds_the_rules_a_case_insensitive_search_finds()
    {
        // Texts made of keyword pieces in any case, near misses, non-ASCII and the chars ("ſ", "ı", Kelvin sign) that a
        // case-insensitive comparison equates with ASCII letters (where the scan must hand over to the plain search).
        var rules = GitleaksRules.Embedded;
        string[] pieces = ["sk", "SK", "ey", "kEy", "s.", "q~", "api", "API-", "ghp_", "xoxb", "auth", "curl", "AKIA", "hf_", "a3t",
            "k", "e", "y", "s", "a", "p", "_", ".", "-", " ", "é", "ſ", "ı", "\u212A", "日", "mon", "tey"];
        var piece = Gen.Int[0, pieces.Length - 1].Select(i => pieces[i]);
        piece.Array[0, 12].Select(p => string.Concat(p)).Sample(text =>
        {
            Span<ulong> found = stackalloc ulong[rules.KeywordWords];
            found.Clear();
            if (!rules.FindKeywords(text, found, out var any))
            {
                Assert.True(text.AsSpan().ContainsAny("ſı\u212A\u0130\u212B"), $"the scan gave up on \"{text}\"");
                return;
            }

            var expected = 0;
            var actual = 0;
            for (var r = 0; r < rules.Rules.Count; r++)
            {
                var contains = rules.Rules[r].Keywords.Any(k => text.Contains(k, StringComparison.OrdinalIgnoreCase));
                Assert.True(contains == rules.HasKeyword(r, found), $"rule {rules.Rules[r].Id} on \"{text}\": search {contains}");
                expected += contains ? 1 : 0;
                actual += rules.HasKeyword(r, found) ? 1 : 0;
            }

            Assert.Equal(expected > 0, any);
        }, iter: 3000);
    }

    [Theory]
    [InlineData("logs sur build.corp.example", FindingTypes.InternalHost)]
    [InlineData("la base est sur 10.20.14.7", FindingTypes.InternalHost)]
    [InlineData("le site répond sur 51.15.72.193", FindingTypes.Ip)]
    public void Internal_hosts_and_addresses(string text, string type) => Single(text, type);

    [Fact]
    public void Negation_turns_a_complaint_off()
    {
        Assert.Contains(Find("quelle galère"), f => f.Type == FindingTypes.Negative);
        Assert.DoesNotContain(Find("pas de galère hier"), f => f.Type == FindingTypes.Negative);
    }
}
