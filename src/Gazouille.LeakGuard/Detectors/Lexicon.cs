namespace Gazouille.LeakGuard.Detectors;

/// <summary>
/// Built-in French and English word lists. "term|0.7" sets a weight (the confidence of a finding, or the strength of
/// a context word); a leading "~" marks a term that is also an everyday word and needs supporting context.
/// </summary>
internal static class Lexicon
{
    public const string Confidential = "confidential_marker";
    public const string InternalOnly = "internal_only_marker";
    public const string Negative = "negative";
    public const string Negation = "negation";
    public const string Intensifier = "intensifier";
    public const string BusinessContext = "business_context";
    public const string HeadcountContext = "headcount_context";
    public const string MoneyContext = "money_context";
    public const string Hr = "hr";
    public const string Health = "health";
    public const string Switchboard = "switchboard";
    public const string PersonalContact = "personal_contact";
    public const string NirContext = "nir_context";
    public const string SirenContext = "siren_context";

    public static IReadOnlyDictionary<string, string[]> Lists { get; } = new Dictionary<string, string[]>
    {
        [Confidential] =
        [
            "confidentiel", "confidentielle", "strictement confidentiel", "tres confidentiel", "confidential",
            "strictly confidential", "nda", "sous nda", "under nda", "ne pas diffuser", "ne pas partager",
            "ne pas transferer", "ne pas divulguer", "do not share", "do not forward", "do not distribute",
            "not for distribution", "not to be shared", "embargo", "sous embargo", "diffusion restreinte",
            "restricted distribution", "~secret|0.6", "top secret", "secret defense", "off the record", "entre nous",
            "motus", "~c3|0.6", "privileged and confidential", "accord de confidentialite",
        ],
        [InternalOnly] =
        [
            "usage interne", "usage interne uniquement", "interne uniquement", "a usage interne", "pour usage interne",
            "internal only", "internal use only", "for internal use", "internal use", "reste en interne",
            "ne doit pas sortir", "ne sort pas d'ici", "stays internal", "keep it internal", "entre nous en interne",
            "pas pour l'exterieur", "not for external", "internal purposes only",
        ],
        [Negative] =
        [
            "galere", "galerer", "c'est la galere", "m'echappe", "nous echappe", "qui m'echappe", "on a perdu le contrat",
            "perdu le contrat", "perdu le deal", "perdu le marche", "perdu le client", "on perd le client",
            "sur le carreau", "catastrophe", "catastrophique", "fiasco", "desastre", "cauchemar", "plantage", "plante",
            "crash", "en retard", "retard", "gros retard", "glisse encore", "furieux", "furax", "mecontent",
            "pas content", "en colere", "se plaint", "plainte", "menace de partir", "menacent de partir", "veut partir", "reunion tendue", "penible", "mecontents", "mecontente", "mecontentes", "resilie",
            "resiliation", "rupture de contrat", "penalites", "penalites de retard", "depassement", "hors budget",
            "budget explose", "explose le budget", "escalade", "escalade au codir", "c'est mort", "foire", "on a foire",
            "on a rate", "c'est rate", "echec", "a l'arret", "bloque", "perte", "pertes", "contentieux", "litige", "proces", "mise en demeure",
            "nul", "enfer", "ras le bol", "ras-le-bol", "j'en peux plus", "on coule", "naufrage", "pff", "grrr",
            "nightmare", "disaster", "we lost the deal", "lost the deal", "lost the contract", "lost the account",
            "losing the client", "churn", "churned", "angry", "furious", "unhappy", "complaint", "complaining",
            "escalation", "escalated", "over budget", "behind schedule", "delayed", "late again", "slipping",
            "failed", "failure", "mess", "a mess", "total mess", "outage", "meltdown", "threatening to leave",
            "threatens to leave", "cancelled the contract", "canceled the contract", "penalties", "lawsuit",
            "going south", "train wreck", "screwed", "ugh", "struggling", "laid off", "layoffs", "lay off",
            "plan social", "licenciement", "licenciements", "licencier", "suppression de postes", "supprimer des postes",
            "restructuration", "downsizing", "job cuts", "cut jobs",
        ],
        [Negation] =
        [
            "pas", "pas de", "pas du tout", "aucun", "aucune", "jamais", "sans", "ni", "zero", "no", "not", "never",
            "without", "isn't", "wasn't", "no more", "n'est pas", "n'etait pas", "plus aucun",
        ],
        [Intensifier] =
        [
            "encore", "vraiment", "tellement", "trop", "completement", "totalement", "grave", "enorme", "gros", "grosse",
            "again", "really", "so", "totally", "completely", "huge", "massive", "such a", "toujours",
        ],
        [BusinessContext] =
        [
            "client", "clients", "cliente", "customer", "customers", "compte", "account", "contrat", "contract", "deal",
            "projet", "project", "mission", "appel d'offres", "ao", "rfp", "poc", "pilote", "pilot", "livraison", "recette du projet",
            "delivery", "kick-off", "kickoff", "comite", "copil", "steerco", "codir", "prospect", "signature", "signe",
            "chez", "release", "sprint", "roadmap", "budget", "facture", "invoice", "renouvellement",
            "renewal", "go-live", "mep", "mise en production", "recette", "jalon", "milestone", "partenaire", "partner",
            "offre", "proposal", "proposition", "negociation", "negotiation", "code name", "nom de code",
        ],
        [HeadcountContext] =
        [
            "equipe", "team", "postes", "poste", "licenciement", "licenciements", "licencier", "plan social", "carreau",
            "recrutement", "recruter", "recrute", "on recrute", "staffe", "embauche", "embaucher", "hiring", "hire", "headcount", "effectif", "effectifs",
            "lay off", "laid off", "layoff", "layoffs", "cut", "cuts", "supprimer", "suppression", "staff", "staffing",
            "restructuration", "downsizing", "departs", "demission", "demissions", "mobilisees", "mobilises",
            "affectees", "affectes", "projet", "project", "client", "staffees", "staffes", "dispo", "renfort",
        ],
        [MoneyContext] =
        [
            "budget", "contrat", "contract", "deal", "chiffre d'affaires", "ca", "revenue", "marge", "margin", "perte",
            "loss", "facture", "invoice", "devis", "quote", "levee", "raised", "valorisation", "valuation", "prix",
            "price", "penalites", "penalties", "amende", "fine", "salaire", "salary", "bonus", "prime",
        ],
        [Hr] =
        [
            "licencie", "licenciement", "rupture conventionnelle", "sanction", "avertissement", "mise a pied",
            "entretien prealable", "demission", "demissionne", "salaire", "augmentation", "periode d'essai",
            "evaluation annuelle", "performance review", "fired", "let go", "disciplinary", "warning letter", "pip",
            "salary", "raise", "resigned", "resignation", "probation", "harcelement", "harassment",
        ],
        [Health] =
        [
            "arret maladie", "en arret", "malade", "maladie", "hospitalise", "hospitalisee", "hopital", "cancer",
            "chimio", "chimiotherapie", "burn-out", "burnout", "depression", "enceinte", "grossesse", "handicap",
            "sick leave", "sick", "hospital", "hospitalized", "pregnant", "pregnancy", "surgery",
            "therapie", "therapy", "diagnostic", "diagnosed", "medical leave", "conge maternite", "maternity leave",
        ],
        [Switchboard] =
        [
            "standard", "accueil", "switchboard", "reception", "hotline", "support", "service client", "customer service",
            "numero vert", "toll free", "helpdesk", "help desk", "siege", "headquarters", "hq", "agence", "office",
        ],
        [PersonalContact] =
        [
            "portable", "mon portable", "perso", "personnel", "mobile", "cell", "cellphone", "my cell", "my number",
            "mon numero", "mon 06", "joignable", "whatsapp", "signal", "sms", "texto", "appelle-moi", "call me",
            "text me", "domicile", "home", "maison",
        ],
        [NirContext] =
        [
            "securite sociale", "secu", "secu:", "nir", "insee", "numero ss", "n ss", "no ss", "carte vitale",
            "social security", "ss number", "immatriculation", "numero de securite sociale", "ssn",
        ],
        [SirenContext] = ["siren", "siret", "rcs", "immatricule", "immatriculation", "tva", "vat", "kbis", "societe"],
    };

    private static readonly Lazy<TermMatcher> LazyMatcher = new(() => new TermMatcher(Entries()));

    public static TermMatcher Matcher => LazyMatcher.Value;

    public static IEnumerable<TermEntry> Entries()
    {
        foreach (var (category, terms) in Lists)
        {
            foreach (var raw in terms)
            {
                var ambiguous = raw.StartsWith('~');
                var text = ambiguous ? raw[1..] : raw;
                var weight = 0.85;
                var bar = text.IndexOf('|', StringComparison.Ordinal);
                if (bar > 0)
                {
                    weight = double.Parse(text[(bar + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                    text = text[..bar];
                }

                yield return new TermEntry(category, text, ambiguous, null, weight);
            }
        }
    }
}
