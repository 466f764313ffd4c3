//! The language a letter's text is written in, as a BCP 47 tag (`en`, `es`, `pt-BR`,
//! `ar`, `zh-Hant`): letters, subtags of letters and digits, normalised to the usual case.

use std::fmt;

use serde::Deserialize;

use crate::{
    letter::{FieldErrors, LetterContent},
    text::{Lines, clean},
};

/// A well-formed language tag, normalised: `ES-mx` becomes `es-MX`, `zh-hant` `zh-Hant`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageTag(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LanguageTagError {
    #[error("Enter a language code, like en, es, fr or ar.")]
    Empty,
    #[error(
        "Enter a language code like en, es, pt-BR or ar: letters and digits in parts joined by “-”."
    )]
    Malformed,
}

impl LanguageTag {
    pub const MAX_LEN: usize = 35;

    pub fn parse(input: &str) -> Result<Self, LanguageTagError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(LanguageTagError::Empty);
        }
        if input.len() > Self::MAX_LEN {
            return Err(LanguageTagError::Malformed);
        }
        let mut out = Vec::new();
        for (i, part) in input.split(['-', '_']).enumerate() {
            let well_formed = !part.is_empty()
                && part.len() <= 8
                && part.chars().all(|c| c.is_ascii_alphanumeric());
            if !well_formed {
                return Err(LanguageTagError::Malformed);
            }
            let normalised = if i == 0 {
                // The language itself: two or three letters (or up to eight, registered).
                if part.len() < 2 || !part.chars().all(|c| c.is_ascii_alphabetic()) {
                    return Err(LanguageTagError::Malformed);
                }
                part.to_ascii_lowercase()
            } else if part.len() == 4 && part.chars().all(|c| c.is_ascii_alphabetic()) {
                // A script: Title case.
                let mut s = part[..1].to_ascii_uppercase();
                s.push_str(&part[1..].to_ascii_lowercase());
                s
            } else if part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()) {
                // A region.
                part.to_ascii_uppercase()
            } else {
                part.to_ascii_lowercase()
            };
            out.push(normalised);
        }
        Ok(Self(out.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The language without its script or region (`pt` for `pt-BR`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The organisers' form for a translation, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TranslationInput {
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// A translation that can be saved: its language and its text, checked like the letter's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationContent {
    pub lang: LanguageTag,
    pub title: String,
    pub subject: String,
    pub body_markdown: String,
}

impl TranslationContent {
    pub fn parse(input: &TranslationInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let lang = LanguageTag::parse(&input.lang)
            .map_err(|e| errors.add("lang", e))
            .ok();
        let title = clean(&input.title, 200, Lines::Single)
            .map_err(|e| errors.add("title", e))
            .ok();
        let subject = clean(&input.subject, 200, Lines::Single)
            .map_err(|e| errors.add("subject", e))
            .ok();
        let body = clean(&input.body, LetterContent::MAX_BODY_CHARS, Lines::Multi)
            .map_err(|e| errors.add("body", e))
            .ok();
        match (lang, title, subject, body) {
            (Some(lang), Some(title), Some(subject), Some(body_markdown)) if errors.is_empty() => {
                Ok(Self {
                    lang,
                    title,
                    subject,
                    body_markdown,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_normalised() {
        assert_eq!(
            LanguageTag::parse("ES-mx").map(|t| t.to_string()),
            Ok("es-MX".into())
        );
        assert_eq!(
            LanguageTag::parse(" zh_hant ").map(|t| t.to_string()),
            Ok("zh-Hant".into())
        );
        assert_eq!(
            LanguageTag::parse("ar").map(|t| t.primary().to_owned()),
            Ok("ar".into())
        );
        assert_eq!(LanguageTag::parse(""), Err(LanguageTagError::Empty));
        for bad in [
            "e",
            "1a",
            "en--GB",
            "en GB",
            "español",
            "en-<b>",
            "x-toolongsubtag",
            &"a".repeat(40),
        ] {
            assert_eq!(
                LanguageTag::parse(bad),
                Err(LanguageTagError::Malformed),
                "{bad}"
            );
        }
    }
}
