## Les e-mails. Dans la partie HTML d'un e-mail, les valeurs ($title, $instance …) arrivent
## échappées et balisées ; les textes ne doivent pas contenir de balises.

## Communs à plusieurs e-mails.
email-hello = Bonjour,
# Un titre entre guillemets, dans la partie texte et dans la partie HTML.
email-quote = « { $text } »
email-quote-html = « { $text } »
email-the-letter = La lettre : { $url }
email-read-letter = Lire la lettre
# Une date, "28 nov. 2026" ; les noms courts des mois, dans l'ordre, séparés par des espaces.
email-date = { $day } { $month } { $year }
email-months = janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.
email-role = { $role ->
    [owner] propriétaire
    [editor] éditeur
    [moderator] modérateur
    [viewer] lecteur
   *[other] { $role }
}

## Confirmer une signature.
email-confirm-subject = Confirmez votre signature : { $title }
email-confirm-heading = Confirmez votre signature
email-confirm-intro = Quelqu'un, sans doute vous, a signé la lettre ouverte { $title } sur { $instance } avec cette adresse e-mail.
email-confirm-open = Pour confirmer votre signature, ouvrez ce lien et appuyez sur le bouton { $button } :
email-confirm-button = Confirmer ma signature
email-confirm-expires = Le lien fonctionne jusqu'au { $expires }. Votre signature n'est pas comptée tant que vous ne l'avez pas confirmée.
email-confirm-receipt-text =
    Une fois votre signature confirmée, le même lien suivi de /receipt vous donne un reçu : la preuve
    que votre signature figure dans le journal public de la lettre. Conservez cet e-mail : ensuite, le
    même lien ouvre une page où vous pouvez changer la façon dont vous apparaissez ou retirer votre signature.
email-confirm-receipt-html = Une fois votre signature confirmée, vous pouvez télécharger un reçu, la preuve que votre signature figure dans le journal public de la lettre : { $receipt }. Conservez cet e-mail : ensuite, le même lien ouvre une page où vous pouvez changer la façon dont vous apparaissez ou retirer votre signature.
email-confirm-ignore = Si vous n'avez pas signé, ignorez cet e-mail : rien ne sera publié.

## Signer de nouveau avec une adresse qui a déjà signé.
email-already-subject = Vous avez déjà signé : { $title }
email-already-heading = Vous avez déjà signé
email-already-intro = Quelqu'un, sans doute vous, a tenté de signer de nouveau la lettre ouverte { $title } sur { $instance } avec cette adresse e-mail.
email-already-nothing = Cette adresse a déjà signé cette lettre, et sa signature a été confirmée auparavant. Rien n'a changé, et vous n'avez rien à faire.
email-already-not-you = Si ce n'était pas vous, vous pouvez ignorer cet e-mail.

## Un nouveau lien pour gérer une signature.
email-manage-subject = Gérez votre signature : { $title }
email-manage-heading = Gérez votre signature
email-manage-intro =
    Quelqu'un, sans doute vous, a demandé un nouveau lien pour gérer votre signature de la lettre ouverte
    { $title } sur { $instance }.
email-manage-what =
    Ce lien montre comment vous apparaissez sur la lettre et vous permet de le changer, de télécharger
    votre reçu (la preuve que votre signature figure dans le journal public de la lettre) ou de retirer
    votre signature :
email-manage-button = Gérer ma signature
email-manage-expires =
    Le lien fonctionne jusqu'au { $expires }. L'ouvrir ne change rien : chaque modification a son propre
    bouton. Conservez cet e-mail et ne le transférez pas : quiconque a le lien peut gérer votre
    signature.
email-manage-ignore = Si vous ne l'avez pas demandé, ignorez cet e-mail : rien n'a changé.

## Une invitation à rejoindre un espace de travail.
email-invitation-subject = Rejoignez { $workspace } sur { $instance }
email-invitation-heading = Rejoignez { $workspace }
email-invitation-intro =
    { $inviter } vous invite à rejoindre l'espace de travail { $workspace } sur { $instance }
    en tant que { $role }, pour aider à gérer ses lettres ouvertes.
email-invitation-accept = Pour accepter, ouvrez ce lien et suivez la page :
email-invitation-button = Voir l'invitation
email-invitation-expires =
    Le lien fonctionne une seule fois, jusqu'au { $expires }. L'ouvrir ne change rien : la page a le
    bouton. Ne le transférez pas : quiconque a le lien peut rejoindre l'espace à votre place.
