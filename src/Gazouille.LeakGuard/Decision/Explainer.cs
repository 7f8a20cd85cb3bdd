namespace Gazouille.LeakGuard.Decision;

/// <summary>Reasons and ways out that teach the author, in English and French.</summary>
internal static class Explainer
{
    public static LocalizedText Reason(string type, string? note, string text) => type switch
    {
        FindingTypes.Client => new($"\"{text}\" is one of our clients: naming a client outside the company needs care.",
            $"« {text} » est un de nos clients : le nommer hors de l'entreprise demande des précautions."),
        FindingTypes.Project => new($"\"{text}\" is an internal project name.", $"« {text} » est un nom de projet interne."),
        FindingTypes.Person => note switch
        {
            "health" => new($"Health information about {text} is personal data.", $"Une information de santé sur {text} est une donnée personnelle."),
            "hr" => new($"An HR matter about {text} is personal.", $"Une question RH concernant {text} est personnelle."),
            _ => new($"\"{text}\" is a person's name.", $"« {text} » est le nom d'une personne."),
        },
        FindingTypes.ConfidentialMarker => new($"\"{text}\" marks the content as confidential.", $"« {text} » indique un contenu confidentiel."),
        FindingTypes.InternalOnlyMarker => new($"\"{text}\" says this is for internal use only.", $"« {text} » indique un usage interne uniquement."),
        FindingTypes.Email => note switch
        {
            "webmail" or "personal" => new("A personal e-mail address is personal data.", "Une adresse e-mail personnelle est une donnée personnelle."),
            _ => new("A colleague's e-mail address.", "L'adresse e-mail d'un collègue."),
        },
        FindingTypes.Phone => note == "mobile"
            ? new("A mobile phone number is personal data.", "Un numéro de portable est une donnée personnelle.")
            : new("A phone number that may be personal.", "Un numéro de téléphone qui peut être personnel."),
        FindingTypes.Iban => new("A bank account number (IBAN, valid check digits).", "Un numéro de compte bancaire (IBAN, clé valide)."),
        FindingTypes.Card => new($"A payment card number ({note}, valid Luhn check).", $"Un numéro de carte bancaire ({note}, contrôle de Luhn valide)."),
        FindingTypes.Nir => new("A French social security number (NIR).", "Un numéro de sécurité sociale (NIR)."),
        FindingTypes.Siren or FindingTypes.Siret => new($"A company registration number ({type.ToUpperInvariant()}).", $"Un numéro d'immatriculation d'entreprise ({type.ToUpperInvariant()})."),
        FindingTypes.Money => new($"\"{text}\" is a business amount.", $"« {text} » est un montant lié à l'activité."),
        FindingTypes.Headcount => new($"\"{text}\" is a headcount.", $"« {text} » est un effectif."),
        FindingTypes.Secret => note switch
        {
            "private-key" => new("A private key.", "Une clé privée."),
            "password" => new("A password.", "Un mot de passe."),
            _ => new($"A secret or API key ({note}).", $"Un secret ou une clé d'API ({note})."),
        },
        FindingTypes.InternalHost => new($"\"{text}\" is an internal host or address.", $"« {text} » est une machine ou une adresse interne."),
        FindingTypes.Ip => new($"\"{text}\" is an IP address.", $"« {text} » est une adresse IP."),
        FindingTypes.Negative => new($"\"{text}\" is a complaint or bad news.", $"« {text} » est une plainte ou une mauvaise nouvelle."),
        _ => new($"\"{text}\" is in the \"{type}\" list of the policy.", $"« {text} » figure dans la liste « {type} » de la politique."),
    };

    public static LocalizedText WayOut(LeakRule rule, LeakDecision decision, LeakAudience audience, DecisionTable table)
    {
        if (decision == LeakDecision.Allow)
        {
            return new("Nothing to do for this audience.", "Rien à faire pour cette audience.");
        }

        if (rule == LeakRule.Secret)
        {
            return new("Remove it and change the secret now: consider it exposed.",
                "Retirez-le et changez ce secret tout de suite : considérez-le comme exposé.");
        }

        LeakAudience? narrower = null;
        for (var a = (int)audience - 1; a >= 0; a--)
        {
            if (table[rule, (LeakAudience)a] == LeakDecision.Allow)
            {
                narrower = (LeakAudience)a;
                break;
            }
        }

        var en = "Remove it";
        var fr = "Retirez-le";
        if (narrower is { } n)
        {
            en += $", or narrow the audience to {n.ToWire()}";
            fr += $", ou limitez l'audience à {Fr(n)}";
        }

        switch (decision)
        {
            case LeakDecision.Warn:
                en += ", or publish anyway with a justification (it is logged).";
                fr += ", ou publiez quand même avec une justification (elle est journalisée).";
                break;
            case LeakDecision.Hold:
                en += ", or ask a moderator to review the post.";
                fr += ", ou demandez la relecture du message par un modérateur.";
                break;
            default:
                en += ".";
                fr += ".";
                break;
        }

        return new(en, fr);
    }

    private static string Fr(LeakAudience audience) => audience switch
    {
        LeakAudience.Team => "l'équipe",
        LeakAudience.Followers => "vos abonnés",
        LeakAudience.Company => "l'entreprise",
        LeakAudience.Partners => "les partenaires",
        _ => "public",
    };
}
