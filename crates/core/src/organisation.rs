//! Organisations that sign as organisations: the website domain they are known by (one
//! signature per organisation and letter, by that domain), the validated form, how their
//! signature is verified, and what the public sees of it.

use std::fmt;

use url::{Host, Url};

use crate::{
    email::EmailAddress,
    letter::FieldErrors,
    signature::{DisplayLevel, NewSignature, PublicSigner, SignInput, SignerDetails},
    text::{Lines, PersonName, SignerTextKind, signer_text},
    unknown::{UnknownValue, parse_name},
};

/// Why a website was refused. The messages are shown next to the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebsiteError {
    #[error("Enter your organisation's website, like https://example.org.")]
    Empty,
    #[error("Enter a website address like https://example.org.")]
    Invalid,
    #[error("Enter a website address starting with https:// or http://.")]
    Scheme,
    #[error("Enter your organisation's website by its name (like example.org), not an IP address.")]
    IpAddress,
    #[error("Enter a public website address (like example.org), not a local one.")]
    Local,
    #[error("This website address is too long.")]
    TooLong,
}

/// An organisation's website domain, normalised: lower case, international names in their
/// ASCII (punycode) form, no `www.`, no trailing dot. Never an IP address, `localhost` or a
/// bare top-level domain. One organisation signs a letter once per domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebsiteDomain(String);

impl WebsiteDomain {
    pub const MAX_LEN: usize = 253;

    /// Reads what someone typed as their website: `example.org`, `https://www.Example.org/about`,
    /// `http://bücher.example` all work.
    pub fn parse(input: &str) -> Result<Self, WebsiteError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(WebsiteError::Empty);
        }
        if input.len() > 2000 {
            return Err(WebsiteError::TooLong);
        }
        let with_scheme = if input.contains("://") {
            input.to_owned()
        } else {
            format!("https://{input}")
        };
        let url = Url::parse(&with_scheme).map_err(|_| WebsiteError::Invalid)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebsiteError::Scheme);
        }
        match url.host() {
            Some(Host::Domain(domain)) => Self::from_ascii_host(domain),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => Err(WebsiteError::IpAddress),
            None => Err(WebsiteError::Invalid),
        }
    }

    /// The domain of an email address, normalised alike (None when it is not one a
    /// website could have).
    pub fn of_email(email: &EmailAddress) -> Option<Self> {
        match Host::parse(email.domain()).ok()? {
            Host::Domain(domain) => Self::from_ascii_host(&domain).ok(),
            _ => None,
        }
    }

    fn from_ascii_host(host: &str) -> Result<Self, WebsiteError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
        if host.len() > Self::MAX_LEN {
            return Err(WebsiteError::TooLong);
        }
        if host == "localhost"
            || host.ends_with(".localhost")
            || host.ends_with(".local")
            || host.ends_with(".internal")
        {
            return Err(WebsiteError::Local);
        }
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            return Err(WebsiteError::Invalid);
        }
        // A last label of digits only is an address the URL parser did not read as one.
        if labels
            .last()
            .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(WebsiteError::IpAddress);
        }
        Ok(Self(host))
    }

    /// Reads a stored domain back.
    pub fn from_stored(domain: &str) -> Result<Self, WebsiteError> {
        Self::from_ascii_host(domain)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` is this domain or one of its subdomains: `press.example.org` is
    /// within `example.org`, `badexample.org` is not.
    pub fn covers(&self, other: &WebsiteDomain) -> bool {
        other.0 == self.0
            || other
                .0
                .strip_suffix(&self.0)
                .is_some_and(|rest| rest.ends_with('.'))
    }
}

impl fmt::Display for WebsiteDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an organisation's signature was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verification {
    /// The signer confirmed an address on the organisation's website domain.
    Domain,
    /// An organiser looked at the evidence and verified it.
    Organiser,
}

impl Verification {
    pub const ALL: [Verification; 2] = [Self::Domain, Self::Organiser];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Domain => "domain",
            Self::Organiser => "organiser",
        }
    }
}

impl std::str::FromStr for Verification {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "verification", s)
    }
}

/// The organisation a signature is made for: public data of the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its name as it signs.
    pub name: String,
    /// The website as typed, tidied (`https://www.example.org/`).
    pub website: String,
    /// The website's domain, which one signature per letter is kept by.
    pub domain: WebsiteDomain,
    /// Whether the signer's email address is on the website's domain (or a subdomain): once
    /// the address is confirmed, the signature is verified by domain.
    pub email_on_domain: bool,
    /// Its logo, once stored (set by the server after it checked the upload).
    pub logo: Option<crate::logo::LogoRef>,
}

impl Organisation {
    pub const MAX_NAME_CHARS: usize = 200;
    pub const MAX_TITLE_CHARS: usize = 120;
}

/// A valid organisation signature: the signature of the person who signs for it (their
/// name, title and email, in the letter's organisation category, shown in full), and the
/// organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisationSignature {
    pub signature: NewSignature,
    pub organisation: Organisation,
}

