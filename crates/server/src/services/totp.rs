//! The organisers' optional second factor: RFC 6238 codes (totp-rs, SHA-1, 6 digits, 30-second
//! steps, one step of skew: what every authenticator app understands) and single-use
//! recovery codes.
//!
//! Recovery codes are random (10 characters from a 32-letter alphabet, 50 bits), not chosen
//! by people, so a SHA-256 of each is as safe to store as a link's token hash: Argon2 is for
//! guessable secrets, and would cost ten slow hashes per attempt here.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

use crate::secrets::random_bytes;

/// How many recovery codes an organiser gets.
pub const RECOVERY_CODES: usize = 10;
/// The letters of recovery codes (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("the stored second factor secret is not valid")]
    Secret,
}

/// A second factor's secret and what checks its codes.
pub struct SecondFactor {
    totp: Totp,
}

impl SecondFactor {
    /// A new random secret (160 bits, as RFC 4226 recommends), base32.
    pub fn new_secret() -> String {
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&random_bytes()[..20]);
        Secret::new_stack(bytes).to_base32()
    }

    /// The second factor with this base32 secret.
    pub fn from_secret(secret: &str) -> Result<Self, TotpError> {
        let secret = Secret::try_from_base32(secret).map_err(|_| TotpError::Secret)?;
        let totp = Builder::new()
            .with_secret(secret)
            .build()
            .map_err(|_| TotpError::Secret)?;
        Ok(Self { totp })
    }

    /// The time step whose code `code` is at `now` (a step either side allowed), if it is
    /// one. Spaces in the code are ignored; anything but 6 digits is simply wrong.
    pub fn check(&self, code: &str, now: i64) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = u64::try_from(now).ok()?;
        self.totp
            .check(&code, now)
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The current code (for tests and the demo).
    pub fn code(&self, now: i64) -> String {
        self.totp
            .generate(u64::try_from(now).unwrap_or(0))
            .to_string()
    }
}

/// The `otpauth://` URI an authenticator app reads (as a QR code, or pasted).
pub fn otpauth_uri(secret: &str, issuer: &str, account: &str) -> String {
    let issuer_enc = utf8_percent_encode(issuer, NON_ALPHANUMERIC);
    let account_enc = utf8_percent_encode(account, NON_ALPHANUMERIC);
    format!(
        "otpauth://totp/{issuer_enc}:{account_enc}?secret={secret}&issuer={issuer_enc}\
         &algorithm=SHA1&digits=6&period=30"
    )
}

/// Fresh recovery codes, shown once: `XXXXX-XXXXX`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes = random_bytes();
            let letters: String = bytes[..10]
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &letters[..5], &letters[5..])
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its letters, upper-cased, without
/// dashes or spaces (so that however it is typed, it matches). None for anything that
/// cannot be a code.
pub fn recovery_hash(code: &str) -> Option<[u8; 32]> {
    let letters: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == 10 && letters.bytes().all(|b| ALPHABET.contains(&b)))
        .then(|| Sha256::digest(letters.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_check_within_a_step() {
        let secret = SecondFactor::new_secret();
        let factor = SecondFactor::from_secret(&secret).unwrap();
        let now = 1_800_000_000;
        let code = factor.code(now);
        assert_eq!(factor.check(&code, now), Some(now / 30));
        assert!(factor.check(&code, now + 30).is_some(), "one step of skew");
        assert!(factor.check(&code, now + 300).is_none());
        assert!(factor.check("12345", now).is_none());
        assert!(factor.check("abcdef", now).is_none());
    }

    #[test]
    fn recovery_codes_match_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let code = &codes[0];
        let hash = recovery_hash(code).unwrap();
        assert_eq!(recovery_hash(&code.to_lowercase()), Some(hash));
        assert_eq!(recovery_hash(&code.replace('-', " ")), Some(hash));
        assert!(recovery_hash("not a code").is_none());
    }

    #[test]
    fn uri_escapes_names() {
        let uri = otpauth_uri("ABC", "Letters & Co", "a@example.org");
        assert!(uri.starts_with("otpauth://totp/Letters%20%26%20Co:a%40example%2Eorg?secret=ABC"));
    }
}
