namespace Gazouille.LeakGuard.Tests;

internal static class TestPolicies
{
    public const string Json = """
        {
          "dictionaries": {
            "client": [{"term": "Groupe Atlas", "org": "atlas"}, "Banque Horizon"],
            "project": ["~Neptune", "Chrysalide"],
            "person": ["Marie Dupont"],
            "confidential": ["diffusion limitée"],
            "internal_only": ["interne Gazouille"]
          },
          "internal_domains": ["corp.example"],
          "company_domains": ["example.fr"],
          "internal_networks": ["10.20.0.0/16"]
        }
        """;

    public static readonly LeakGuardEngine Engine = new(LeakPolicy.Parse(Json));
}
