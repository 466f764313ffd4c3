## Pages pour les signataires : confirmer, gérer, retirer, liens perdus, confidentialité, versions.

confirm-heading = Confirmez votre signature
confirm-intro = Vous êtes sur le point de confirmer votre signature de <strong>« <bdi>{ $title }</bdi> »</strong>.
confirm-you-sign-as = Vous signez en tant que <strong><bdi>{ $category }</bdi></strong>. Le public verra :
shown-nothing = Rien : votre signature est comptée, votre nom n'est jamais affiché.
confirm-button = Confirmer ma signature
confirm-not-yours = Ce n'est pas ce que vous avez envoyé, ou vous n'avez pas signé cette lettre ? Rien n'est publié sans votre confirmation. Pour supprimer cet envoi dès maintenant, afin de pouvoir signer avec vos propres choix :
confirm-discard = Supprimer cet envoi

confirmed-text = Votre signature de <strong>« <bdi>{ $title }</bdi> »</strong> est confirmée et comptée.
see-letter-signatories = Voir la lettre et ses signataires
confirmed-receipt = Votre signature est l'entrée { $index } du registre public de la lettre. <a href="{ $receipt }" download>Téléchargez votre reçu</a> : il vous permettra de prouver plus tard que votre signature a été comptée, même si vous avez signé de façon privée (<code>undersigned receipt verify</code>). Gardez-le pour vous : il relie l'entrée à votre adresse e-mail.
confirmed-withdraw = Vous avez changé d'avis ? <a href="{ $withdraw }">Retirez votre signature</a>. Le lien de votre e-mail ouvre désormais, et pour longtemps, une page pour gérer votre signature (votre affichage, votre reçu, le retrait) : conservez cet e-mail.

check-heading = Consultez vos e-mails
check-text = Nous avons envoyé un message à l'adresse que vous avez indiquée. Ouvrez le lien qu'il contient et appuyez sur <strong>Confirmer ma signature</strong> : votre signature de « <bdi>{ $title }</bdi> » n'est comptée qu'une fois confirmée.
check-spam = Aucun message au bout de quelques minutes ? Regardez dans vos courriers indésirables. Le lien fonctionne pendant { $lifetime }.

manage-heading = Gérer votre signature
manage-intro = Votre signature de <strong>« <bdi>{ $title }</bdi> »</strong> est confirmée et comptée, en tant que <strong><bdi>{ $category }</bdi></strong>. C'est l'entrée { $index } du registre public de la lettre.
manage-public-sees = Le public voit :
manage-change = Modifier votre affichage
show-my-signature = Afficher ma signature
manage-log-note = Le registre n'est jamais réécrit : une modification y ajoute un retrait de l'entrée { $index } et une nouvelle entrée, si bien que le décompte reste le même. Ce que la page affichait pour l'entrée { $index } est supprimé de ce site.
manage-name-in-log = Le registre de cette lettre a commencé avant que les noms n'en soient exclus : l'entrée { $index } elle-même conserve en clair le nom et les informations que la page affichait, quel que soit votre choix maintenant.
manage-receipt-heading = Votre reçu
manage-receipt = <a href="{ $receipt }" download>Téléchargez votre reçu</a> : il vous permettra de prouver plus tard que votre signature a été comptée, même si vous avez signé de façon privée (<code>undersigned receipt verify</code>). Gardez-le pour vous : il relie l'entrée à votre adresse e-mail.
manage-withdraw-heading = Retirer
manage-withdraw = Vous avez changé d'avis ? <a href="{ $withdraw }">Retirez votre signature</a>.
manage-expires = Ce lien fonctionne jusqu'au { $date }. Conservez l'e-mail qui le contenait ; si vous le perdez, demandez un nouveau lien sur la page de la lettre.

