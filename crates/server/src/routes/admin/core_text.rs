//! The messages of `undersigned_core`'s validation (and of the logo and website checks),
//! which are written in English, in the
//! request's language. The organiser pages pass every [`FieldErrors`] from the core through
//! [`localise`] before they show it; a message this module does not know stays in English.

use undersigned_core::letter::FieldErrors;

use crate::i18n::{Lang, t, t1, t2};

/// Fixed messages of the core and their texts.
const FIXED: &[(&str, &str)] = &[
    ("This field is required.", "admin-error-required"),
    (
        "Remove the control characters from this field.",
        "admin-error-control-characters",
    ),
    (
        "Remove the direction controls from this field: invisible characters (such as U+202E) \
         that make text read in another order than it was written.",
        "admin-error-direction-controls",
    ),
    (
        "Remove the invisible characters (zero-width spaces, joiners or fillers) from this field.",
        "admin-error-invisible-characters",
    ),
    (
        "Write your name with at least one letter.",
        "admin-error-no-letter",
    ),
    (
        "Use 3 to 64 characters: lower-case letters, digits and single hyphens.",
        "admin-error-slug-format",
    ),
    (
        "This address is reserved; choose another.",
        "admin-error-slug-reserved",
    ),
    (
        "Name at least one target, one a line.",
        "admin-error-no-target",
    ),
    (
        "use at most three parts: Name | Title | Organisation",
        "admin-error-target-parts",
    ),
    (
        "Name at least one category, one a line (for example Supporter).",
        "admin-error-no-category",
    ),
    (
        "allow at least one way of showing signers",
        "admin-error-no-way",
    ),
    (
        "Choose required, optional or hidden.",
        "admin-error-requirement",
    ),
    (
        "Enter a whole number of minutes from 1 to 1440, or leave it empty to publish every \
         signature at once.",
        "admin-error-batch",
    ),
    (
        "Choose whether signatures are published when confirmed or held for review.",
        "admin-error-moderation",
    ),
    (
        "Choose one of the letter's categories for organisations, or “Organisations cannot \
         sign”.",
        "admin-error-organisation-category",
    ),
    ("Enter your email address.", "admin-error-email-empty"),
    (
        "Enter an email address like name@example.org.",
        "admin-error-email-format",
    ),
    (
        "This email address is too long.",
        "admin-error-email-too-long",
    ),
    (
        "Choose a role: owner, editor, moderator or viewer.",
        "admin-error-role",
    ),
    (
        "Write what the letter asks, for example “Open a conduct investigation”.",
        "admin-error-ask-text",
    ),
    (
        "Choose a status: pending, met, refused or superseded.",
        "admin-error-ask-status",
    ),
    (
        "Give a date as year-month-day, for example 2026-12-12.",
        "admin-error-date",
    ),
    (
        "Write what the target answered (or a summary of it).",
        "admin-error-response-text",
    ),
    (
        "Attach a PDF, PNG or JPEG file: this file is none of these.",
        "admin-error-document-type",
    ),
    (
        "A document may be at most 10 MB. Attach a smaller file.",
        "admin-error-document-size",
    ),
    (
        "Write the colour as # and six hexadecimal digits, for example #1f4e79.",
        "admin-error-colour-format",
    ),
    (
        "Give a date and time, like 2026-12-24 18:00 (UTC).",
        "admin-error-date-time",
    ),
    ("Give a time in the future.", "admin-error-time-past"),
    ("Give a time within two years.", "admin-error-time-far"),
    (
        "Give a reason for rejecting: the other organisers see it in the audit trail.",
        "admin-error-reason",
    ),
    (
        "Say whether this is a correction or a change of substance.",
        "admin-error-change-kind",
    ),
    (
        "Use an address of at most 300 characters.",
        "admin-error-website-too-long",
    ),
    (
        "Write the website's address, for example https://example.org.",
        "admin-error-website-format",
    ),
    (
        "Leave the user name and password out of the address.",
        "admin-error-website-credentials",
    ),
    (
        "The logo file is empty. Choose a PNG, JPEG or WebP image.",
        "admin-error-logo-empty",
    ),
    (
        "SVG logos are not accepted (an SVG can carry scripts). Upload a PNG, JPEG or WebP.",
        "admin-error-logo-svg",
    ),
    (
        "That file is not an image. Upload a PNG, JPEG or WebP.",
        "admin-error-logo-not-image",
    ),
];

/// The number in `text` between `before` and `after`, when `text` is exactly that.
fn number_between(text: &str, before: &str, after: &str) -> Option<u64> {
    text.strip_prefix(before)?
        .strip_suffix(after)?
        .trim()
        .parse()
        .ok()
}

/// One of the core's messages in the request's language.
pub fn message(english: &str) -> String {
    if crate::i18n::current() == Lang::En {
        return english.to_owned();
    }
    if let Some((_, key)) = FIXED.iter().find(|(m, _)| *m == english) {
        return t(key);
    }
    if let Some(n) = number_between(english, "Use at most ", " characters.") {
        return t1("admin-error-too-long", "max", n);
    }
    if let Some(n) = number_between(english, "Name at most ", " targets.") {
        return t1("admin-error-too-many-targets", "n", n);
    }
    if let Some(n) = number_between(english, "Name at most ", " categories.") {
        return t1("admin-error-too-many-categories", "n", n);
    }
    if let Some(n) = number_between(english, "Cite at most ", " sources.") {
        return t1("admin-error-too-many-sources", "n", n);
    }
    if let Some(rest) = english.strip_prefix("Line ")
        && let Some((n, error)) = rest.split_once(": ")
        && let Ok(n) = n.parse::<u64>()
    {
        return t2("admin-error-line", "n", n, "error", message(error));
    }
    for (prefix, key) in [
        ("the name: ", "admin-error-target-name"),
        ("the title: ", "admin-error-target-title"),
        ("the organisation: ", "admin-error-target-organisation"),
        ("The reason: ", "admin-error-the-reason"),
    ] {
        if let Some(rest) = english.strip_prefix(prefix) {
            return t1(key, "error", message(rest));
        }
    }
    if let Some(name) = english
        .strip_prefix('“')
        .and_then(|s| s.strip_suffix("” is listed twice."))
    {
        return t1("admin-error-listed-twice", "name", name);
    }
    // A display rule that allows nothing: "Survivor: allow at least one way of showing signers."
    if let Some((name, error)) = english.strip_suffix('.').and_then(|s| s.rsplit_once(": ")) {
        let translated = message(error);
        if translated != error {
            return format!("{name}: {translated}.");
        }
    }
    english.to_owned()
}

/// Every message of `errors` in the request's language.
pub fn localise(errors: FieldErrors) -> FieldErrors {
    let mut localised = FieldErrors::default();
    for (field, english) in errors.iter() {
        localised.add(field, message(english));
    }
    localised
}
