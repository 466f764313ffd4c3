//! The name of a stored logo: the SHA-256 of its (re-encoded) PNG bytes. Logos are public
//! and immutable, so the name is also their cache key.

use std::{fmt, str::FromStr};

/// A logo's content hash, as 64 lower-case hex digits in addresses (`/logos/{hex}.png`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogoRef([u8; 32]);

/// Text that is not a logo's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a logo name (64 hex digits)")]
pub struct NotALogoRef;

impl LogoRef {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The hash as stored.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a stored hash back (a column that is not 32 bytes long is not a logo's name).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, NotALogoRef> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| NotALogoRef)
    }

    /// The address the logo is served at.
    pub fn path(&self) -> String {
        format!("/logos/{self}.png")
    }
}

impl fmt::Display for LogoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for LogoRef {
    type Err = NotALogoRef;

    /// 64 lower-case hex digits, nothing else (so one logo has one address).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.as_bytes();
        if digits.len() != 64 {
            return Err(NotALogoRef);
        }
        let value = |d: u8| match d {
            b'0'..=b'9' => Ok(d - b'0'),
            b'a'..=b'f' => Ok(d - b'a' + 10),
            _ => Err(NotALogoRef),
        };
        let mut bytes = [0u8; 32];
        for (i, pair) in digits.chunks_exact(2).enumerate() {
            bytes[i] = value(pair[0])? << 4 | value(pair[1])?;
        }
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_refuse_other_spellings() {
        let logo = LogoRef::from_bytes([0xab; 32]);
        let text = logo.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<LogoRef>(), Ok(logo));
        assert_eq!(logo.path(), format!("/logos/{text}.png"));
        assert!(text.to_uppercase().parse::<LogoRef>().is_err());
        assert!(text[..62].parse::<LogoRef>().is_err());
        assert!(format!("{text}0").parse::<LogoRef>().is_err());
        assert!("zz".repeat(32).parse::<LogoRef>().is_err());
        assert!(LogoRef::from_slice(&[1; 31]).is_err());
    }
}
