//! Bounded, cleaned user text.
//!
//! All free text that a user types goes through [`clean`]: surrounding white space is trimmed,
//! runs of white space inside a single-line value become one space, control characters are
//! refused, and the length is bounded in characters (not bytes).

use std::fmt;

/// Why a piece of text was refused. The messages are shown next to the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("This field is required.")]
    Empty,
    #[error("Use at most {max} characters.")]
    TooLong { max: usize },
    #[error("Remove the control characters from this field.")]
    ControlCharacters,
}

/// Whether line breaks are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// Cleans `input` and checks its length. An empty result is an error; callers that accept an
/// empty optional value check for emptiness first (see [`clean_optional`]).
pub fn clean(input: &str, max_chars: usize, lines: Lines) -> Result<String, TextError> {
    let cleaned = match lines {
        Lines::Single => {
            if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
                return Err(TextError::ControlCharacters);
            }
            input.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        Lines::Multi => {
            if input
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(TextError::ControlCharacters);
            }
            input
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .trim()
                .to_owned()
        }
    };
    if cleaned.is_empty() {
        return Err(TextError::Empty);
    }
    if cleaned.chars().count() > max_chars {
        return Err(TextError::TooLong { max: max_chars });
    }
    Ok(cleaned)
}

/// Like [`clean`], but white space only means "not given".
pub fn clean_optional(
    input: &str,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, TextError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    clean(input, max_chars, lines).map(Some)
}

/// A person's name as they want it shown: 1 to 100 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        clean(input, Self::MAX_CHARS, Lines::Single).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "Jane Q. Doe" becomes "J. Q. D.": the first letter of each word, upper-cased.
    /// Words that start with no letter (digits, punctuation) are skipped.
    pub fn initials(&self) -> String {
        let letters: Vec<String> = self
            .0
            .split_whitespace()
            .filter_map(|word| word.chars().find(|c| c.is_alphabetic()))
            .map(|c| format!("{}.", c.to_uppercase()))
            .collect();
        if letters.is_empty() {
            // A name with no letters at all still gets a placeholder, never the name itself.
            "?".to_owned()
        } else {
            letters.join(" ")
        }
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_collapses_white_space() {
        assert_eq!(
            clean("  Ada \t  Lovelace\n", 50, Lines::Single).unwrap(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn multi_line_keeps_line_breaks() {
        assert_eq!(clean(" a\r\nb \n", 50, Lines::Multi).unwrap(), "a\nb");
    }

    #[test]
    fn refuses_control_characters_empty_and_long() {
        assert_eq!(
            clean("a\u{0}b", 10, Lines::Single),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(clean("   ", 10, Lines::Single), Err(TextError::Empty));
        assert_eq!(
            clean("ééééé", 4, Lines::Single),
            Err(TextError::TooLong { max: 4 })
        );
        assert_eq!(clean("ééééé", 5, Lines::Single).unwrap(), "ééééé");
    }

    #[test]
    fn optional_blank_is_none() {
        assert_eq!(clean_optional("  ", 5, Lines::Single), Ok(None));
        assert_eq!(
            clean_optional(" x ", 5, Lines::Single),
            Ok(Some("x".into()))
        );
    }

    #[test]
    fn initials() {
        let name = PersonName::parse("jane  q. doe").unwrap();
        assert_eq!(name.initials(), "J. Q. D.");
        assert_eq!(PersonName::parse("Ægir Þór").unwrap().initials(), "Æ. Þ.");
        assert_eq!(PersonName::parse("123").unwrap().initials(), "?");
    }
}
