//! A new text for a published letter, as the organiser's form gives it: the title, subject
//! line and body, whether the change is a correction or a change of substance (the organiser
//! must say which), and an optional short note shown publicly.

use serde::Deserialize;

use crate::{
    letter::{FieldErrors, LetterContent},
    text::{Lines, clean, clean_optional},
};

/// The longest public note on a version, in characters.
pub const MAX_NOTE_CHARS: usize = 280;

/// What the form sends, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TextEditInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// `correction` or `substantive`; anything else (or nothing) is an error.
    #[serde(default)]
    pub change: String,
    #[serde(default)]
    pub note: String,
}

/// A validated new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEditContent {
    pub title: String,
    pub subject: String,
    pub body_markdown: String,
    /// True for a change of substance (earlier signers are asked to re-confirm).
    pub substantive: bool,
    pub note: Option<String>,
}

impl TextEditContent {
    /// Validates the form, collecting a message for every wrong field.
    pub fn parse(input: &TextEditInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = clean(&input.title, 200, Lines::Single)
            .map_err(|e| errors.add("title", e))
            .ok();
        let subject = clean(&input.subject, 200, Lines::Single)
            .map_err(|e| errors.add("subject", e))
            .ok();
        let body = clean(&input.body, LetterContent::MAX_BODY_CHARS, Lines::Multi)
            .map_err(|e| errors.add("body", e))
            .ok();
        let substantive = match input.change.as_str() {
            "correction" => Some(false),
            "substantive" => Some(true),
            _ => {
                errors.add(
                    "change",
                    "Say whether this is a correction or a change of substance.",
                );
                None
            }
        };
        let note = clean_optional(&input.note, MAX_NOTE_CHARS, Lines::Single)
            .map_err(|e| errors.add("note", e))
            .ok();
        match (title, subject, body, substantive, note) {
            (Some(title), Some(subject), Some(body_markdown), Some(substantive), Some(note))
                if errors.is_empty() =>
            {
                Ok(Self {
                    title,
                    subject,
                    body_markdown,
                    substantive,
                    note,
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
    fn needs_a_choice_and_a_body() {
        let errors = TextEditContent::parse(&TextEditInput {
            title: "T".into(),
            subject: "S".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(errors.get("body").is_some());
        assert!(errors.get("change").is_some());
        let ok = TextEditContent::parse(&TextEditInput {
            title: " T ".into(),
            subject: "S".into(),
            body: "B\r\nC".into(),
            change: "substantive".into(),
            note: " ".into(),
        })
        .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.body_markdown.as_str()),
            ("T", "B\nC")
        );
        assert!(ok.substantive && ok.note.is_none());
    }
}
