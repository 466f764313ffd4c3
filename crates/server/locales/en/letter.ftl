## The letter page, its signing form and its parts.

letter-feed-title = Updates: { $title }
letter-preview = Preview: this is how the letter will look.
letter-preview-draft = It is not published yet.
letter-hosted-by = A letter hosted by
letter-state-open = Open for signatures
letter-state-closed = Closed
letter-state-delivered = Delivered
letter-published-on = Published on
letter-closes-on = Signing closes on { $date }
letter-edited-on = Edited on { $date }
letter-to = To:
letter-family-link = This letter was also sent to other targets: see every target and its response
letter-delivered-to = Delivered to
letter-see-changes = see what changed
letter-delivered-pdf = The letter as delivered (PDF)

letter-sign-button = Sign this letter
letter-batch-note = To protect people who sign privately or with their initials, their signatures are counted together every { $minutes } minutes.
letter-what-changed = What changed
letter-sign-heading = Sign this letter
letter-switch-to-people = Signing as yourself?
letter-switch-to-organisation = Signing for an organisation?
letter-not-taking = This letter is not taking signatures.
letter-signatories = Signatories
letter-organisations = Organisations
letter-verified = ✓ verified
letter-no-more-organisations = No more organisations.
letter-organisations-pages = Pages of organisations
letter-first-organisations = First organisations
letter-more-organisations = More organisations
letter-people = People
letter-no-more-signatories = No more signatories.
letter-no-signatories = No public signatories yet.
letter-signatories-pages = Pages of signatories
letter-newest = Newest
letter-older = Older
letter-lost-heading = Lost your link?
letter-lost-text = Signed this letter and lost the email? Enter the address you signed with: if it signed, we email it a new link to manage your signature (or to confirm it, if you have not yet).
letter-lost-website = If you signed for an organisation: its website
letter-lost-button = Send me a link
letter-verify-heading = Check the count yourself
letter-verify-intro = You do not have to take our word for the count. Every signature on this letter, and every signature taken back, is written into a public record that can only grow: nothing in it can be changed or removed afterwards, not by the organisers and not by the people who run this site.
letter-verify-size = { $n ->
    [one] The record has <strong>{ $n }</strong> entry so far.
   *[other] The record has <strong>{ $n }</strong> entries so far.
}
letter-verify-size-latest = { $n ->
    [one] The record has <strong>{ $n }</strong> entry so far; the latest signature counted was added on { $date }.
   *[other] The record has <strong>{ $n }</strong> entries so far; the latest signature counted was added on { $date }.
}
letter-verify-checkpoint =
    Its latest checkpoint, a signed summary of the whole record, covers { $n ->
            [one] its { $n } entry
           *[other] all { $n } entries
        }: anyone can download it and count again. If the count on this page ever disagreed with it, it would show.
letter-verify-names-committed = The record holds no names, only scrambled fingerprints of what this page shows: they can be matched against the names above, but not turned back into them. A name that is taken down is deleted for good.
letter-verify-names-private = People who sign privately are in it only as a scrambled fingerprint, never by name.
letter-verify-how = How to check it (for the technically minded)
letter-verify-command = With the open-source <code>undersigned</code> program, one command downloads the record, checks that nothing in it was rewritten, and recounts:
letter-log-key = Log key:
letter-latest-checkpoint = latest checkpoint
letter-signatories-data = signatories as data
letter-download-as = download the signatories as
letter-sign-heading-organisation = Sign this letter for an organisation
letter-switch-to-people-link = Use the form for people
letter-switch-to-organisation-link = Use the form for organisations
letter-listed-as = listed as
letter-delivered-on = on
# Follows the date directly: ", with 12 signatures".
letter-delivered-with = , with
# $who: "19 survivors and 2 journalists"; $n: how many people that is.
letter-withheld = { $n ->
    [one] And { $who } whose name is withheld.
   *[other] And { $who } whose names are withheld.
}
letter-awaiting = { $n ->
    [one] Of which 1 earlier signer has not yet re-confirmed the new text.
   *[other] Of which { $count } earlier signers have not yet re-confirmed the new text.
}
letter-its-targets = its targets
letter-verified-domain = Verified: the person who signed confirmed an email address on the organisation's website domain
letter-verified-organiser = Verified by the letter's organisers
level-public = In full, with the details I gave
level-initials = As initials only (for example “J. D.”)
level-private = Not at all: count my signature, never show my name

