## La page de la lettre, son formulaire de signature et ses parties.

letter-feed-title = Actualités : { $title }
letter-preview = Aperçu : voici à quoi ressemblera la lettre.
letter-preview-draft = Elle n'est pas encore publiée.
letter-hosted-by = Une lettre publiée par
letter-state-open = Ouverte aux signatures
letter-state-closed = Clôturée
letter-state-delivered = Remise
letter-published-on = Publiée le
letter-closes-on = Clôture des signatures le { $date }
letter-edited-on = Modifiée le { $date }
letter-to = À :
letter-family-link = Cette lettre a aussi été envoyée à d'autres destinataires : voir chaque destinataire et sa réponse
letter-delivered-to = Remise à
letter-see-changes = voir ce qui a changé
letter-delivered-pdf = La lettre telle que remise (PDF)

letter-sign-button = Signer cette lettre
letter-batch-note = Pour protéger les personnes qui signent de façon privée ou avec leurs initiales, leurs signatures sont comptées ensemble toutes les { $minutes } minutes.
letter-what-changed = Ce qui a changé
letter-sign-heading = Signer cette lettre
letter-switch-to-people = Vous signez à titre personnel ?
letter-switch-to-organisation = Vous signez pour une organisation ?
letter-not-taking = Cette lettre n'accepte pas de signatures.
letter-signatories = Signataires
letter-organisations = Organisations
letter-verified = ✓ vérifiée
letter-no-more-organisations = Il n'y a pas d'autres organisations.
letter-organisations-pages = Pages d'organisations
letter-first-organisations = Premières organisations
letter-more-organisations = Autres organisations
letter-people = Personnes
letter-no-more-signatories = Il n'y a pas d'autres signataires.
letter-no-signatories = Aucun signataire public pour l'instant.
letter-signatories-pages = Pages de signataires
letter-newest = Plus récentes
letter-older = Plus anciennes
letter-lost-heading = Vous avez perdu votre lien ?
letter-lost-text = Vous avez signé cette lettre et perdu l'e-mail ? Saisissez l'adresse avec laquelle vous avez signé : si elle a signé, nous lui envoyons un nouveau lien pour gérer votre signature (ou pour la confirmer, si ce n'est pas encore fait).
letter-lost-website = Si vous avez signé pour une organisation : son site web
letter-lost-button = M'envoyer un lien
letter-verify-heading = Vérifiez le décompte vous-même
letter-verify-intro = Vous n'avez pas à nous croire sur parole. Chaque signature de cette lettre, et chaque signature retirée, est inscrite dans un registre public qui ne peut que s'allonger : rien de ce qu'il contient ne peut être modifié ou supprimé par la suite, ni par les organisateurs, ni par les personnes qui gèrent ce site.
letter-verify-size = { $n ->
    [one] Le registre compte pour l'instant <strong>{ $n }</strong> entrée.
   *[other] Le registre compte pour l'instant <strong>{ $n }</strong> entrées.
}
letter-verify-size-latest = { $n ->
    [one] Le registre compte pour l'instant <strong>{ $n }</strong> entrée ; la dernière signature comptée a été ajoutée le { $date }.
   *[other] Le registre compte pour l'instant <strong>{ $n }</strong> entrées ; la dernière signature comptée a été ajoutée le { $date }.
}
letter-verify-checkpoint =
    Son dernier point de contrôle, un résumé signé de l'ensemble du registre, couvre { $n ->
            [one] { $n } entrée
           *[other] les { $n } entrées
        } : chacun peut le télécharger et recompter. Si le décompte de cette page s'en écartait un jour, cela se verrait.
