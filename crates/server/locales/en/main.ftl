## The frame of every page.
skip-link = Skip to main content
nav-letters = Letters
nav-logout = Log out
nav-login = Organiser login
footer-hosted-by = A letter hosted by
footer-powered = Powered by Undersigned, open-source software for open letters.
languages-label = Language

signatures-count = { $n ->
    [one] confirmed signature
   *[other] confirmed signatures
}