sign-organisation = Organisation
sign-website = Its website
sign-website-hint = An organisation signs once. If you confirm an email address on this website's domain, your signature is verified at once; otherwise an organiser checks it first.
sign-logo = Its logo
sign-logo-hint = PNG, JPEG or WebP, up to 2 MB. We resize it and remove its metadata.
sign-your-name = Your name
sign-your-title = Your title or role
sign-work-email = Your work email
sign-organisation-email-hint = We send you a link to confirm. Your email is never shown; the organisation's name is, with yours and your title as the person who signed for it.
sign-privacy-link = What we keep, and who sees it
sign-authorised = I am authorised to sign for this organisation
sign-organisation-button = Sign for the organisation
sign-email-hint = We send you a link to confirm. Your email is never shown.
sign-as = I sign as
sign-rule = (name shown { $rule })
sign-show-name = Show my name
sign-show-city = Show my city with my initials
sign-display-hint = Organisers of this letter see every signer's name and email, whatever you choose.
sign-button = Sign the letter
sign-updates = Email me updates about this letter
sign-updates-hint = Occasional news from the organisers, such as a response from the targets. Every email has a link to stop them.
field-title = Title or role
field-affiliation = Affiliation
field-city = City
field-country = Country
field-comment = Comment
rule-in-full = in full
rule-as-initials = as initials
rule-not-at-all = not at all
# $levels: "as initials or not at all".
rule-no-city = { $levels }; city never shown
letter-state-archived = Archived
letter-state-draft = Draft

asks-heading = What we ask
ask-status = { $status ->
    [met] met
    [refused] refused
    [superseded] superseded
   *[pending] pending
}

timeline-heading = Timeline
timeline-response-from = Response from
timeline-download = Download the response
timeline-with = With { $signatures }.

updates-heading = Updates
updates-feed = Follow the updates with a feed reader (Atom)
updates-sources = Sources:

charts-heading = The signatures in pictures
charts-over-time = Signatures over time.
charts-by-day = The numbers by day
charts-by-category = Signatures by category.
charts-by-category-numbers = The numbers by category

share-heading = Ask others to sign
share-intro = Letters like this one count because many people sign. Send the link to people who would want to.
share-link = Link to the letter
share-copy = Copy link
share-email = Share by email
share-native = Share…
ask-change-pending = Ask { $n } is pending again with { $who }: “{ $text }”
ask-change-superseded = Ask { $n } to { $who } was superseded: “{ $text }”
ask-change-met = { $who } met ask { $n }: “{ $text }”
ask-change-refused = { $who } refused ask { $n }: “{ $text }”
chart-time-one-day = { $signatures } on { $date }.
chart-time-summary = { $signatures } from { $first } to { $last }; the most in one day: { $most } on { $busiest }.
chart-column-day = Day (UTC)
chart-column-that-day = Signatures that day
chart-column-total = Total by the end of the day
chart-category-summary = { $signatures } by category. { $parts }.
chart-column-category = Category
chart-column-signatures = Signatures
letter-read-in = Read this letter in:
letter-translation-note = This is a translation. The original text, in { $original }, is the one the signatures are counted on.

## The organisers' page for a letter's languages.
languages-heading = Languages of the letter
languages-intro = A letter can be read in several languages and keeps one count and one log: people sign the same letter whichever text they read. The original text is the one signatures are counted on and whose versions the log records; the page says so beside a translation. Readers get the text in their language when the letter has it, and can switch.
languages-original = The original text
languages-original-label = Language of the original text
# $name: the language's name, "English".
languages-original-hint = A language code such as en, es, fr, pt-BR or ar (now: { $name }). Arabic, Hebrew, Persian and Urdu texts are shown right to left.
languages-translations = Translations
languages-none = No translations yet.
languages-edit = Edit
languages-remove = Remove
languages-add-heading = Add a translation
languages-edit-heading = Edit the translation
languages-lang-label = Language code
languages-lang-hint = For example es, fr, pt-BR or ar. Saving a translation in a language the letter already has replaces that translation.
languages-title = Title
languages-subject = Subject line
languages-body = Text (Markdown)
languages-save = Save the translation
