## Le cadre de chaque page.
skip-link = Aller au contenu principal
nav-letters = Lettres
nav-logout = Se déconnecter
nav-login = Espace organisateurs
footer-hosted-by = Une lettre publiée par
footer-powered = Propulsé par Undersigned, logiciel libre pour les lettres ouvertes.
languages-label = Langue

signatures-count = { $n ->
    [one] signature confirmée
   *[other] signatures confirmées
}
