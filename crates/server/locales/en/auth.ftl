## The organiser sign-in pages: log in, the second factor, a forgotten password, setting
## up the site, accepting an invitation; and the messages of the sign-in checks.

auth-email = Email
auth-password = Password
auth-log-in = Log in
auth-back-to-login = Back to log in
auth-your-name = Your name
auth-password-new = Password (at least 12 characters)
auth-password-again = Password again
auth-passwords-differ = The two passwords differ.
auth-role = { $role ->
    [owner] owner
    [editor] editor
    [moderator] moderator
    [viewer] viewer
   *[other] { $role }
}

## Logging in.
auth-login-heading = Organiser login
auth-login-forgot = Forgot your password?
auth-login-wrong = The email or the password is wrong.
auth-code-title = Your code
auth-code-intro = Your account has a second factor. Type the 6-digit code your authenticator app shows now, or one of your recovery codes.
auth-code-label = Code
auth-code-wrong = This code is wrong or was used already. Type the 6 digits your app shows now, or one of your unused recovery codes.
auth-login-again-heading = Log in again
auth-login-again = This login has expired or had too many wrong codes. Log in again with your password.

## A forgotten password.
auth-forgot-intro = Give the address you log in with. If an organiser account exists for it, we email it a link to choose a new password.
auth-forgot-button = Email me a link
auth-forgot-sent-heading = Check your email
auth-forgot-sent = If an organiser account exists for this address, we sent it a link to choose a new password. The link works once, for an hour. Nothing arrived? Check your spam folder, or ask again in a few minutes.
auth-reset-invalid-heading = This reset link is not valid
auth-reset-invalid = It has been used, has expired (links work for an hour), or was mistyped. Ask for a new one.
auth-reset-ask-again = Ask for a new link
auth-reset-heading = Choose a new password
auth-reset-intro = Setting it logs you out everywhere; then log in with the new password.
auth-reset-password = New password (at least 12 characters)
auth-reset-password-again = New password again
auth-reset-button = Set new password
auth-reset-done-heading = Your password is changed
auth-reset-done = You are logged out everywhere. Log in with your new password.

## Setting the site up.
auth-setup-title = Set up
auth-setup-heading = Set up { $instance }
auth-setup-intro = Create the first workspace and its owner. This link works once.
auth-setup-workspace = Workspace (your organisation or coalition)
auth-setup-email = Your email (your login)
auth-setup-button = Create workspace
auth-setup-invalid-heading = This setup link is not valid
auth-setup-invalid = It has been used, has expired, or this site is set up already. Organisers log in instead; if nobody can, restart the server with an empty database to get a new link.

## An invitation to join a workspace. In the page, $workspace and $role come marked up.
auth-invite-heading = Join { $workspace }
auth-invite-intro = You are invited to join the workspace { $workspace } as { $role }, with the address { $email }. This link works once, until { $expires }.
auth-invite-other-login = You are logged in as { $other }. This invitation is for { $email }: log out, then log in as { $email }.
auth-invite-has-account = { $email } has an organiser account here. Log in as { $email }, then press “Join”.
auth-invite-join = Join { $workspace }
auth-invite-log-in-to-join = Log in to join
auth-invite-other-new = You are logged in as { $other }. This invitation is for a new account with the address { $email }.
auth-invite-choose = Choose the name other organisers see and your password. Your login is { $email }.
auth-invite-invalid-heading = This invitation link is not valid
auth-invite-invalid = It has been used or cancelled, has expired, or was mistyped. Ask an owner of the workspace to invite you again.
auth-invite-account-heading = You have an account already
auth-invite-account = { $email } has an organiser account here. Log in as { $email } and open the invitation link again to join.
auth-invite-account-now = This address has an organiser account now. Log in and open the invitation link again to join.
auth-invite-elsewhere-heading = This invitation is for another address
auth-invite-elsewhere = It was sent to { $email }, and you are logged in as { $current }. Log out, then log in as { $email } to join.

## A signature held after it is confirmed (for review, or for a sensitive letter's batch).
## $title and $at come marked up.
auth-held-confirmed = Your signature on { $title } is confirmed.
auth-held-review = The organisers of this letter review every signature before it is published: yours awaits their review. Once they approve it, it is counted and shown as you chose.
auth-held-batch = To protect people who sign privately or with their initials, this letter publishes those signatures together, every { $minutes } minutes, in an order drawn at random: nobody watching the letter can tell when someone signed. Yours will be counted at { $at }.
auth-held-after = After that, this page (the link in your email) gives you your receipt, the proof that your signature was counted.
auth-held-see-letter = See the letter

## The sign-in checks' messages (src/auth), written in English in the code: keyed by their
## words, as in catalog.ftl, for `i18n::localise`, which the message pages go through.
src-this-form-was-sent-from-another-site-or-has-expired-go-back-reload-the-page-and-try-again = This form was sent from another site, or has expired. Go back, reload the page and try again.
src-your-role-in-this-workspace-does-not-allow-this-ask-an-owner-for-a-different-role = Your role in this workspace does not allow this. Ask an owner for a different role.
src-a-logo-may-be-at-most-n-mb-choose-a-smaller-png-jpeg-or-webp-file-and-send-the-form-again = A logo may be at most { $n } MB. Choose a smaller PNG, JPEG or WebP file and send the form again.