email-invitation-ignore = Si vous n'attendiez pas cette invitation, ignorez cet e-mail.

## Un nouveau mot de passe.
email-reset-subject = Choisissez un nouveau mot de passe sur { $instance }
email-reset-heading = Choisissez un nouveau mot de passe
email-reset-intro =
    Quelqu'un, sans doute vous, a demandé à choisir un nouveau mot de passe pour votre compte
    d'organisateur sur { $instance }.
email-reset-open = Pour choisir un nouveau mot de passe, ouvrez ce lien :
email-reset-button = Choisir un nouveau mot de passe
email-reset-expires =
    Le lien fonctionne une seule fois, jusqu'au { $expires }. L'ouvrir ne change rien : la page a le
    bouton. Choisir un nouveau mot de passe vous déconnecte partout.
email-reset-ignore = Si vous ne l'avez pas demandé, ignorez cet e-mail : votre mot de passe reste le même.

## Le texte d'une lettre a changé sur le fond.
email-reconfirm-subject = La lettre que vous avez signée a changé : { $title }
email-reconfirm-heading = Confirmez de nouveau votre signature
email-reconfirm-intro = Les organisateurs de la lettre ouverte { $title } sur { $instance }, que vous avez signée, ont modifié son texte sur le fond (version { $version }).
email-reconfirm-note = Leur note : { $note }
email-reconfirm-still-text = Votre signature compte toujours, indiquée comme donnée sur un texte antérieur. Si vous êtes d'accord avec le nouveau texte, ouvrez cette page, lisez les modifications et appuyez sur son bouton pour confirmer de nouveau votre signature : { $link }
email-reconfirm-still-html = Votre signature compte toujours, indiquée comme donnée sur un texte antérieur. Si vous êtes d'accord avec le nouveau texte, lisez les modifications et confirmez de nouveau votre signature sur cette page :
email-reconfirm-button = Lire les modifications et confirmer de nouveau
email-reconfirm-withdraw = Si vous n'êtes plus d'accord, vous pouvez retirer votre signature avec le lien reçu lorsque vous avez signé.

## Une actualité d'une lettre.
email-update-subject = Actualité : { $title } ({ $letter })
email-update-intro-text = Il y a du nouveau au sujet de la lettre ouverte { $title } sur { $instance }, que vous avez signée et dont vous avez demandé à être tenu informé :
email-update-intro-html = Il y a du nouveau au sujet de la lettre ouverte { $title } sur { $instance }, que vous avez signée et dont vous avez demandé à être tenu informé.
email-update-sources = Sources
email-update-sources-text = Sources :
email-update-why = Vous recevez cet e-mail parce que vous avez coché { $option } en signant.
email-update-option = M'envoyer par e-mail les actualités de cette lettre
email-update-stop-text = Pour ne plus recevoir ces e-mails, ouvrez cette page et appuyez sur son bouton : { $link }
email-update-stop = Ne plus recevoir ces e-mails

## Une invitation à signer une lettre envoyée de nouveau à un autre destinataire.
email-family-subject = Signez de nouveau, pour un autre destinataire : { $title }
email-family-intro = Vous avez signé une lettre ouverte sur { $instance } et demandé à être tenu informé. Les organisateurs envoient maintenant la même lettre à un autre destinataire :
email-family-to = À : { $targets }
email-family-again = Votre signature précédente n'est pas recopiée. Si vous voulez aussi ajouter votre signature à cette lettre, ouvrez cette page et appuyez sur { $button } (vous pouvez d'abord choisir comment vous apparaissez) :
email-family-button = Ajouter ma signature
email-family-nothing = Si vous ne faites rien, il ne se passe rien.

## Remettre une lettre à un destinataire.
email-delivery-dear = { $target },
email-delivery-intro = { $host } vous remet la lettre ouverte { $title }, avec ses { $signatures } au { $date }.
email-delivery-signatures = { $n ->
    [one] { $count } signature
   *[other] { $count } signatures
}
email-delivery-attached = La lettre et la liste de ses signataires se trouvent dans le PDF joint ({ $file }). La lettre est publique, avec ses signataires et leur nombre tenus à jour, à l'adresse :
email-delivery-log = Chaque signature est une entrée du journal public de la lettre, où l'on ne peut qu'ajouter ; le PDF se termine par le point de contrôle signé du journal au moment de la remise, pour que chacun puisse vérifier le décompte.
