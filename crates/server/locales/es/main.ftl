## El marco de cada página.
skip-link = Saltar al contenido principal
nav-letters = Cartas
nav-logout = Cerrar sesión
nav-login = Acceso para organizadores
footer-hosted-by = Una carta publicada por
footer-powered = Funciona con Undersigned, software libre para cartas abiertas.
languages-label = Idioma

signatures-count = { $n ->
    [one] firma confirmada
   *[other] firmas confirmadas
}

## Fechas y números.
date = { $day } { $month } { $year }
month-short = { $m ->
    [1] ene
    [2] feb
    [3] mar
    [4] abr
    [5] may
    [6] jun
    [7] jul
    [8] ago
    [9] sept
    [10] oct
    [11] nov
   *[12] dic
}
list-and = y
word-or = o
n-signatures = { $n ->
    [one] { $count } firma
   *[other] { $count } firmas
}
field-email = Correo electrónico
field-optional = opcional
field-required = obligatorio

## Formularios.
form-error = Error:
form-errors-many = Corrige los campos marcados abajo.
form-errors-one = Corrige el campo marcado abajo.
back-to-letter = Volver a la carta
save = Guardar
