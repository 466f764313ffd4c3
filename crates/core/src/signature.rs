//! Signatures: display levels, states, the validated signing form, and what the public sees.

use std::{fmt, str::FromStr};

use serde::Deserialize;

use crate::{
    email::EmailAddress,
    letter::{FieldErrors, FieldRequirement, SignerField, SignerFields},
    text::{PersonName, clean_optional},
    unknown::{UnknownValue, parse_name},
};

/// How much of a signer the public sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisplayLevel {
    /// Name and every detail they gave.
    Public,
    /// Initials ("J. D.") and city only.
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
}

impl SignInput {
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
    /// Validates the signing form against the letter's categories and signer fields.
    /// Hidden fields are ignored even when posted.
    pub fn parse(
        input: &SignInput,
        category_ids: &[i64],
        fields: &SignerFields,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = PersonName::parse(&input.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let email = EmailAddress::parse(&input.email)
            .map_err(|e| errors.add("email", e))
            .ok();
        let category_id = input
            .category
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| category_ids.contains(id));
        if category_id.is_none() {
            errors.add("category", "Choose how you sign.");
        }
        let display = input.display.parse::<DisplayLevel>().ok();
        if display.is_none() {
            errors.add("display", "Choose how your name is shown.");
        }
        let mut details = SignerDetails::default();
        for field in SignerField::ALL {
            let requirement = fields.get(field);
            if requirement == FieldRequirement::Hidden {
                continue;
            }
            match clean_optional(input.field(field), field.max_chars(), field.lines()) {
                Ok(None) if requirement == FieldRequirement::Required => {
                    errors.add(field.key(), "This field is required.")
                }
                Ok(value) => *details.slot(field) = value,
                Err(e) => errors.add(field.key(), e),
            }
        }
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
/// Private signers are never shown (`None`); initials-level signers show their initials and
/// city only.
pub fn public_display(
    name: &str,
    details: &SignerDetails,
    level: DisplayLevel,
) -> Option<PublicSigner> {
    match level {
        DisplayLevel::Private => None,
        DisplayLevel::Initials => Some(PublicSigner {
            shown_name: PersonName::parse(name)
                .map(|n| n.initials())
                .unwrap_or_else(|_| "?".to_owned()),
            details: details.city.clone(),
            comment: None,
        }),
        DisplayLevel::Public => {
            let place = match (&details.city, &details.country) {
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

    #[test]
    fn parses_and_drops_hidden_fields() {
        let sig = NewSignature::parse(&input(), &[7, 8], &SignerFields::default()).unwrap();
        assert_eq!(sig.display, DisplayLevel::Initials);
        assert_eq!(sig.details.city.as_deref(), Some("Lyon"));
        // Comments are hidden by default.
        assert_eq!(sig.details.comment, None);
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
        let errors = NewSignature::parse(&bad, &[7], &fields).unwrap_err();
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
    }
}