letter-verify-names-committed = Le registre ne contient aucun nom, seulement des empreintes brouillées de ce qu'affiche cette page : on peut les comparer aux noms ci-dessus, mais pas les retransformer en noms. Un nom retiré est supprimé définitivement.
letter-verify-names-private = Les personnes qui signent de façon privée n'y figurent que sous la forme d'une empreinte brouillée, jamais par leur nom.
letter-verify-how = Comment le vérifier (pour les personnes à l'aise avec la technique)
letter-verify-command = Avec le logiciel libre <code>undersigned</code>, une seule commande télécharge le registre, vérifie que rien n'y a été réécrit et recompte :
letter-log-key = Clé du registre :
letter-latest-checkpoint = dernier point de contrôle
letter-signatories-data = données des signataires
letter-download-as = télécharger la liste des signataires en
letter-sign-heading-organisation = Signer cette lettre au nom d'une organisation
letter-switch-to-people-link = Utilisez le formulaire pour les personnes
letter-switch-to-organisation-link = Utilisez le formulaire pour les organisations
letter-listed-as = catégorie
letter-delivered-on = le
# Suit directement la date : « , avec 12 signatures ».
letter-delivered-with = , avec
# $who : « 19 survivantes et 2 journalistes » ; $n : le nombre de personnes.
letter-withheld = { $n ->
    [one] Et { $who } dont le nom n'est pas publié.
   *[other] Et { $who } dont les noms ne sont pas publiés.
}
letter-awaiting = { $n ->
    [one] Parmi elles, { $count } personne ayant signé plus tôt n'a pas encore reconfirmé le nouveau texte.
   *[other] Parmi elles, { $count } personnes ayant signé plus tôt n'ont pas encore reconfirmé le nouveau texte.
}
letter-its-targets = ses destinataires
letter-verified-domain = Vérifiée : la personne qui a signé a confirmé une adresse e-mail du domaine du site web de l'organisation
letter-verified-organiser = Vérifiée par les organisateurs de la lettre
level-public = En entier, avec les informations que j'ai données
level-initials = En initiales seulement (par exemple « J. D. »)
level-private = Pas du tout : comptez ma signature, n'affichez jamais mon nom

sign-organisation = Organisation
sign-website = Son site web
sign-website-hint = Une organisation ne signe qu'une fois. Si vous confirmez une adresse e-mail du domaine de ce site web, votre signature est vérifiée immédiatement ; sinon, les organisateurs la vérifient d'abord.
sign-logo = Son logo
sign-logo-hint = PNG, JPEG ou WebP, 2 Mo maximum. Nous le redimensionnons et supprimons ses métadonnées.
sign-your-name = Votre nom
sign-your-title = Votre titre ou fonction
sign-work-email = Votre e-mail professionnel
sign-organisation-email-hint = Nous vous envoyons un lien de confirmation. Votre e-mail n'est jamais affiché ; le nom de l'organisation l'est, avec votre nom et votre titre, en tant que personne ayant signé pour elle.
sign-privacy-link = Ce que nous conservons, et qui le voit
sign-authorised = J'ai l'autorisation de signer pour cette organisation
sign-organisation-button = Signer pour l'organisation
sign-email-hint = Nous vous envoyons un lien de confirmation. Votre e-mail n'est jamais affiché.
sign-as = Je signe en tant que
sign-rule = (nom affiché { $rule })
sign-show-name = Afficher mon nom
sign-show-city = Afficher ma ville avec mes initiales
sign-display-hint = Les organisateurs de cette lettre voient le nom et l'e-mail de chaque signataire, quel que soit votre choix.
sign-button = Signer la lettre
sign-updates = Recevoir par e-mail les actualités de cette lettre
sign-updates-hint = Des nouvelles occasionnelles des organisateurs, comme une réponse des destinataires. Chaque e-mail contient un lien pour ne plus les recevoir.
field-title = Titre ou fonction
field-affiliation = Affiliation
field-city = Ville
field-country = Pays
field-comment = Commentaire
rule-in-full = en entier
rule-as-initials = en initiales
rule-not-at-all = pas du tout
# $levels : « en initiales ou pas du tout ».
rule-no-city = { $levels } ; ville jamais affichée
letter-state-archived = Archivée
letter-state-draft = Brouillon

asks-heading = Ce que nous demandons
ask-status = { $status ->
    [met] satisfaite
    [refused] refusée
    [superseded] remplacée
   *[pending] en attente
}

timeline-heading = Chronologie
timeline-response-from = Réponse de
timeline-download = Télécharger la réponse
timeline-with = Avec { $signatures }.

updates-heading = Actualités
updates-feed = Suivre les actualités avec un lecteur de flux (Atom)
updates-sources = Sources :

charts-heading = Les signatures en images
charts-over-time = Signatures au fil du temps.
charts-by-day = Les chiffres par jour
charts-by-category = Signatures par catégorie.
charts-by-category-numbers = Les chiffres par catégorie

share-heading = Invitez d'autres personnes à signer
share-intro = Des lettres comme celle-ci comptent parce que beaucoup de gens les signent. Envoyez le lien aux personnes qui voudraient la signer.
share-link = Lien vers la lettre
share-copy = Copier le lien
share-email = Partager par e-mail
share-native = Partager…
ask-change-pending = La demande { $n } est de nouveau en attente auprès de { $who } : « { $text } »
ask-change-superseded = La demande { $n } adressée à { $who } a été remplacée : « { $text } »
ask-change-met = { $who } a satisfait la demande { $n } : « { $text } »
ask-change-refused = { $who } a refusé la demande { $n } : « { $text } »
chart-time-one-day = { $signatures } le { $date }.
chart-time-summary = { $signatures } du { $first } au { $last } ; le plus en un jour : { $most } le { $busiest }.
chart-column-day = Jour (UTC)
chart-column-that-day = Signatures ce jour-là
chart-column-total = Total en fin de journée
chart-category-summary = { $signatures } par catégorie. { $parts }.
chart-column-category = Catégorie
chart-column-signatures = Signatures
letter-read-in = Lire cette lettre en :
letter-translation-note = Ceci est une traduction. Le texte original, en { $original }, est celui sur lequel les signatures sont comptées.

## La page des organisateurs pour les langues d'une lettre.
languages-heading = Langues de la lettre
languages-intro = Une lettre peut être lue en plusieurs langues et garde un seul décompte et un seul registre : on signe la même lettre, quel que soit le texte lu. Le texte original est celui sur lequel les signatures sont comptées et dont le registre enregistre les versions ; la page l'indique à côté d'une traduction. Chaque lecteur reçoit le texte dans sa langue quand la lettre l'a, et peut en changer.
languages-original = Le texte original
languages-original-label = Langue du texte original
# $name : le nom de la langue, « English ».
languages-original-hint = Un code de langue comme en, es, fr, pt-BR ou ar (actuellement : { $name }). Les textes en arabe, hébreu, persan et ourdou s'affichent de droite à gauche.
languages-translations = Traductions
languages-none = Pas encore de traduction.
languages-edit = Modifier
languages-remove = Supprimer
languages-add-heading = Ajouter une traduction
languages-edit-heading = Modifier la traduction
languages-lang-label = Code de langue
languages-lang-hint = Par exemple es, fr, pt-BR ou ar. Enregistrer une traduction dans une langue que la lettre a déjà remplace cette traduction.
languages-title = Titre
languages-subject = Objet
languages-body = Texte (Markdown)
languages-save = Enregistrer la traduction
