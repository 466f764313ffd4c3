//! Signatures: display levels, states, the validated signing form, and what the public sees.

use std::{fmt, str::FromStr};

use serde::Deserialize;

use crate::{
    email::EmailAddress,
    letter::{FieldErrors, FieldRequirement, SignerField, SignerFields},
    text::{PersonName, initials, signer_text_optional},
    unknown::{UnknownValue, parse_name},
};

/// How much of a signer the public sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisplayLevel {
    /// Name and every detail they gave.
    Public,
    /// Initials ("J. D."), and their city only if they ask for it.
    Initials,
    /// Counted and verifiable, never shown. Organisers still see who it is.
    Private,
}

impl DisplayLevel {
    pub const ALL: [DisplayLevel; 3] = [Self::Public, Self::Initials, Self::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Initials => "initials",
            Self::Private => "private",
        }
    }
}

/// What organisers allow the signers of one category: which display levels they may choose,
/// and whether their city may be shown at all. Survivors, say: initials or private, no city.
/// At least one level is always allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DisplayRule {
    public: bool,
    initials: bool,
    private: bool,
    city: bool,
}

/// A display rule that allows no display level at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("allow at least one way of showing signers")]
pub struct NoLevelAllowed;

impl Default for DisplayRule {
    /// Every level, and the city: what a new category, or one made before rules existed,
    /// allows.
    fn default() -> Self {
        Self::ALL
    }
}

impl DisplayRule {
    /// Every level, and the city.
    pub const ALL: DisplayRule = DisplayRule {
        public: true,
        initials: true,
        private: true,
        city: true,
    };

    /// The rule allowing `levels` (at least one), and the city if `city`.
    pub fn new(
        levels: impl IntoIterator<Item = DisplayLevel>,
        city: bool,
    ) -> Result<Self, NoLevelAllowed> {
        let mut rule = DisplayRule {
            public: false,
            initials: false,
            private: false,
            city,
        };
        for level in levels {
            *rule.slot(level) = true;
        }
        if rule.levels().next().is_none() {
            return Err(NoLevelAllowed);
        }
        Ok(rule)
    }

    fn slot(&mut self, level: DisplayLevel) -> &mut bool {
        match level {
            DisplayLevel::Public => &mut self.public,
            DisplayLevel::Initials => &mut self.initials,
            DisplayLevel::Private => &mut self.private,
        }
    }

    /// Whether a signer of this category may choose `level`.
    pub fn allows(self, level: DisplayLevel) -> bool {
        match level {
            DisplayLevel::Public => self.public,
            DisplayLevel::Initials => self.initials,
            DisplayLevel::Private => self.private,
        }
    }

    /// The allowed levels, from most to least shown.
    pub fn levels(self) -> impl Iterator<Item = DisplayLevel> {
        DisplayLevel::ALL
            .into_iter()
            .filter(move |l| self.allows(*l))
    }

    /// Whether a signer's city may be shown at all.
    pub fn city(self) -> bool {
        self.city
    }

    /// The allowed levels as stored: their names, separated by spaces ("initials private").
    pub fn levels_text(self) -> String {
        self.levels()
            .map(DisplayLevel::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads [`DisplayRule::levels_text`] back, with the city choice.
    pub fn from_levels_text(levels: &str, city: bool) -> Result<Self, UnknownValue> {
        let levels = levels
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<Vec<DisplayLevel>, _>>()?;
        Self::new(levels, city).map_err(|_| UnknownValue {
            kind: "display rule",
            value: String::new(),
        })
    }

    /// The allowed levels in words: "in full, as initials or not at all".
    pub fn describe_levels(self) -> String {
        let ways: Vec<&str> = self
            .levels()
            .map(|l| match l {
                DisplayLevel::Public => "in full",
                DisplayLevel::Initials => "as initials",
                DisplayLevel::Private => "not at all",
            })
            .collect();
        match ways.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        }
    }

    /// The whole rule in words, for signers and organisers: "as initials or not at all;
    /// city never shown".
    pub fn describe(self) -> String {
        if self.city {
            self.describe_levels()
        } else {
            format!("{}; city never shown", self.describe_levels())
        }
    }
}

impl FromStr for DisplayLevel {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "display level", s)
    }
}

