//! Duplicate keys: a keyed hash (HMAC-SHA-256) of the normalised email address, so that the
//! same mailbox signing twice is found without the address being the lookup key.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::email::EmailAddress;

/// The instance's secret for duplicate keys (32 random bytes, kept outside the database).
#[derive(Clone)]
pub struct DuplicateKeySecret([u8; 32]);

impl DuplicateKeySecret {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key for `email`, domain-separated by `purpose` (e.g. "signature" or "login").
    pub fn key(&self, purpose: &str, email: &EmailAddress) -> DuplicateKey {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(email.normalised().as_bytes());
        DuplicateKey(mac.finalize().into_bytes().into())
    }
}

impl std::fmt::Debug for DuplicateKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DuplicateKeySecret(..)")
    }
}

/// HMAC-SHA-256 of a normalised email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DuplicateKey(pub [u8; 32]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_mailbox_same_key() {
        let secret = DuplicateKeySecret::from_bytes([7; 32]);
        let a = EmailAddress::parse("Jane.Doe+x@gmail.com").unwrap();
        let b = EmailAddress::parse("janedoe@googlemail.com").unwrap();
        let c = EmailAddress::parse("jane@example.org").unwrap();
        assert_eq!(secret.key("signature", &a), secret.key("signature", &b));
        assert_ne!(secret.key("signature", &a), secret.key("signature", &c));
        assert_ne!(secret.key("signature", &a), secret.key("login", &a));
        let other = DuplicateKeySecret::from_bytes([8; 32]);
        assert_ne!(secret.key("signature", &a), other.key("signature", &a));
    }
}
