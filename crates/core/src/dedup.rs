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
        DuplicateKey(self.mac(purpose, &email.normalised()))
    }

    /// The key that finds an organisation's earlier signature of a letter: its website
    /// domain, whoever signs for it.
    pub fn organisation_key(&self, domain: &crate::organisation::WebsiteDomain) -> DuplicateKey {
        DuplicateKey(self.mac("organisation", domain.as_str()))
    }

    /// The key that limits on email count a recipient by: the mailbox without any `+tag`
    /// ([`EmailAddress::untagged`]), so that `name+1@`, `name+2@` … share one budget on
    /// every domain.
    pub fn recipient_key(&self, email: &EmailAddress) -> RecipientKey {
        RecipientKey(self.mac("recipient", &email.untagged()))
    }

    /// The key that the cap on sign-ups per recipient domain counts by: 64 bits of a keyed
    /// hash of the domain, so that the database never holds the domain in clear.
    pub fn domain_key(&self, email: &EmailAddress) -> DomainKey {
        let mac = self.mac("domain", email.normalised_domain());
        let mut first = [0u8; 8];
        first.copy_from_slice(&mac[..8]);
        DomainKey(i64::from_be_bytes(first))
    }

    fn mac(&self, purpose: &str, text: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().into()
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

/// HMAC-SHA-256 of a recipient's mailbox without `+tags`: what the per-recipient email
/// budget is kept by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecipientKey(pub [u8; 32]);

/// 64 bits of an HMAC-SHA-256 of a recipient's domain: what the per-domain cap is kept by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainKey(pub i64);

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

    #[test]
    fn plus_tags_share_a_recipient_key_on_every_domain_but_not_a_duplicate_key() {
        let secret = DuplicateKeySecret::from_bytes([7; 32]);
        let parse = |s: &str| EmailAddress::parse(s).unwrap();
        let (one, two) = (
            parse("victim+1@shelter.example"),
            parse("Victim+2@shelter.example"),
        );
        assert_eq!(secret.recipient_key(&one), secret.recipient_key(&two));
        assert_eq!(
            secret.recipient_key(&one),
            secret.recipient_key(&parse("victim@shelter.example"))
        );
        assert_ne!(secret.key("signature", &one), secret.key("signature", &two));
        assert_ne!(
            secret.recipient_key(&one),
            secret.recipient_key(&parse("other@shelter.example"))
        );
        // One domain, one key; googlemail.com is gmail.com.
        assert_eq!(
            secret.domain_key(&one),
            secret.domain_key(&parse("x@Shelter.example"))
        );
        assert_ne!(
            secret.domain_key(&one),
            secret.domain_key(&parse("x@example.org"))
        );
        assert_eq!(
            secret.domain_key(&parse("a@gmail.com")),
            secret.domain_key(&parse("b@googlemail.com"))
        );
        let other = DuplicateKeySecret::from_bytes([8; 32]);
        assert_ne!(secret.domain_key(&one), other.domain_key(&one));
    }
}
