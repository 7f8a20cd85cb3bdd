namespace Gazouille.Features.Demo;

/// <summary>
/// One post of the demo week. <paramref name="Day"/> runs from 1 (six days ago) to 7 (today), <paramref name="Time"/> is
/// the time of day; a reply names the <paramref name="Key"/> of its parent and takes the parent's audience. Likes and
/// boosts are usernames, given a few minutes after the post.
/// </summary>
public sealed record DemoPost(
    int Day, string Time, string Author, string Language, string? Audience, string Text,
    string? Key = null, string? ReplyTo = null, string Likes = "", string Boosts = "");

/// <summary>A week in the life of a fictional company: its teams, a partner studio, small news and small talk.</summary>
public static class DemoWeek
{
    private const string Company = "company", Design = "team:design", Platform = "team:plateforme", Sales = "team:ventes", Nordlys = "partners:design", Followers = "followers";

    public static readonly DemoPost[] Posts =
    [
        // Day 1
        new(1, "08:47", "alice", "fr", Company, "Bonne semaine à toutes et à tous ! Gazouille remplace la liste de diffusion interne à partir d'aujourd'hui : posez vos questions ici, l'équipe #design répond vite. 🐦",
            Key: "welcome", Likes: "bruno chloe emma farid ines", Boosts: "bruno"),
        new(1, "09:05", "farid", "fr", null, "@alice Enfin ! Ma boîte mail vous remercie. 🙏", ReplyTo: "welcome", Likes: "alice david"),
        new(1, "09:30", "chloe", "fr", Design, "Point design à 10 h en salle Lumière : on trie les retours de la recherche utilisateur sur l'onboarding. #design", Likes: "hugo"),
        new(1, "10:15", "david", "en", Platform, "The staging cluster will be rebuilt tonight between 8 and 10 pm. Expect a few minutes of downtime, on staging only. #platform", Likes: "farid ines"),
        new(1, "11:40", "emma", "fr", Company, "Signé ce matin : la métropole de Lyon passe sur notre offre entreprise pour trois ans ! Merci @bruno pour des semaines de négociation. #ventes",
            Key: "lyon", Likes: "alice chloe david farid hugo ines", Boosts: "alice farid"),
        new(1, "11:52", "bruno", "fr", null, "@emma Travail d'équipe ! La relecture du contrat par @alice a tout débloqué.", ReplyTo: "lyon", Likes: "emma alice"),
        new(1, "14:20", "hugo", "en", Design, "Pushed the new icon set to the shared library: 48 icons, 24 px on a 2 px stroke. Feedback welcome before Thursday. #design", Likes: "chloe alice"),
        new(1, "16:05", "chloe", "fr", Nordlys, "Bonjour Nordlys ! Voici le brief de la campagne d'hiver : trois visuels, sortie prévue le 15. On attend vos premières pistes d'ici vendredi. #hiver",
            Key: "brief", Likes: "alice hugo grace jonas"),
        new(1, "16:40", "grace", "en", null, "@chloe Thanks, brief received! We'll share a first moodboard on Wednesday.", ReplyTo: "brief", Likes: "chloe"),

        // Day 2
        new(2, "08:55", "farid", "fr", Platform, "Incident cette nuit sur la file de messages : un disque plein sur un nœud. Corrigé à 3 h 12, aucune perte de données. Post-mortem jeudi. #incident",
            Key: "incident", Likes: "david ines"),
        new(2, "09:10", "david", "en", null, "@farid Thanks for handling it. I'll add disk alerts to the dashboard today.", ReplyTo: "incident", Likes: "farid"),
        new(2, "09:45", "bruno", "en", Company, "The new expense policy is live: receipts under 50 € can now be sent straight from your phone. Details on the intranet.", Likes: "emma david"),
        new(2, "11:00", "ines", "fr", Platform, "Nouvelle version de l'outil de déploiement : le mode « essai à blanc » affiche enfin le plan complet avant d'agir. Retours bienvenus ! #plateforme", Likes: "farid david"),
        new(2, "12:30", "alice", "fr", Company, "Le déjeuner de jeudi est confirmé : rendez-vous à 12 h 15 à la cantine du 3e. Il y aura des lasagnes aux légumes pour les végétariens. 🍝",
            Likes: "chloe hugo emma bruno"),
        new(2, "15:10", "emma", "en", Sales, "Pipeline review: 14 open deals, 3 closing this month. Could everyone update their notes in the CRM before Wednesday?", Likes: "bruno"),
        new(2, "17:20", "david", "fr", Followers, "Quelqu'un a un bon livre sur la conception d'API à recommander ?", Key: "book"),
        new(2, "17:35", "ines", "fr", null, "@david « Designing Web APIs » de Brenda Jin : court et très concret.", ReplyTo: "book", Likes: "david"),

        // Day 3
        new(3, "09:05", "grace", "en", null, "@chloe The moodboard is up on the shared drive: cold blues, lots of light and hand-drawn lettering. Curious what you think!",
            Key: "moodboard", ReplyTo: "brief", Likes: "chloe hugo jonas"),
        new(3, "09:20", "hugo", "fr", Design, "Les maquettes de l'écran d'accueil v2 sont prêtes. @chloe tu peux jeter un œil à la navigation mobile ? #design", Key: "mockups", Likes: "chloe"),
        new(3, "09:48", "chloe", "fr", null, "@hugo Très bien ! Seul le bouton de recherche est un peu petit sous le pouce, on en parle au point de 14 h.", ReplyTo: "mockups", Likes: "hugo"),
        new(3, "10:30", "chloe", "en", null, "@grace Love it, the cold blues work really well with our brand. Could we push the typography further?", Key: "typo", ReplyTo: "moodboard", Likes: "alice grace"),
        new(3, "11:10", "jonas", "fr", null, "@chloe Bien reçu, on prépare deux pistes typographiques pour vendredi.", ReplyTo: "typo", Likes: "chloe"),
        new(3, "11:45", "farid", "en", Company, "Heads-up: single sign-on maintenance on Saturday, 8–9 am. You may need to sign in again afterwards. #it", Likes: "alice bruno", Boosts: "alice"),
        new(3, "14:00", "emma", "fr", Company, "Salon Tech&Co la semaine prochaine : qui vient tenir le stand avec moi ? Il reste deux créneaux mardi après-midi. #salon", Key: "salon", Likes: "bruno"),
        new(3, "14:25", "hugo", "fr", null, "@emma Je prends mardi 14 h – 16 h, j'apporte la démo sur tablette.", ReplyTo: "salon", Likes: "emma"),
        new(3, "15:02", "david", "en", null, "@emma I can do the late slot if someone explains the pitch to me 😅", ReplyTo: "salon", Likes: "emma hugo"),
        new(3, "16:30", "ines", "en", Platform, "Build times after the cache change: median 4 min 10 s, down from 6 min. Graphs on the platform dashboard. #ci", Likes: "david farid", Boosts: "farid"),

        // Day 4
        new(4, "09:00", "alice", "fr", Company, "Merci pour vos retours sur Gazouille : 80 % d'entre vous l'ont déjà utilisé cette semaine. Prochaine étape : l'appli sur téléphone. #gazouille",
            Likes: "bruno chloe david emma farid ines", Boosts: "chloe"),
        new(4, "10:20", "david", "en", Company, "The build pipeline is officially 30% faster this week. Huge thanks to @ines for the cache work! #platform", Likes: "ines farid alice"),
        new(4, "11:30", "bruno", "fr", Sales, "Le client Vectra demande une démo sur mesure lundi. @emma tu peux la mener ? Je prépare les données.", Key: "vectra", Likes: "emma"),
        new(4, "11:41", "emma", "fr", null, "@bruno Oui, je bloque 10 h. Envoie-moi leur cahier des charges.", ReplyTo: "vectra", Likes: "bruno"),
        new(4, "14:15", "chloe", "en", Design, "Accessibility check on the new home screen: two contrast issues on the grey labels, fixed in v2.1 of the mockups. #a11y", Likes: "hugo alice"),
        new(4, "16:00", "farid", "fr", Platform, "Post-mortem de l'incident de mardi : la rotation des journaux avait été désactivée par erreur. Trois actions, toutes assignées. Compte rendu sur le wiki. #incident",
            Likes: "david ines"),
        new(4, "17:45", "hugo", "en", Company, "Friday playlist thread: what are you listening to while you work? I'll start: Khruangbin on repeat. 🎧", Key: "playlist", Likes: "emma alice david"),
        new(4, "17:58", "emma", "fr", null, "@hugo Christine and the Queens, en boucle depuis lundi.", ReplyTo: "playlist", Likes: "hugo"),
        new(4, "18:20", "farid", "en", null, "@hugo Lo-fi beats and the hum of the server room.", ReplyTo: "playlist", Likes: "hugo ines"),

        // Day 5
        new(5, "09:30", "chloe", "fr", Nordlys, "Nordlys, on valide la piste typographique n° 2. Prochaine étape : les déclinaisons pour les réseaux sociaux. Merci pour la réactivité ! #hiver",
            Key: "piste", Likes: "alice hugo grace", Boosts: "hugo"),
        new(5, "10:05", "grace", "en", null, "@chloe Wonderful, the social formats will be ready by Tuesday.", ReplyTo: "piste", Likes: "chloe jonas"),
        new(5, "10:12", "jonas", "fr", null, "@chloe Super nouvelle ! J'envoie les fichiers sources dès ce soir.", ReplyTo: "piste", Likes: "chloe"),
        new(5, "10:45", "emma", "en", Company, "Customer survey results are in: satisfaction at 8.6/10, up from 7.9. Onboarding is still the top pain point. Full report in the sales folder. #customers",
            Likes: "bruno alice chloe"),
        new(5, "11:30", "david", "en", Platform, "Who wants to pair on the new metrics exporter this afternoon? Coffee is on me ☕", Likes: "ines"),
        new(5, "14:00", "bruno", "fr", Company, "Rappel : la démo du vendredi commence à 16 h dans l'atrium. Apportez vos plus belles captures d'écran ! #demo", Likes: "alice chloe", Boosts: "emma"),
        new(5, "15:30", "ines", "fr", Company, "Premier essai de la visio dans la nouvelle salle du 4e : le son est excellent, l'écran un peu moins. Ticket ouvert. 😄", Likes: "farid"),
        new(5, "17:30", "alice", "en", Company, "What a demo! A new mobile home screen, 30% faster builds and a new customer in Lyon, all in one week. Proud of this team. #demo",
            Key: "demoday", Likes: "bruno chloe david emma farid hugo ines", Boosts: "bruno chloe"),
        new(5, "17:42", "chloe", "fr", null, "@alice Merci ! Et bravo à @hugo pour les icônes.", ReplyTo: "demoday", Likes: "alice hugo"),

        // Day 6, a quieter day
        new(6, "08:10", "farid", "en", Company, "Single sign-on maintenance done, everything is back to normal. Sign in again if your session expired. #it", Likes: "ines david"),
        new(6, "11:00", "hugo", "fr", Followers, "Balade à vélo ce matin le long du canal : froid, mais quel soleil ! 🚲", Likes: "chloe emma"),
        new(6, "18:00", "emma", "en", Followers, "Started reading “The Mom Test” for customer interviews. Already full of good ideas.", Likes: "bruno"),

        // Day 7, today
        new(7, "08:30", "alice", "fr", Company, "Nouvelle semaine, nouvelles priorités : l'appli mobile, la campagne avec Nordlys et le salon Tech&Co. Bonne semaine à tous ! #gazouille",
            Likes: "bruno chloe emma farid"),
        new(7, "09:15", "chloe", "fr", Design, "Sprint design : on commence par les écrans de notifications. @hugo tu prends les états vides ? #design", Key: "sprint"),
        new(7, "09:30", "hugo", "fr", null, "@chloe Partant ! Je te montre les premières pistes à 15 h.", ReplyTo: "sprint", Likes: "chloe"),
        new(7, "09:50", "ines", "en", Platform, "Upgraded the database cluster to the new minor version with zero downtime. Release notes in the wiki. #platform", Likes: "farid david"),
        new(7, "10:20", "chloe", "en", Nordlys, "Nordlys team: social formats received, they look fantastic. A couple of small tweaks are in the shared doc. #hiver",
            Key: "formats", Likes: "alice hugo jonas"),
        new(7, "10:45", "grace", "en", null, "@chloe Perfect, we'll turn them around today.", ReplyTo: "formats", Likes: "chloe"),
        new(7, "11:10", "bruno", "fr", Sales, "Démo Vectra dans une heure, croisez les doigts ! 🤞", Key: "vectrademo", Likes: "emma"),
        new(7, "12:10", "david", "en", Company, "Lunch talk on Thursday: “How our CI went from 6 to 4 minutes”, by @ines and me. Room Lumière, bring your sandwich. #platform",
            Likes: "ines farid chloe"),
        new(7, "12:40", "emma", "fr", null, "@bruno Ils signent pour un pilote de trois mois ! 🎉", ReplyTo: "vectrademo", Likes: "bruno"),
    ];
}