impl fmt::Display for DisplayLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a signature is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureState {
    /// The email address is not confirmed yet.
    Pending,
    /// Confirmed, waiting for the next step (moderation, when the letter holds signatures).
    Confirmed,
    /// Confirmed and held for a moderator.
    Held,
    /// Counted and shown at its display level.
    Published,
    /// Removed from public view by a moderator.
    Hidden,
    /// Refused by a moderator.
    Rejected,
    /// Taken back by the signer.
    Withdrawn,
}

impl SignatureState {
    pub const ALL: [SignatureState; 7] = [
        Self::Pending,
        Self::Confirmed,
        Self::Held,
        Self::Published,
        Self::Hidden,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Held => "held",
            Self::Published => "published",
            Self::Hidden => "hidden",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Whether the signature counts towards the letter's public totals.
    pub fn is_counted(self) -> bool {
        self == Self::Published
    }
}

impl FromStr for SignatureState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "signature state", s)
    }
}

/// The signing form as posted, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub display: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub affiliation: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub comment: String,
    /// The "show my city with my initials" box: ticked when not empty.
    #[serde(default)]
    pub show_city: String,
    /// Who signs: `organisation` for the organisation form, anything else for a person.
    #[serde(default)]
    pub signer: String,
    /// The organisation form: the organisation's name, its website, and the "I am
    /// authorised to sign for this organisation" box (ticked when not empty).
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub authorised: String,
    /// The "Email me updates about this letter" box: ticked when not empty.
    #[serde(default)]
    pub updates: String,
}

impl SignInput {
    /// Whether the signer ticked "Email me updates about this letter".
    pub fn wants_updates(&self) -> bool {
        !self.updates.trim().is_empty()
    }

    /// Whether this is the organisation form.
    pub fn for_organisation(&self) -> bool {
        self.signer.trim() == "organisation"
    }

    fn field(&self, field: SignerField) -> &str {
        match field {
            SignerField::Title => &self.title,
            SignerField::Affiliation => &self.affiliation,
            SignerField::City => &self.city,
            SignerField::Country => &self.country,
            SignerField::Comment => &self.comment,
        }
    }
}

/// The optional details of a signer, as the letter asked for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignerDetails {
    pub title: Option<String>,
    pub affiliation: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub comment: Option<String>,
    /// Whether the public may see the city: the category allows it and, for initials, the
    /// signer asked for it. Organisers always see it.
    pub show_city: bool,
}

impl SignerDetails {
    fn slot(&mut self, field: SignerField) -> &mut Option<String> {
        match field {
            SignerField::Title => &mut self.title,
            SignerField::Affiliation => &mut self.affiliation,
            SignerField::City => &mut self.city,
            SignerField::Country => &mut self.country,
            SignerField::Comment => &mut self.comment,
        }
    }
}

/// A valid individual signature, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignature {
    pub name: PersonName,
    pub email: EmailAddress,
    pub category_id: i64,
    pub display: DisplayLevel,
    pub details: SignerDetails,
}

