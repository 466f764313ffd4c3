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

## Dates and numbers.
date = { $day } { $month } { $year }
month-short = { $m ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
}
list-and = and
word-or = or
n-signatures = { $n ->
    [one] { $count } signature
   *[other] { $count } signatures
}
field-email = Email
field-optional = optional
field-required = required

## Forms.
form-error = Error:
form-errors-many = Please correct the fields marked below.
form-errors-one = Please correct the field marked below.
back-to-letter = Back to the letter
save = Save
