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
