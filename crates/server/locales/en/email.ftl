## The emails. In an email's HTML part the values ($title, $instance …) come escaped and
## marked up; the texts themselves must not hold markup.

## Shared by several emails.
email-hello = Hello,
# A title in quotes, in the text part and in the HTML part.
email-quote = "{ $text }"
email-quote-html = “{ $text }”
email-the-letter = The letter: { $url }
email-read-letter = Read the letter
# A date, "28 Nov 2026"; the months' short names, in order, separated by spaces.
email-date = { $day } { $month } { $year }
email-months = Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
email-role = { $role ->
    [owner] owner
    [editor] editor
    [moderator] moderator
    [viewer] viewer
   *[other] { $role }
}

## Confirming a signature.
email-confirm-subject = Confirm your signature: { $title }
email-confirm-heading = Confirm your signature
email-confirm-intro = Someone, probably you, signed the open letter { $title } on { $instance } with this email address.
email-confirm-open = To confirm your signature, open this link and press the { $button } button:
email-confirm-button = Confirm my signature
email-confirm-expires = The link works until { $expires }. Your signature is not counted until you confirm it.
email-confirm-receipt-text =
    Once you have confirmed, the same link followed by /receipt gives you a receipt: proof that
    your signature is in the letter's public log. Keep this email: afterwards the same link
    opens a page where you can change how you appear or withdraw your signature.
email-confirm-receipt-html = Once you have confirmed, you can download a receipt, proof that your signature is in the letter's public log: { $receipt }. Keep this email: afterwards the same link opens a page where you can change how you appear or withdraw your signature.
email-confirm-ignore = If you did not sign, ignore this email: nothing will be published.

## Signing again with an address that has signed.
email-already-subject = You have already signed: { $title }
email-already-heading = You have already signed
email-already-intro = Someone, probably you, tried to sign the open letter { $title } on { $instance } again with this email address.
email-already-nothing = This address has already signed this letter, and its signature was confirmed before. Nothing has changed, and there is nothing you need to do.
email-already-not-you = If this was not you, you can ignore this email.

## A new link to manage a signature.
email-manage-subject = Manage your signature: { $title }
email-manage-heading = Manage your signature
email-manage-intro =
    Someone, probably you, asked for a new link to manage your signature on the open letter
    { $title } on { $instance }.
email-manage-what =
    This link shows how you appear on the letter, lets you change that, download your receipt
    (proof that your signature is in the letter's public log), or withdraw your signature:
email-manage-button = Manage my signature
email-manage-expires =
    The link works until { $expires }. Opening it changes nothing: every change has its own
    button. Keep this email, and do not forward it: whoever has the link can manage your
    signature.
email-manage-ignore = If you did not ask for it, ignore this email: nothing has changed.

## An invitation to join a workspace.
email-invitation-subject = Join { $workspace } on { $instance }
email-invitation-heading = Join { $workspace }
email-invitation-intro =
    { $inviter } invited you to join the workspace { $workspace } on { $instance }
    as { $role }, to help run its open letters.
email-invitation-accept = To accept, open this link and follow the page:
email-invitation-button = See the invitation
email-invitation-expires =
    The link works once, until { $expires }. Opening it changes nothing: the page has the
    button. Do not forward it: whoever has the link can join in your place.
email-invitation-ignore = If you did not expect this invitation, ignore this email.

## A password reset.
email-reset-subject = Set a new password on { $instance }
email-reset-heading = Set a new password
email-reset-intro =
    Someone, probably you, asked to set a new password for your organiser account on
    { $instance }.
email-reset-open = To choose a new password, open this link:
email-reset-button = Choose a new password
email-reset-expires =
    The link works once, until { $expires }. Opening it changes nothing: the page has the
    button. Setting a new password logs you out everywhere.
email-reset-ignore = If you did not ask for it, ignore this email: your password is unchanged.

## A letter's text changed in substance.
email-reconfirm-subject = The letter you signed has changed: { $title }
email-reconfirm-heading = Re-confirm your signature
email-reconfirm-intro = The organisers of the open letter { $title } on { $instance }, which you signed, have changed its text in substance (version { $version }).
email-reconfirm-note = Their note: { $note }
email-reconfirm-still-text = Your signature still counts, shown as signed on an earlier text. If you agree with the new text, open this page, read the changes and press its button to re-confirm your signature: { $link }
email-reconfirm-still-html = Your signature still counts, shown as signed on an earlier text. If you agree with the new text, read the changes and re-confirm your signature on this page:
email-reconfirm-button = Read the changes and re-confirm
email-reconfirm-withdraw = If you no longer agree, you can withdraw your signature with the link you received when you signed.

## An update about a letter.
email-update-subject = Update: { $title } ({ $letter })
email-update-intro-text = There is news about the open letter { $title } on { $instance }, which you signed and asked to hear about:
email-update-intro-html = There is news about the open letter { $title } on { $instance }, which you signed and asked to hear about.
email-update-sources = Sources
email-update-sources-text = Sources:
email-update-why = You get this email because you ticked { $option } when you signed.
email-update-option = Email me updates about this letter
email-update-stop-text = To stop these emails, open this page and press its button: { $link }
email-update-stop = Stop these emails

## An invitation to sign a letter sent again to a new target.
email-family-subject = Sign again, to a new target: { $title }
email-family-intro = You signed an open letter on { $instance } and asked to hear about it. The organisers are now sending the same letter to a new target:
email-family-to = To: { $targets }
email-family-again = Your earlier signature is not copied. If you want to add your signature to this letter too, open this page and press { $button } (you can choose how you are shown first):
email-family-button = Add my signature
email-family-nothing = If you do nothing, nothing happens.

## Delivering a letter to a target.
email-delivery-dear = Dear { $target },
email-delivery-intro = { $host } delivers to you the open letter { $title }, with its { $signatures } as of { $date }.
email-delivery-signatures = { $n ->
    [one] { $count } signature
   *[other] { $count } signatures
}
email-delivery-attached = The letter and the list of its signatories are in the attached PDF ({ $file }). The letter is public, with its signatories and their number kept up to date, at:
email-delivery-log = Every signature is an entry in the letter's public, append-only log; the PDF ends with the log's signed checkpoint at the moment of delivery, so that anyone can check the count.
