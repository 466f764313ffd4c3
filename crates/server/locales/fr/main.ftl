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

## Dates et nombres.
date = { $day } { $month } { $year }
month-short = { $m ->
    [1] janv.
    [2] févr.
    [3] mars
    [4] avr.
    [5] mai
    [6] juin
    [7] juil.
    [8] août
    [9] sept.
    [10] oct.
    [11] nov.
   *[12] déc.
}
list-and = et
word-or = ou
n-signatures = { $n ->
    [one] { $count } signature
   *[other] { $count } signatures
}
field-email = Adresse e-mail
field-optional = facultatif
field-required = obligatoire

## Formulaires.
form-error = Erreur :
form-errors-many = Veuillez corriger les champs signalés ci-dessous.
form-errors-one = Veuillez corriger le champ signalé ci-dessous.
back-to-letter = Retour à la lettre
save = Enregistrer
