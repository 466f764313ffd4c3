//! Email addresses: validated on parse, and normalised for finding duplicates.

use std::fmt;

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter your email address.")]
    Empty,
    #[error("Enter an email address like name@example.org.")]
    Invalid,
    #[error("This email address is too long.")]
    TooLong,
}

/// A syntactically plausible email address (ASCII, one `@`, a dotted domain).
/// The local part keeps its case; the domain is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    local: String,
    domain: String,
}

/// Providers where dots in the local part are ignored (the mailbox is the same).
const DOTS_IGNORED: &[&str] = &["gmail.com", "googlemail.com"];

/// Providers that deliver `name+tag@` to `name@`.
const PLUS_TAGS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "fastmail.fm",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "posteo.de",
    "posteo.net",
    "mailbox.org",
    "tutanota.com",
    "zoho.com",
];

const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EmailError::Empty);
        }
        if input.len() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = input.rsplit_once('@').ok_or(EmailError::Invalid)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Invalid);
        }
        Ok(Self {
            local: local.to_owned(),
            domain: domain.to_ascii_lowercase(),
        })
    }

    pub fn as_string(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The domain as the mailbox provider knows it (`googlemail.com` is `gmail.com`).
    pub fn normalised_domain(&self) -> &str {
        match self.domain.as_str() {
            "googlemail.com" => "gmail.com",
            other => other,
        }
    }

    /// The mailbox this address reaches, for finding duplicates: lower case, and for the
    /// providers where they make no difference, without dots or a `+tag` in the local part.
    pub fn normalised(&self) -> String {
        let domain = self.normalised_domain();
        let mut local = self.local.to_lowercase();
        if PLUS_TAGS.contains(&domain)
            && let Some(at) = local.find('+')
        {
            local.truncate(at);
        }
        if DOTS_IGNORED.contains(&domain) {
            local.retain(|c| c != '.');
        }
        format!("{local}@{domain}")
    }

    /// The mailbox this address reaches as far as limits on email go: [`Self::normalised`],
    /// and without a `+tag` whatever the domain. Most mail servers deliver `name+tag@` to
    /// `name@`, and an address whose server does not is better counted with its untagged
    /// form than flooded one tag at a time. (Duplicates are still found by
    /// [`Self::normalised`]: two tags at a custom domain may be two people.)
    pub fn untagged(&self) -> String {
        let mut mailbox = self.normalised();
        if let Some(plus) = mailbox.find('+') {
            let at = mailbox.rfind('@').unwrap_or(mailbox.len());
            if plus < at {
                mailbox.replace_range(plus..at, "");
            }
        }
        mailbox
    }
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "a@b.co",
            "first.last@example.org",
            "x+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "  Padded@Example.ORG  ",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            EmailAddress::parse(" Padded@Example.ORG ")
                .unwrap()
                .to_string(),
            "Padded@example.org"
        );
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "plain",
            "@example.org",
            "a@",
            "a@localhost",
            "a@@example.org",
            "a b@example.org",
            ".a@example.org",
            "a..b@example.org",
            "a@-example.org",
            "a@example.123",
            "<script>@example.org",
            "a@exa_mple.org",
            "é@example.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(EmailAddress::parse(" "), Err(EmailError::Empty));
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn normalises_per_provider() {
        let n = |s: &str| EmailAddress::parse(s).unwrap().normalised();
        assert_eq!(n("Jane.Doe+letters@GoogleMail.com"), "janedoe@gmail.com");
        assert_eq!(n("jane.doe+x@outlook.com"), "jane.doe@outlook.com");
        assert_eq!(n("Jane.Doe+x@example.org"), "jane.doe+x@example.org");
    }

    #[test]
    fn untagged_drops_plus_tags_on_every_domain() {
        let u = |s: &str| EmailAddress::parse(s).unwrap().untagged();
        assert_eq!(u("Jane.Doe+x@example.org"), "jane.doe@example.org");
        assert_eq!(u("victim+1@Shelter.example"), "victim@shelter.example");
        assert_eq!(u("victim+a+b@shelter.example"), "victim@shelter.example");
        assert_eq!(u("+only@shelter.example"), "@shelter.example");
        assert_eq!(u("Jane.Doe+letters@GoogleMail.com"), "janedoe@gmail.com");
        assert_eq!(u("plain@example.org"), "plain@example.org");
    }
}
