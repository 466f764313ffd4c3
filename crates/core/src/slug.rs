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

    /// Derives a slug from a title: ASCII letters and digits kept (lower-cased), everything
    /// else becomes a hyphen; truncated to 64 characters. Falls back to "letter" when the
    /// title has too few ASCII letters or digits.
    pub fn from_title(title: &str) -> Self {
        let mut out = String::new();
        for c in title.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
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
    }
}