withdraw-heading = Retirer votre signature ?
withdraw-intro = Vous avez signé <strong>« <bdi>{ $title }</bdi> »</strong>. Votre signature est l'entrée { $index } du registre public de la lettre.
withdraw-effect = Le retrait l'enlève immédiatement de la page et des décomptes. Le registre n'est jamais réécrit : une entrée de retrait mentionnant l'entrée { $index } y est donc ajoutée, et quiconque vérifie le décompte verra qu'une signature a été retirée.
withdraw-name-in-log = L'entrée { $index } elle-même reste dans le registre telle qu'elle a été publiée : le nom et les informations que la page affichait, avec une empreinte salée de votre adresse e-mail que personne ne peut inverser sans votre reçu. Vous ne pouvez pas annuler un retrait, mais vous pouvez signer à nouveau la lettre.
withdraw-shown = L'entrée { $index } elle-même reste dans le registre sans votre nom : elle ne contient que des empreintes salées de ce que la page affichait et de votre adresse e-mail. Le retrait supprime de ce site votre nom et les informations que vous avez données, si bien que personne ne peut les retrouver à partir du registre (les copies faites auparavant par d'autres sont hors de notre portée). Vous ne pouvez pas annuler un retrait, mais vous pouvez signer à nouveau la lettre.
withdraw-private = L'entrée { $index } elle-même reste dans le registre sans votre nom (vous avez signé de façon privée), avec une empreinte salée de votre adresse e-mail que personne ne peut inverser sans votre reçu. Vous ne pouvez pas annuler un retrait, mais vous pouvez signer à nouveau la lettre.
withdraw-button = Retirer ma signature
withdraw-keep = Conserver ma signature

lost-sent = Si cette adresse a signé <strong>« <bdi>{ $title }</bdi> »</strong>, un lien est en route vers elle : un lien pour gérer votre signature ou, si vous ne l'avez pas encore confirmée, le lien pour la confirmer.
lost-spam = Aucun message au bout de quelques minutes ? Regardez dans vos courriers indésirables. Le nombre de liens envoyés à une même adresse est limité.
lost-intro = Saisissez l'adresse avec laquelle vous avez signé <strong>« <bdi>{ $title }</bdi> »</strong>. Si elle a signé, nous lui envoyons un nouveau lien pour gérer votre signature (ou pour la confirmer, si ce n'est pas encore fait).

privacy-heading = Avis de confidentialité
privacy-intro = Ce que deviennent les informations que vous donnez en signant cette lettre.
privacy-kept = Ce qui est conservé
privacy-kept-form = Ce que vous saisissez dans le formulaire : votre nom, votre adresse e-mail et les informations que vous choisissez de donner (titre, affiliation, ville, pays, commentaire), avec la façon dont vous signez et dont votre nom peut être affiché.
privacy-kept-organisation = Si vous signez pour une organisation : son nom, son site web et son logo, ainsi que votre nom, votre titre et votre e-mail professionnel, en tant que personne ayant signé pour elle.
privacy-kept-when = Quand vous avez signé et confirmé.
privacy-encrypted = Les noms, adresses e-mail et informations sont stockés chiffrés. Nous n'utilisons votre adresse e-mail que pour vous envoyer le lien de confirmation de votre signature puis, plus tard, pour la gérer ou la retirer.
privacy-who = Qui les voit
privacy-who-public = <strong>Le public</strong> ne voit que ce que vous avez choisi : votre nom en entier, vos initiales ou rien du tout (votre signature est alors seulement comptée). Votre adresse e-mail n'est jamais affichée.
privacy-who-organisers = <strong>Les organisateurs de cette lettre</strong> voient le nom, l'adresse e-mail et les informations de chaque signataire, quel que soit son choix, afin de pouvoir vérifier les signatures et remettre la lettre.
privacy-who-record = <strong>Le registre public</strong> qui permet à chacun de vérifier le décompte ne contient aucune adresse e-mail ni aucun nom : seulement des empreintes brouillées qu'on ne peut pas retransformer en noms ou en adresses.
privacy-how-long = Pendant combien de temps
privacy-retention =
    Les noms, adresses e-mail et informations sont effacés { $days ->
            [one] { $days } jour
           *[other] { $days } jours
        } après la clôture de la lettre. Les décomptes et le registre public restent.
privacy-kept-forever = Les organisateurs conservent les noms, adresses e-mail et informations tant que la lettre existe. Quand elle est supprimée, ils sont supprimés avec elle. Les décomptes et le registre public restent.
privacy-unconfirmed = Une signature jamais confirmée n'est ni comptée ni affichée.
privacy-withdraw = Comment retirer votre signature
privacy-withdraw-text = L'e-mail que nous vous envoyons contient un lien pour gérer votre signature : il vous permet de modifier l'affichage de votre nom ou de retirer votre signature à tout moment. Le retrait l'enlève immédiatement de la page et du décompte, et supprime de ce site votre nom et vos informations. Vous avez perdu l'e-mail ? <a href="{ $link }">Demandez un nouveau lien</a>.
privacy-intro-hosted = Ce que deviennent les informations que vous donnez en signant cette lettre, publiée par <bdi>{ $host }</bdi>.

home-heading = Lettres ouvertes
home-intro = Les lettres publiées ici recueillent des signatures confirmées. Chaque signataire choisit si son nom est affiché en entier, en initiales ou pas du tout.
home-empty = Aucune lettre n'a encore été publiée.

