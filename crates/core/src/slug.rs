//! URL slugs: `[a-z0-9-]`, 3 to 64 characters, no leading, trailing or doubled hyphen.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("Use 3 to 64 characters: lower-case letters, digits and single hyphens.")]
    Invalid,
    #[error("This address is reserved; choose another.")]
    Reserved,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// Slugs that would be confusing next to the site's own pages.
const RESERVED: &[&str] = &["new", "admin", "api", "static", "well-known"];

impl Slug {
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let s = input.trim();
        let valid = (3..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !valid {
            return Err(SlugError::Invalid);
        }
        if RESERVED.contains(&s) {
            return Err(SlugError::Reserved);
        }
        Ok(Self(s.to_owned()))
    }

    /// Derives a slug from a title: letters of any script are transliterated to ASCII
    /// ("Investigación" → "investigacion", "Расследование" → "rassledovanie", "調査" →
    /// "diao-cha"), letters and digits kept (lower-cased), everything else becomes a hyphen;
    /// truncated to 64 characters. Falls back to "letter" when the title has too few letters
    /// or digits.
    pub fn from_title(title: &str) -> Self {
        let mut out = String::new();
        for c in title.chars() {
            // Only letters and digits are transliterated: symbols and emoji ("✊" would
            // become "fist") separate words like punctuation.
            let ascii = if c.is_ascii() {
                std::borrow::Cow::Owned(c.to_string())
            } else if c.is_alphanumeric() {
                std::borrow::Cow::Borrowed(deunicode::deunicode_char(c).unwrap_or(" "))
            } else {
                std::borrow::Cow::Borrowed(" ")
            };
            // A transliteration of several words ("Diao Cha ") gives several words.
            for b in ascii.chars() {
                if b.is_ascii_alphanumeric() {
                    out.push(b.to_ascii_lowercase());
                } else if !out.ends_with('-') && !out.is_empty() {
                    out.push('-');
                }
            }
        }
        out.truncate(64);
        let out = out.trim_end_matches('-');
        Self::parse(out).unwrap_or_else(|_| Self("letter".to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        assert!(Slug::parse("open-letter-2026").is_ok());
        for bad in [
            "ab",
            "Upper",
            "a--b",
            "-ab",
            "ab-",
            "a b c",
            "ünï",
            &"a".repeat(65),
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError::Invalid), "{bad}");
        }
        assert_eq!(Slug::parse("admin"), Err(SlugError::Reserved));
    }

    #[test]
    fn from_title() {
        assert_eq!(
            Slug::from_title("Investigate the Commissioner — now!").as_str(),
            "investigate-the-commissioner-now"
        );
        assert_eq!(Slug::from_title("¿?").as_str(), "letter");
        // Letters of other scripts are transliterated, not dropped.
        assert_eq!(
            Slug::from_title("Investigación independiente: ¡ya!").as_str(),
            "investigacion-independiente-ya"
        );
        assert_eq!(
            Slug::from_title("Straße & Łódź — Ærø").as_str(),
            "strasse-lodz-aero"
        );
        assert_eq!(Slug::from_title("Расследование").as_str(), "rassledovanie");
        let arabic = Slug::from_title("تحقيق مستقل");
        assert!(Slug::parse(arabic.as_str()).is_ok(), "{arabic}");
        assert_ne!(arabic.as_str(), "letter");
        let chinese = Slug::from_title("独立调查");
        assert!(chinese.as_str().contains('-'), "{chinese}");
        // Emoji and symbols carry no letters.
        assert_eq!(Slug::from_title("✊✊✊").as_str(), "letter");
        // Long transliterations stay within 64 characters and end cleanly.
        let long = Slug::from_title(&"Ω".repeat(100));
        assert!(long.as_str().len() <= 64 && !long.as_str().ends_with('-'));
    }
}
