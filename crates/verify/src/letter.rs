//! A letter's public addresses: its page (`https://host/l/slug`), the addresses of its log
//! resources, and the origin line of its checkpoints (docs/log-format.md, "Checkpoints").

use undersigned_core::Slug;
use undersigned_tlog::{Checkpoint, NoteVerifier, open_note};
use url::Url;

/// The origin line of a letter's checkpoints: the site's host (with its port, if the site's
/// address names one), `/l/`, and the letter's slug.
pub fn origin(host: &str, slug: &str) -> String {
    format!("{host}/l/{slug}")
}

/// Why an address is not a letter's, or a checkpoint is not its log's.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The input is not the address of a letter's page.
    #[error(
        "{input:?} is not a letter's address: it must look like https://letters.example.org/l/the-letter"
    )]
    NotALetter {
        /// The input, as given.
        input: String,
        /// What was wrong with it, when something more precise is known.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A resource's address could not be built from the letter's.
    #[error("building the address of {path}")]
    Address {
        /// The resource's path.
        path: String,
        /// Why.
        #[source]
        source: url::ParseError,
    },
    /// The checkpoint's signature does not verify with the key.
    #[error("it is not signed by {key}: {reason}")]
    NotSigned {
        /// The key's verifier key.
        key: String,
        /// Why it does not verify.
        reason: undersigned_tlog::NoteError,
    },
    /// The signed note is not a checkpoint.
    #[error("it is not a checkpoint: {0}")]
    NotACheckpoint(undersigned_tlog::CheckpointError),
    /// The checkpoint is another log's.
    #[error("it is the checkpoint of {found:?}, not of this letter ({expected:?})")]
    WrongOrigin {
        /// The checkpoint's origin.
        found: String,
        /// This letter's origin.
        expected: String,
    },
}

/// A letter's page, `https://host/l/slug`, and the addresses derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// `scheme://host[:port]`
    site: Url,
    slug: String,
}

impl Letter {
    /// Parses a letter page's address (a query, a fragment or a final `/` are ignored).
    pub fn parse(input: &str) -> Result<Self, LetterError> {
        let shape =
            |source: Option<Box<dyn std::error::Error + Send + Sync>>| LetterError::NotALetter {
                input: input.to_owned(),
                source,
            };
        let url = Url::parse(input.trim()).map_err(|e| shape(Some(e.into())))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(shape(None));
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let [l, slug] = segments.as_slice() else {
            return Err(shape(None));
        };
        if *l != "l" {
            return Err(shape(None));
        }
        let slug = Slug::parse(slug).map_err(|e| shape(Some(e.into())))?;
        let mut site = url.clone();
        site.set_path("/");
        site.set_query(None);
        site.set_fragment(None);
        if site.set_username("").is_err() || site.set_password(None).is_err() {
            return Err(shape(None));
        }
        Ok(Self {
            site,
            slug: slug.as_str().to_owned(),
        })
    }

    /// The letter's slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// `host[:port]` as the site names itself in checkpoints.
    fn authority(&self) -> String {
        let host = self.site.host_str().unwrap_or_default();
        match self.site.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The checkpoint origin: `host/l/slug`.
    pub fn origin(&self) -> String {
        origin(&self.authority(), &self.slug)
    }

    /// The origins a checkpoint of this letter may carry: `host/l/slug`, and with the
    /// scheme's default port written out (a site configured as `https://host:443`).
    fn origins(&self) -> Vec<String> {
        let mut origins = vec![self.origin()];
        if self.site.port().is_none()
            && let Some(port) = self.site.port_or_known_default()
        {
            let host = self.site.host_str().unwrap_or_default();
            origins.push(origin(&format!("{host}:{port}"), &self.slug));
        }
        origins
    }

    /// Verifies a signed checkpoint of this letter's log with `key`.
    pub fn open_checkpoint(
        &self,
        text: &str,
        key: &NoteVerifier,
    ) -> Result<Checkpoint, LetterError> {
        let note = open_note(text, std::slice::from_ref(key)).map_err(|reason| {
            LetterError::NotSigned {
                key: key.verifier_key(),
                reason,
            }
        })?;
        let checkpoint = Checkpoint::from_text(&note.text).map_err(LetterError::NotACheckpoint)?;
        if !self.origins().contains(&checkpoint.origin) {
            return Err(LetterError::WrongOrigin {
                found: checkpoint.origin,
                expected: self.origin(),
            });
        }
        Ok(checkpoint)
    }

    /// `scheme://host[:port]`: the key of the site in the audit state.
    pub fn site(&self) -> String {
        self.site.as_str().trim_end_matches('/').to_owned()
    }

    /// The page: `scheme://host[:port]/l/slug`.
    pub fn page(&self) -> String {
        format!("{}/l/{}", self.site(), self.slug)
    }

    /// The address of `path` on the letter's site.
    pub fn url(&self, path: &str) -> Result<Url, LetterError> {
        self.site.join(path).map_err(|source| LetterError::Address {
            path: path.to_owned(),
            source,
        })
    }

    /// The address of `path` under the letter's log: `/l/{slug}/log/{path}`.
    pub fn log_url(&self, path: &str) -> Result<Url, LetterError> {
        self.url(&format!("/l/{}/log/{path}", self.slug))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn letter_addresses() {
        let l = Letter::parse("https://Letters.Example.org/l/investigate-the-academy/?x=1#sign")
            .unwrap();
        assert_eq!(l.origin(), "letters.example.org/l/investigate-the-academy");
        assert_eq!(l.site(), "https://letters.example.org");
        assert_eq!(
            l.page(),
            "https://letters.example.org/l/investigate-the-academy"
        );
        assert_eq!(
            l.log_url("tile/entries/000.p/3").unwrap().as_str(),
            "https://letters.example.org/l/investigate-the-academy/log/tile/entries/000.p/3"
        );
        let l = Letter::parse("http://127.0.0.1:8080/l/demo").unwrap();
        assert_eq!(l.origin(), "127.0.0.1:8080/l/demo");
        assert_eq!(l.site(), "http://127.0.0.1:8080");
        let l = Letter::parse("https://x.org:443/l/demo").unwrap();
        assert_eq!(l.origin(), "x.org/l/demo");
        assert_eq!(l.origins(), ["x.org/l/demo", "x.org:443/l/demo"]);
        let l = Letter::parse("http://x.org:8080/l/demo").unwrap();
        assert_eq!(l.origins(), ["x.org:8080/l/demo"]);
        for bad in [
            "letters.example.org/l/demo",
            "ftp://x.org/l/demo",
            "https://x.org/",
            "https://x.org/l/",
            "https://x.org/letters/demo",
            "https://x.org/l/demo/sign",
            "https://x.org/l/Not_A_Slug",
        ] {
            assert!(Letter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("letters.example.org", "investigate-the-academy"),
            "letters.example.org/l/investigate-the-academy"
        );
    }
}