impl NewOrganisationSignature {
    /// Validates the organisation form: `category_id` is the letter's organisation
    /// category. Every wrong field gets a message.
    pub fn parse(input: &SignInput, category_id: i64) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let org_name = signer_text(
            &input.organisation,
            Organisation::MAX_NAME_CHARS,
            Lines::Single,
            SignerTextKind::Other,
        )
        .map_err(|e| errors.add("organisation", e))
        .ok();
        let domain = WebsiteDomain::parse(&input.website)
            .map_err(|e| errors.add("website", e))
            .ok();
        let name = PersonName::parse(&input.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let title = signer_text(
            &input.title,
            Organisation::MAX_TITLE_CHARS,
            Lines::Single,
            SignerTextKind::Other,
        )
        .map_err(|e| errors.add("title", e))
        .ok();
        let email = EmailAddress::parse(&input.email)
            .map_err(|e| errors.add("email", e))
            .ok();
        if input.authorised.trim().is_empty() {
            errors.add(
                "authorised",
                "Tick this box to confirm that you may sign for this organisation.",
            );
        }
        match (org_name, domain, name, title, email) {
            (Some(org_name), Some(domain), Some(name), Some(title), Some(email))
                if errors.is_empty() =>
            {
                let email_on_domain =
                    WebsiteDomain::of_email(&email).is_some_and(|d| domain.covers(&d));
                let website = tidy_website(&input.website);
                Ok(Self {
                    signature: NewSignature {
                        name,
                        email,
                        category_id,
                        display: DisplayLevel::Public,
                        details: SignerDetails {
                            title: Some(title),
                            ..Default::default()
                        },
                    },
                    organisation: Organisation {
                        name: org_name,
                        website,
                        domain,
                        email_on_domain,
                        logo: None,
                    },
                })
            }
            _ => Err(errors),
        }
    }
}

/// The website as the organisers see it: with a scheme, as the URL parser writes it.
fn tidy_website(input: &str) -> String {
    let input = input.trim();
    let with_scheme = if input.contains("://") {
        input.to_owned()
    } else {
        format!("https://{input}")
    };
    Url::parse(&with_scheme).map_or_else(|_| with_scheme.clone(), |u| u.to_string())
}

/// What the public sees of an organisation's signature: the organisation's name, and who
/// signed for it ("Signed by A. Person, Director").
pub fn organisation_display(
    organisation: &str,
    signer_name: &str,
    signer_title: Option<&str>,
) -> PublicSigner {
    let by = match signer_title {
        Some(title) => format!("Signed by {signer_name}, {title}"),
        None => format!("Signed by {signer_name}"),
    };
    PublicSigner {
        shown_name: organisation.to_owned(),
        details: Some(by),
        comment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(s: &str) -> Result<String, WebsiteError> {
        WebsiteDomain::parse(s).map(|d| d.0)
    }

    #[test]
    fn websites_normalise_to_one_domain() {
        for same in [
            "example.org",
            "https://www.example.org",
            "HTTPS://WWW.EXAMPLE.ORG/about/us?x=1",
            "http://example.org.",
            "  www.Example.org/  ",
        ] {
            assert_eq!(domain(same).as_deref(), Ok("example.org"), "{same}");
        }
        assert_eq!(
            domain("https://bücher.example").as_deref(),
            Ok("xn--bcher-kva.example")
        );
        assert_eq!(
            domain("press.example.org").as_deref(),
            Ok("press.example.org")
        );
    }

    #[test]
    fn bad_websites_are_refused_with_a_reason() {
        assert_eq!(domain(""), Err(WebsiteError::Empty));
        assert_eq!(
            domain("https://192.168.1.10/"),
            Err(WebsiteError::IpAddress)
        );
        assert_eq!(domain("http://[::1]/"), Err(WebsiteError::IpAddress));
        assert_eq!(domain("localhost"), Err(WebsiteError::Local));
        assert_eq!(domain("https://localhost:8080"), Err(WebsiteError::Local));
        assert_eq!(domain("org"), Err(WebsiteError::Invalid));
        assert_eq!(domain("https://www.org"), Err(WebsiteError::Invalid));
        assert_eq!(domain("ftp://example.org"), Err(WebsiteError::Scheme));
        assert_eq!(domain("javascript:alert(1)"), Err(WebsiteError::Invalid));
        assert_eq!(domain("exa mple.org"), Err(WebsiteError::Invalid));
    }

    #[test]
    fn subdomains_are_covered_and_lookalikes_are_not() {
        let org = WebsiteDomain::parse("example.org").unwrap();
        let email = |s: &str| WebsiteDomain::of_email(&EmailAddress::parse(s).unwrap()).unwrap();
        assert!(org.covers(&email("jo@press.example.org")));
        assert!(org.covers(&email("jo@Example.org")));
        assert!(!org.covers(&email("jo@badexample.org")));
        assert!(!org.covers(&email("jo@example.org.evil.test")));
    }

    #[test]
    fn the_form_needs_every_field_and_the_tick() {
        let input = SignInput {
            signer: "organisation".into(),
            organisation: "Example Trust".into(),
            website: "https://www.example.org".into(),
            name: "Alex Example".into(),
            title: "Director".into(),
            email: "alex@press.example.org".into(),
            authorised: "on".into(),
            ..Default::default()
        };
        let parsed = NewOrganisationSignature::parse(&input, 3).unwrap();
        assert!(parsed.organisation.email_on_domain);
        assert_eq!(parsed.organisation.domain.as_str(), "example.org");
        assert_eq!(parsed.signature.category_id, 3);
        let freemail = SignInput {
            email: "alex@mail.test".into(),
            ..input.clone()
        };
        assert!(
            !NewOrganisationSignature::parse(&freemail, 3)
                .unwrap()
                .organisation
                .email_on_domain
        );
        let errors = NewOrganisationSignature::parse(&SignInput::default(), 3).unwrap_err();
        for field in [
            "organisation",
            "website",
            "name",
            "title",
            "email",
            "authorised",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn the_public_sees_the_organisation_and_who_signed() {
        let shown = organisation_display("Example Trust", "Alex Example", Some("Director"));
        assert_eq!(shown.shown_name, "Example Trust");
        assert_eq!(
            shown.details.as_deref(),
            Some("Signed by Alex Example, Director")
        );
    }
}
