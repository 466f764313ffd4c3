## Pages for signers: confirming, managing, withdrawing, lost links, privacy, versions.

confirm-heading = Confirm your signature
confirm-intro = You are about to confirm your signature on <strong>“<bdi>{ $title }</bdi>”</strong>.
confirm-you-sign-as = You sign as <strong><bdi>{ $category }</bdi></strong>. The public will see:
shown-nothing = Nothing: your signature is counted, your name is never shown.
confirm-button = Confirm my signature
confirm-not-yours = Not what you submitted, or you did not sign this letter? Nothing is published unless you confirm. To delete this submission now, so that you can sign with your own choices:
confirm-discard = Discard this submission

confirmed-text = Your signature on <strong>“<bdi>{ $title }</bdi>”</strong> is confirmed and counted.
see-letter-signatories = See the letter and its signatories
confirmed-receipt = Your signature is entry { $index } of the letter's public log. <a href="{ $receipt }" download>Download your receipt</a>: with it you can prove later that your signature was counted, even if you signed privately (<code>undersigned receipt verify</code>). Keep it private: it links the entry to your email address.
confirmed-withdraw = Changed your mind? <a href="{ $withdraw }">Withdraw your signature</a>. The link in your email now opens a page to manage your signature (how you appear, your receipt, withdrawing) for a long time: keep the email.

check-heading = Check your email
check-text = We have sent a message to the address you gave. Open the link in it and press <strong>Confirm my signature</strong>: your signature on “<bdi>{ $title }</bdi>” is counted only once it is confirmed.
check-spam = No message after a few minutes? Look in your spam folder. The link works for { $lifetime }.

manage-heading = Manage your signature
manage-intro = Your signature on <strong>“<bdi>{ $title }</bdi>”</strong> is confirmed and counted, as <strong><bdi>{ $category }</bdi></strong>. It is entry { $index } of the letter's public log.
manage-public-sees = The public sees:
manage-change = Change how you appear
show-my-signature = Show my signature
manage-log-note = The log is never rewritten: changing adds a removal of entry { $index } and a new entry, so the count stays the same. What the page showed for entry { $index } is deleted from this site.
manage-name-in-log = This letter's log started before names were kept out of it: entry { $index } itself keeps the name and details the page showed, in clear, whatever you choose now.
manage-receipt-heading = Your receipt
manage-receipt = <a href="{ $receipt }" download>Download your receipt</a>: with it you can prove later that your signature was counted, even if you signed privately (<code>undersigned receipt verify</code>). Keep it private: it links the entry to your email address.
manage-withdraw-heading = Withdraw
manage-withdraw = Changed your mind? <a href="{ $withdraw }">Withdraw your signature</a>.
manage-expires = This link works until { $date }. Keep the email it came in; if you lose it, ask for a new link on the letter's page.

withdraw-heading = Withdraw your signature?
withdraw-intro = You signed <strong>“<bdi>{ $title }</bdi>”</strong>. Your signature is entry { $index } of the letter's public log.
withdraw-effect = Withdrawing takes it off the page and out of the counts at once. The log is never rewritten, so a removal entry naming entry { $index } is added to it: anyone checking the count will see that one signature was withdrawn.
withdraw-name-in-log = Entry { $index } itself stays in the log as it was published: the name and details the page showed, with a salted fingerprint of your email address that nobody can reverse without your receipt. You cannot undo a withdrawal, but you can sign the letter again.
withdraw-shown = Entry { $index } itself stays in the log without your name: it holds only salted fingerprints of what the page showed and of your email address. Withdrawing deletes your name and the details you gave from this site, so nobody can read them back from the log (copies someone saved before are beyond our reach). You cannot undo a withdrawal, but you can sign the letter again.
withdraw-private = Entry { $index } itself stays in the log without your name (you signed privately), with a salted fingerprint of your email address that nobody can reverse without your receipt. You cannot undo a withdrawal, but you can sign the letter again.
withdraw-button = Withdraw my signature
withdraw-keep = Keep my signature

lost-sent = If this address signed <strong>“<bdi>{ $title }</bdi>”</strong>, a link is on its way to it: a link to manage your signature, or, if you have not confirmed it yet, the link to confirm it.
lost-spam = No message after a few minutes? Look in your spam folder. Links are sent only so often to one address.
lost-intro = Enter the address you signed <strong>“<bdi>{ $title }</bdi>”</strong> with. If it signed, we email it a new link to manage your signature (or to confirm it, if you have not yet).

