## Les pages de connexion des organisateurs : se connecter, le second facteur, un mot de
## passe oublié, la mise en service du site, accepter une invitation ; et les messages des
## contrôles de connexion.

auth-email = Adresse e-mail
auth-password = Mot de passe
auth-log-in = Se connecter
auth-back-to-login = Retour à la connexion
auth-your-name = Votre nom
auth-password-new = Mot de passe (au moins 12 caractères)
auth-password-again = Mot de passe, de nouveau
auth-passwords-differ = Les deux mots de passe sont différents.
auth-role = { $role ->
    [owner] propriétaire
    [editor] éditeur
    [moderator] modérateur
    [viewer] lecteur
   *[other] { $role }
}

## Se connecter.
auth-login-heading = Connexion des organisateurs
auth-login-forgot = Mot de passe oublié ?
auth-login-wrong = L'adresse e-mail ou le mot de passe est incorrect.
auth-code-title = Votre code
auth-code-intro = Votre compte a un second facteur. Saisissez le code à 6 chiffres qu'affiche maintenant votre application d'authentification, ou l'un de vos codes de secours.
auth-code-label = Code
auth-code-wrong = Ce code est incorrect ou a déjà servi. Saisissez les 6 chiffres qu'affiche maintenant votre application, ou l'un de vos codes de secours encore inutilisés.
auth-login-again-heading = Connectez-vous de nouveau
auth-login-again = Cette connexion a expiré ou a reçu trop de codes erronés. Connectez-vous de nouveau avec votre mot de passe.

## Un mot de passe oublié.
auth-forgot-intro = Indiquez l'adresse avec laquelle vous vous connectez. Si un compte d'organisateur existe pour elle, nous lui envoyons un lien pour choisir un nouveau mot de passe.
auth-forgot-button = M'envoyer un lien
auth-forgot-sent-heading = Consultez vos e-mails
auth-forgot-sent = Si un compte d'organisateur existe pour cette adresse, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Le lien fonctionne une seule fois, pendant une heure. Rien reçu ? Vérifiez votre dossier de courrier indésirable, ou refaites la demande dans quelques minutes.
auth-reset-invalid-heading = Ce lien de réinitialisation n'est pas valide
auth-reset-invalid = Il a déjà servi, a expiré (les liens fonctionnent une heure) ou a été mal recopié. Demandez-en un nouveau.
auth-reset-ask-again = Demander un nouveau lien
auth-reset-heading = Choisissez un nouveau mot de passe
auth-reset-intro = Le changer vous déconnecte partout ; connectez-vous ensuite avec le nouveau mot de passe.
auth-reset-password = Nouveau mot de passe (au moins 12 caractères)
auth-reset-password-again = Nouveau mot de passe, de nouveau
auth-reset-button = Enregistrer le nouveau mot de passe
auth-reset-done-heading = Votre mot de passe est changé
auth-reset-done = Vous êtes déconnecté partout. Connectez-vous avec votre nouveau mot de passe.

## La mise en service du site.
auth-setup-title = Mise en service
auth-setup-heading = Mettre en service { $instance }
auth-setup-intro = Créez le premier espace de travail et son propriétaire. Ce lien fonctionne une seule fois.
auth-setup-workspace = Espace de travail (votre organisation ou coalition)
auth-setup-email = Votre adresse e-mail (votre identifiant)
auth-setup-button = Créer l'espace de travail
auth-setup-invalid-heading = Ce lien de mise en service n'est pas valide
auth-setup-invalid = Il a déjà servi, a expiré, ou ce site est déjà en service. Les organisateurs se connectent ; si personne ne le peut, redémarrez le serveur avec une base de données vide pour obtenir un nouveau lien.

## Une invitation à un espace de travail. Dans la page, $workspace et $role arrivent balisés.
auth-invite-heading = Rejoindre { $workspace }
auth-invite-intro = Vous êtes invité à rejoindre l'espace de travail { $workspace } en tant que { $role }, avec l'adresse { $email }. Ce lien fonctionne une seule fois, jusqu'au { $expires }.
auth-invite-other-login = Vous êtes connecté en tant que { $other }. Cette invitation est pour { $email } : déconnectez-vous, puis connectez-vous en tant que { $email }.
auth-invite-has-account = { $email } a un compte d'organisateur ici. Connectez-vous en tant que { $email }, puis appuyez sur « Rejoindre ».
auth-invite-join = Rejoindre { $workspace }
auth-invite-log-in-to-join = Se connecter pour rejoindre
auth-invite-other-new = Vous êtes connecté en tant que { $other }. Cette invitation est pour un nouveau compte avec l'adresse { $email }.
auth-invite-choose = Choisissez le nom que verront les autres organisateurs et votre mot de passe. Votre identifiant est { $email }.
auth-invite-invalid-heading = Ce lien d'invitation n'est pas valide
auth-invite-invalid = Il a déjà servi ou a été annulé, a expiré ou a été mal recopié. Demandez à un propriétaire de l'espace de travail de vous inviter de nouveau.
auth-invite-account-heading = Vous avez déjà un compte
auth-invite-account = { $email } a un compte d'organisateur ici. Connectez-vous en tant que { $email } et ouvrez de nouveau le lien d'invitation pour rejoindre l'espace.
auth-invite-account-now = Cette adresse a maintenant un compte d'organisateur. Connectez-vous et ouvrez de nouveau le lien d'invitation pour rejoindre l'espace.
auth-invite-elsewhere-heading = Cette invitation est pour une autre adresse
auth-invite-elsewhere = Elle a été envoyée à { $email }, et vous êtes connecté en tant que { $current }. Déconnectez-vous, puis connectez-vous en tant que { $email } pour la rejoindre.

## Une signature retenue après sa confirmation (pour relecture, ou pour le lot d'une lettre sensible).
## $title et $at arrivent balisés.
auth-held-confirmed = Votre signature de { $title } est confirmée.
auth-held-review = Les organisateurs de cette lettre relisent chaque signature avant de la publier : la vôtre attend leur relecture. Une fois approuvée, elle sera comptée et affichée comme vous l'avez choisi.
auth-held-batch = Pour protéger les personnes qui signent en privé ou avec leurs initiales, cette lettre publie ces signatures ensemble, toutes les { $minutes } minutes, dans un ordre tiré au sort : personne ne peut savoir, en observant la lettre, quand quelqu'un a signé. La vôtre sera comptée à { $at }.
auth-held-after = Ensuite, cette page (le lien de votre e-mail) vous donne votre reçu, la preuve que votre signature a été comptée.
auth-held-see-letter = Voir la lettre


## Les messages des contrôles de connexion (src/auth), écrits en anglais dans le code :
## identifiés par leurs mots, comme dans catalog.ftl, pour `i18n::localise`.
src-this-form-was-sent-from-another-site-or-has-expired-go-back-reload-the-page-and-try-again = Ce formulaire a été envoyé depuis un autre site, ou a expiré. Revenez en arrière, rechargez la page et réessayez.
src-your-role-in-this-workspace-does-not-allow-this-ask-an-owner-for-a-different-role = Votre rôle dans cet espace de travail ne le permet pas. Demandez un autre rôle à un propriétaire.
src-a-logo-may-be-at-most-n-mb-choose-a-smaller-png-jpeg-or-webp-file-and-send-the-form-again = Un logo peut peser au plus { $n } Mo. Choisissez un fichier PNG, JPEG ou WebP plus petit et envoyez de nouveau le formulaire.