versions-heading = Versions de cette lettre
versions-none = Le texte n'a pas été modifié depuis sa publication.
versions-hint = Le texte exact de chaque version est lié ci-dessous ; le registre public de la lettre enregistre le SHA-256 de chacune, si bien que chacun peut vérifier qu'aucune version n'a été modifiée après coup. Dans les modifications, les mots supprimés sont barrés et les mots ajoutés soulignés, et chacun est signalé aux lecteurs d'écran.
versions-version = Version { $n }
versions-exact = le texte exact
versions-changed-from = Ce qui a changé depuis la version { $n }

diff-removed = supprimé :
diff-added = ajouté :

family-heading = Tous les destinataires : { $title }
family-intro = Cette lettre a été envoyée à plusieurs destinataires. Chacun a ses propres signatures, son registre et sa réponse.
family-asks = Demandes
family-latest-response = Dernière réponse
family-no-response = Pas encore de réponse.

invitation-heading = Ajoutez votre signature
invitation-intro = Vous avez signé une lettre précédente de cette campagne. Les organisateurs l'envoient maintenant à un nouveau destinataire et vous invitent à la signer aussi. Rien n'est ajouté tant que vous n'appuyez pas sur le bouton.
invitation-asks = Ce que demande la lettre
invitation-sign-as = Vous signez en tant que <strong><bdi>{ $category }</bdi></strong>, avec le nom et les informations que vous avez donnés auparavant.
invitation-button = Ajouter ma signature
invitation-hint = Réglé d'avance sur l'affichage que vous aviez choisi. Une signature privée est comptée et vérifiable, et votre nom n'est jamais affiché.
invitation-sign-as-organisation = Vous signez en tant que <strong><bdi>{ $category }</bdi></strong>, pour votre organisation, comme auparavant, avec le nom et les informations que vous aviez donnés.

reconfirm-gone-heading = Cette signature ne figure plus sur la lettre
reconfirm-gone = Elle a été retirée ou supprimée : il n'y a donc rien à reconfirmer.
reconfirm-done-heading = Votre signature est reconfirmée
reconfirm-done = Votre signature de <strong>« <bdi>{ $title }</bdi> »</strong> porte sur son texte actuel (version { $current }).
reconfirm-heading = Reconfirmez votre signature
reconfirm-intro = Vous avez signé la version { $signed } de <strong>« <bdi>{ $title }</bdi> »</strong>. Ses organisateurs en ont depuis modifié le texte sur le fond ; c'est maintenant la version { $current }. Les mots supprimés sont barrés et les mots ajoutés soulignés.
reconfirm-agree = Si vous êtes d'accord avec le nouveau texte, appuyez sur le bouton. Sinon, vous pouvez retirer votre signature avec le lien reçu au moment de signer.
reconfirm-button = Je reconfirme ma signature pour le nouveau texte
reconfirm-all-versions = Toutes les versions

unsubscribe-heading = Ne plus recevoir les actualités ?
unsubscribe-intro = Vous avez signé <strong>« <bdi>{ $title }</bdi> »</strong> et demandé à recevoir ses actualités par e-mail. Appuyez sur le bouton pour ne plus les recevoir. Votre signature reste inchangée.
unsubscribe-button = Me désabonner de ces actualités
unsubscribe-none-heading = Vous ne recevez pas d'actualités
unsubscribe-none = Vous ne recevrez pas d'e-mails d'actualités sur <strong>« <bdi>{ $title }</bdi> »</strong>. Votre signature reste inchangée.

embed-kicker = Lettre ouverte
embed-new-tab-hint = Quand vous envoyez le formulaire, le site de la lettre s'ouvre dans un nouvel onglet pour vous indiquer la suite.
embed-read = Lire la lettre
embed-powered = Propulsé par Undersigned
opens-new-tab = (s'ouvre dans un nouvel onglet)
msg-withdrawn = Elle n'est plus affichée ni comptée. Le registre de la lettre se termine maintenant par une entrée de retrait qui désigne l'entrée { $index }.
msg-added-counted = Votre signature sur « { $title } » est confirmée et comptée.
msg-added-batch = Votre signature sur « { $title } » est confirmée. Cette lettre publie les signatures par lots : elle sera comptée à partir du { $when }.
msg-added-review = Votre signature sur « { $title } » est confirmée. Les organisateurs examinent les signatures avant de les publier et de les compter.
msg-unsubscribed = Vous ne recevrez plus d'actualités sur « { $title } ». Votre signature reste telle quelle.