privacy-heading = Privacy notice
privacy-intro = What happens to what you give when you sign this letter.
privacy-kept = What is kept
privacy-kept-form = What you type in the form: your name, your email address, and the details you choose to give (title, affiliation, city, country, comment), with how you sign and how your name may be shown.
privacy-kept-organisation = If you sign for an organisation: its name, website and logo, and your name, title and work email as the person who signed for it.
privacy-kept-when = When you signed and confirmed.
privacy-encrypted = Names, email addresses and details are stored encrypted. We use your email address only to send you the link to confirm your signature and, later, to manage or withdraw it.
privacy-who = Who sees it
privacy-who-public = <strong>The public</strong> sees only what you chose: your name in full, your initials, or nothing at all (your signature is then only counted). Your email address is never shown.
privacy-who-organisers = <strong>The organisers of this letter</strong> see every signer's name, email address and details, whatever they chose, so that they can check signatures and deliver the letter.
privacy-who-record = <strong>The public record</strong> that lets anyone check the count holds no email address and no name: only scrambled fingerprints that cannot be turned back into them.
privacy-how-long = For how long
privacy-retention =
    Names, email addresses and details are erased { $days ->
            [one] { $days } day
           *[other] { $days } days
        } after the letter closes. The counts and the public record stay.
privacy-kept-forever = The organisers keep names, email addresses and details for as long as the letter exists. When it is deleted, they are deleted with it. The counts and the public record stay.
privacy-unconfirmed = A signature that is never confirmed is not counted or shown.
privacy-withdraw = How to withdraw
privacy-withdraw-text = The email we send you holds a link to manage your signature: it lets you change how your name is shown or withdraw your signature at any time. Withdrawing takes it off the page and out of the count at once, and deletes your name and details from this site. Lost the email? <a href="{ $link }">Ask for a new link</a>.
privacy-intro-hosted = What happens to what you give when you sign this letter, hosted by <bdi>{ $host }</bdi>.

home-heading = Open letters
home-intro = Letters published here collect confirmed signatures. Every signer chooses whether their name is shown in full, as initials, or not at all.
home-empty = No letters have been published yet.

versions-heading = Versions of this letter
versions-none = The text has not been edited since it was published.
versions-hint = Each version's exact text is linked below; the letter's public log records the SHA-256 of each, so anyone can check that no version was changed afterwards. In the changes, removed words are struck through and added words are underlined, and each is labelled for screen readers.
versions-version = Version { $n }
versions-exact = the exact text
versions-changed-from = What changed from version { $n }

diff-removed = removed:
diff-added = added:

family-heading = Every target: { $title }
family-intro = This letter was sent to more than one target. Each has its own signatures, log and response.
family-asks = Asks
family-latest-response = Latest response
family-no-response = No response yet.

invitation-heading = Add your signature
invitation-intro = You signed an earlier letter of this campaign. The organisers are now sending it to a new target, and invite you to sign it too. Nothing is added unless you press the button.
invitation-asks = What the letter asks
invitation-sign-as = You sign as <strong><bdi>{ $category }</bdi></strong>, with the name and details you gave before.
invitation-button = Add my signature
invitation-hint = Pre-set to how you chose to be shown before. A private signature is counted and verifiable, and your name is never shown.
invitation-sign-as-organisation = You sign as <strong><bdi>{ $category }</bdi></strong>, for your organisation, as before, with the name and details you gave before.

reconfirm-gone-heading = This signature is no longer on the letter
reconfirm-gone = It was withdrawn or removed, so there is nothing to re-confirm.
reconfirm-done-heading = Your signature is re-confirmed
reconfirm-done = Your signature on <strong>“<bdi>{ $title }</bdi>”</strong> stands under its current text (version { $current }).
reconfirm-heading = Re-confirm your signature
reconfirm-intro = You signed version { $signed } of <strong>“<bdi>{ $title }</bdi>”</strong>. Its organisers have since changed the text in substance; it is now version { $current }. Removed words are struck through and added words are underlined.
reconfirm-agree = If you agree with the new text, press the button. If you do not, you can withdraw your signature with the link you received when you signed.
reconfirm-button = I re-confirm my signature under the new text
reconfirm-all-versions = All versions

unsubscribe-heading = Stop the updates?
unsubscribe-intro = You signed <strong>“<bdi>{ $title }</bdi>”</strong> and asked for email updates about it. Press the button to stop them. Your signature stays as it is.
unsubscribe-button = Unsubscribe from these updates
unsubscribe-none-heading = You get no updates
unsubscribe-none = You will not be emailed updates about <strong>“<bdi>{ $title }</bdi>”</strong>. Your signature stays as it is.

embed-kicker = Open letter
embed-new-tab-hint = When you send the form, the letter's site opens in a new tab to tell you what comes next.
embed-read = Read the letter
embed-powered = Powered by Undersigned
opens-new-tab = (opens in a new tab)
msg-withdrawn = It is no longer shown or counted. The letter's log now ends with a removal entry naming entry { $index }.
msg-added-counted = Your signature on “{ $title }” is confirmed and counted.
msg-added-batch = Your signature on “{ $title }” is confirmed. This letter publishes signatures in batches: it will be counted from { $when }.
msg-added-review = Your signature on “{ $title }” is confirmed. The organisers review signatures before they are published and counted.
msg-unsubscribed = You will get no more updates about “{ $title }”. Your signature stays as it is.