impl NewSignature {
    /// Validates the signing form against the letter's categories (with each one's display
    /// rule) and signer fields. Hidden fields are ignored even when posted; a display level
    /// the category does not allow is a field error.
    pub fn parse(
        input: &SignInput,
        categories: &[(i64, DisplayRule)],
        fields: &SignerFields,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = PersonName::parse(&input.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let email = EmailAddress::parse(&input.email)
            .map_err(|e| errors.add("email", e))
            .ok();
        let category = input
            .category
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| categories.iter().find(|(known, _)| *known == id));
        if category.is_none() {
            errors.add("category", "Choose how you sign.");
        }
        let category_id = category.map(|(id, _)| *id);
        let mut display = input.display.parse::<DisplayLevel>().ok();
        match (display, category) {
            (None, _) => errors.add("display", "Choose how your name is shown."),
            (Some(level), Some((_, rule))) if !rule.allows(level) => {
                display = None;
                errors.add(
                    "display",
                    format!(
                        "For the category you chose, your name can be shown {}. Choose one of these.",
                        rule.describe_levels()
                    ),
                );
            }
            _ => {}
        }
        let mut details = SignerDetails::default();
        for field in SignerField::ALL {
            let requirement = fields.get(field);
            if requirement == FieldRequirement::Hidden {
                continue;
            }
            match signer_text_optional(input.field(field), field.max_chars(), field.lines()) {
                Ok(None) if requirement == FieldRequirement::Required => {
                    errors.add(field.key(), "This field is required.")
                }
                Ok(value) => *details.slot(field) = value,
                Err(e) => errors.add(field.key(), e),
            }
        }
        let ticked = !input.show_city.trim().is_empty();
        details.show_city = match (category, display) {
            (Some((_, rule)), Some(DisplayLevel::Public)) => rule.city(),
            (Some((_, rule)), Some(DisplayLevel::Initials)) => rule.city() && ticked,
            _ => false,
        } && details.city.is_some();
        match (name, email, category_id, display) {
            (Some(name), Some(email), Some(category_id), Some(display)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    email,
                    category_id,
                    display,
                    details,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What the public sees of one signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicSigner {
    /// The full name, or initials.
    pub shown_name: String,
    /// Title, affiliation and place, joined for display ("Director, Example Trust, Lyon").
    pub details: Option<String>,
    pub comment: Option<String>,
}

/// Applies a signer's display level: the one place that decides what the public sees.
/// Private signers are never shown (`None`); initials-level signers show their initials, and
/// their city only when [`SignerDetails::show_city`] says so (as it does for public signers
/// whose category allows a city).
pub fn public_display(
    name: &str,
    details: &SignerDetails,
    level: DisplayLevel,
) -> Option<PublicSigner> {
    let city = details.city.as_ref().filter(|_| details.show_city);
    match level {
        DisplayLevel::Private => None,
        DisplayLevel::Initials => Some(PublicSigner {
            shown_name: initials(name),
            details: city.cloned(),
            comment: None,
        }),
        DisplayLevel::Public => {
            let place = match (city, &details.country) {
                (Some(city), Some(country)) => Some(format!("{city}, {country}")),
                (Some(one), None) | (None, Some(one)) => Some(one.clone()),
                (None, None) => None,
            };
            let parts: Vec<&str> = [&details.title, &details.affiliation, &place]
                .into_iter()
                .filter_map(|p| p.as_deref())
                .collect();
            Some(PublicSigner {
                shown_name: name.to_owned(),
                details: (!parts.is_empty()).then(|| parts.join(", ")),
                comment: details.comment.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SignInput {
        SignInput {
            name: "Jane Doe".into(),
            email: "jane@example.org".into(),
            category: "7".into(),
            display: "initials".into(),
            city: "Lyon".into(),
            title: "Director".into(),
            comment: "secret".into(),
            ..Default::default()
        }
    }

    const ANY: [(i64, DisplayRule); 2] = [(7, DisplayRule::ALL), (8, DisplayRule::ALL)];

    #[test]
    fn parses_and_drops_hidden_fields() {
        let sig = NewSignature::parse(&input(), &ANY, &SignerFields::default()).unwrap();
        assert_eq!(sig.display, DisplayLevel::Initials);
        assert_eq!(sig.details.city.as_deref(), Some("Lyon"));
        // Comments are hidden by default.
        assert_eq!(sig.details.comment, None);
        // Initials show no city unless the signer ticks the box.
        assert!(!sig.details.show_city);
    }

    #[test]
    fn the_city_is_shown_as_the_signer_and_the_category_allow() {
        let no_city = DisplayRule::new(DisplayLevel::ALL, false).unwrap();
        let rules = [(7, DisplayRule::ALL), (8, no_city)];
        let fields = SignerFields::default();
        let shows = |display: &str, ticked: &str, category: &str| {
            let input = SignInput {
                display: display.into(),
                show_city: ticked.into(),
                category: category.into(),
                ..input()
            };
            NewSignature::parse(&input, &rules, &fields)
                .unwrap()
                .details
                .show_city
        };
        assert!(shows("initials", "on", "7"));
        assert!(!shows("initials", "", "7"));
        assert!(shows("public", "", "7"));
        assert!(!shows("private", "on", "7"));
        assert!(!shows("initials", "on", "8"));
        assert!(!shows("public", "", "8"));
    }

    #[test]
    fn a_level_the_category_forbids_is_a_field_error() {
        let survivors =
            DisplayRule::new([DisplayLevel::Initials, DisplayLevel::Private], false).unwrap();
        let rules = [(7, DisplayRule::ALL), (8, survivors)];
        let input = SignInput {
            display: "public".into(),
            category: "8".into(),
            ..input()
        };
        let errors = NewSignature::parse(&input, &rules, &SignerFields::default()).unwrap_err();
        assert_eq!(
            errors.get("display"),
            Some(
                "For the category you chose, your name can be shown as initials or not at all. Choose one of these."
            )
        );
    }

    #[test]
    fn display_rules_read_back_and_need_a_level() {
        let rule =
            DisplayRule::new([DisplayLevel::Private, DisplayLevel::Initials], false).unwrap();
        assert_eq!(rule.levels_text(), "initials private");
        assert_eq!(
            DisplayRule::from_levels_text(&rule.levels_text(), false),
            Ok(rule)
        );
        assert_eq!(DisplayRule::new([], true), Err(NoLevelAllowed));
        assert!(DisplayRule::from_levels_text("", true).is_err());
        assert!(DisplayRule::from_levels_text("loud", true).is_err());
        assert_eq!(
            DisplayRule::ALL.describe(),
            "in full, as initials or not at all"
        );
        assert_eq!(
            rule.describe(),
            "as initials or not at all; city never shown"
        );
    }

    #[test]
    fn reports_every_wrong_field() {
        let fields = SignerFields {
            country: FieldRequirement::Required,
            ..Default::default()
        };
        let bad = SignInput {
            category: "9".into(),
            display: "loud".into(),
            title: "x".repeat(121),
            ..Default::default()
        };
        let errors = NewSignature::parse(&bad, &ANY[..1], &fields).unwrap_err();
        for f in ["name", "email", "category", "display", "title", "country"] {
            assert!(errors.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn display_levels() {
        let details = SignerDetails {
            title: Some("Director".into()),
            affiliation: Some("Example Trust".into()),
            city: Some("Lyon".into()),
            country: Some("France".into()),
            comment: Some("Solidarity".into()),
            show_city: true,
        };
        let public = public_display("Jane Doe", &details, DisplayLevel::Public).unwrap();
        assert_eq!(public.shown_name, "Jane Doe");
        assert_eq!(
            public.details.as_deref(),
            Some("Director, Example Trust, Lyon, France")
        );
        let initials = public_display("Jane Doe", &details, DisplayLevel::Initials).unwrap();
        assert_eq!(initials.shown_name, "J. D.");
        assert_eq!(initials.details.as_deref(), Some("Lyon"));
        assert_eq!(initials.comment, None);
        assert_eq!(
            public_display("Jane Doe", &details, DisplayLevel::Private),
            None
        );
        let hidden_city = SignerDetails {
            show_city: false,
            ..details
        };
        let initials = public_display("Jane Doe", &hidden_city, DisplayLevel::Initials).unwrap();
        assert_eq!(initials.details, None);
        let public = public_display("Jane Doe", &hidden_city, DisplayLevel::Public).unwrap();
        assert_eq!(
            public.details.as_deref(),
            Some("Director, Example Trust, France")
        );
    }
}
