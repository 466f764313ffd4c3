//! The JSON bodies a site serves about a letter's log (docs/log-format.md, "Serving the
//! log"): the server writes them with these types and the auditor reads them with the same
//! ones. Field order here is the order of the keys on the wire.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use undersigned_core::signature::PublicSigner;
use undersigned_tlog::{Hash, HashParseError};

use crate::entry::Opening;

/// `/l/{slug}/counts.json`: the published counts and the log size they were computed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsJson {
    /// Every counted signature.
    pub total: u64,
    /// Category name → count.
    pub by_category: BTreeMap<String, u64>,
    /// The size of the letter's log these counts were computed at.
    pub log_size: u64,
    /// How many of the counted signatures are organisations', and how many of those are
    /// verified: absent on a letter without organisations (and from older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisations: Option<OrganisationCounts>,
    /// How many of the counted signatures were signed on a text older than its last change
    /// of substance and are not re-confirmed yet (they are in `total`): absent on a letter
    /// whose text never changed in substance (and from older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting: Option<u64>,
    /// The number of the current version of the letter's text: absent until its first edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<u64>,
}

/// The organisations among a letter's counted signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationCounts {
    /// Counted organisations' signatures.
    pub signed: u64,
    /// How many of those were verified.
    pub verified: u64,
}

/// One signatory of `/l/{slug}/signatories.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// The index of its add entry (a site that lost it may send null).
    pub index: Option<u64>,
    /// The name as the page shows it (full name or initials).
    pub name: String,
    /// What the page shows next to the name.
    pub details: Option<String>,
    /// The signer's category.
    pub category: String,
    /// The comment as shown.
    pub comment: Option<String>,
    /// For a format 2 log: base64 of the salt that, with the name, details and comment
    /// above, opens the commitment of the add entry (absent for format 1 logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

impl Signatory {
    /// What the list shows of the signatory.
    pub fn shown(&self) -> PublicSigner {
        PublicSigner {
            shown_name: self.name.clone(),
            details: self.details.clone(),
            comment: self.comment.clone(),
        }
    }

    /// The opening the list gives for the signatory's entry: None without a salt, an error
    /// when the salt is not 32 bytes of base64.
    pub fn opening(&self) -> Option<Result<Opening, SaltError>> {
        self.salt.as_deref().map(|salt| {
            Ok(Opening {
                salt: salt32(salt)?,
                shown: self.shown(),
            })
        })
    }
}

/// A salt that is not 32 bytes of base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the salt is not 32 bytes of base64")]
pub struct SaltError;

fn salt32(text: &str) -> Result<[u8; 32], SaltError> {
    STANDARD
        .decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SaltError)
}

/// An [`Opening`] on the wire: base64 of its salt, and the text as the page shows it. Read
/// alone (in a receipt), unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningJson {
    /// Base64 of the 32-byte salt.
    pub salt: String,
    /// The name or initials.
    pub name: String,
    /// What is shown next to the name.
    pub details: Option<String>,
    /// The comment.
    pub comment: Option<String>,
}

impl OpeningJson {
    /// The wire form of `opening`.
    pub fn new(opening: &Opening) -> Self {
        Self {
            salt: STANDARD.encode(opening.salt),
            name: opening.shown.shown_name.clone(),
            details: opening.shown.details.clone(),
            comment: opening.shown.comment.clone(),
        }
    }

    /// The opening, or an error when the salt is malformed.
    pub fn opening(&self) -> Result<Opening, SaltError> {
        Ok(Opening {
            salt: salt32(&self.salt)?,
            shown: PublicSigner {
                shown_name: self.name.clone(),
                details: self.details.clone(),
                comment: self.comment.clone(),
            },
        })
    }
}

/// One opening of `/l/{slug}/log/openings/{N}`: the index of its add entry and the opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedOpening {
    /// The index of the add entry it opens.
    pub index: u64,
    /// The opening.
    #[serde(flatten)]
    pub opening: OpeningJson,
}

/// `/l/{slug}/log/openings/{N}`: the openings of the add entries `N·256 … N·256+255` that
/// are public now, by index, and the log size they were read at (in one snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningsJson {
    /// The size of the log when the openings were read.
    pub log_size: u64,
    /// The openings, by index, lowest first.
    pub openings: Vec<IndexedOpening>,
}

/// A page of `/l/{slug}/signatories.json[?before=I]`: the public list by log index, highest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatoriesJson {
    /// The log size the list was read at.
    pub log_size: u64,
    /// This page of the list.
    pub signatories: Vec<Signatory>,
    /// The `before` of the next page, if there is one.
    pub next: Option<u64>,
    /// When the host erased the signatories' names and details (its retention policy, Unix
    /// seconds): the list is empty from then on, and so are the openings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<i64>,
}

/// `/l/{slug}/log/proof/inclusion?index=I&size=S`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProofJson {
    /// The entry's index.
    pub index: u64,
    /// The size of the tree the proof is in.
    pub size: u64,
    /// The proof's hashes, in base64, from the leaf upwards.
    pub proof: Vec<String>,
}

/// `/l/{slug}/log/proof/consistency?from=M&to=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProofJson {
    /// The old tree size.
    pub from: u64,
    /// The new tree size.
    pub to: u64,
    /// The proof's hashes, in base64.
    pub proof: Vec<String>,
}

impl InclusionProofJson {
    /// The body for the proof of entry `index` in the tree of `size` entries.
    pub fn new(index: u64, size: u64, proof: &[Hash]) -> Self {
        Self {
            index,
            size,
            proof: to_base64(proof),
        }
    }
}

impl ConsistencyProofJson {
    /// The body for the proof from the tree of `from` entries to the tree of `to`.
    pub fn new(from: u64, to: u64, proof: &[Hash]) -> Self {
        Self {
            from,
            to,
            proof: to_base64(proof),
        }
    }

    /// The proof's hashes.
    pub fn hashes(&self) -> Result<Vec<Hash>, HashParseError> {
        self.proof.iter().map(|h| Hash::from_base64(h)).collect()
    }
}

fn to_base64(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(Hash::to_base64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bodies byte for byte as docs/log-format.md shows them.
    #[test]
    fn bodies_on_the_wire() {
        let counts = CountsJson {
            total: 12,
            by_category: [("Survivor".to_owned(), 12), ("Activist".to_owned(), 0)].into(),
            log_size: 14,
            organisations: None,
            awaiting: None,
            versions: None,
        };
        assert_eq!(
            serde_json::to_string(&counts).unwrap(),
            r#"{"total":12,"by_category":{"Activist":0,"Survivor":12},"log_size":14}"#
        );
        let list = SignatoriesJson {
            log_size: 18,
            signatories: vec![Signatory {
                index: Some(17),
                name: "J. D.".into(),
                details: Some("Lyon".into()),
                category: "Survivor".into(),
                comment: None,
                salt: None,
            }],
            next: None,
            erased_at: None,
        };
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"{"log_size":18,"signatories":[{"index":17,"name":"J. D.","details":"Lyon","category":"Survivor","comment":null}],"next":null}"#
        );
        // Format 2: each signatory with the salt of its opening.
        let salted = Signatory {
            salt: Some(STANDARD.encode([7; 32])),
            ..list.signatories[0].clone()
        };
        assert_eq!(
            serde_json::to_string(&salted).unwrap(),
            r#"{"index":17,"name":"J. D.","details":"Lyon","category":"Survivor","comment":null,"salt":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#
        );
        let opening = salted.opening().unwrap().unwrap();
        assert_eq!(
            (opening.salt, opening.shown.shown_name.as_str()),
            ([7; 32], "J. D.")
        );
        assert_eq!(list.signatories[0].opening(), None);
        let openings = OpeningsJson {
            log_size: 18,
            openings: vec![IndexedOpening {
                index: 17,
                opening: OpeningJson::new(&opening),
            }],
        };
        let text = serde_json::to_string(&openings).unwrap();
        assert_eq!(
            text,
            r#"{"log_size":18,"openings":[{"index":17,"salt":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=","name":"J. D.","details":"Lyon","comment":null}]}"#
        );
        let read: OpeningsJson = serde_json::from_str(&text).unwrap();
        assert_eq!(read.openings[0].opening.opening(), Ok(opening));
        let bad = Signatory {
            salt: Some("short".into()),
            ..list.signatories[0].clone()
        };
        assert_eq!(bad.opening(), Some(Err(SaltError)));
        let hash = Hash([1; 32]);
        let inclusion = InclusionProofJson::new(3, 10, &[hash]);
        assert_eq!(
            serde_json::to_string(&inclusion).unwrap(),
            format!(
                r#"{{"index":3,"size":10,"proof":["{}"]}}"#,
                hash.to_base64()
            )
        );
        let consistency = ConsistencyProofJson::new(6, 10, &[hash, hash]);
        assert_eq!(
            serde_json::to_string(&consistency).unwrap(),
            format!(
                r#"{{"from":6,"to":10,"proof":["{0}","{0}"]}}"#,
                hash.to_base64()
            )
        );
        let read: ConsistencyProofJson =
            serde_json::from_str(&serde_json::to_string(&consistency).unwrap()).unwrap();
        assert_eq!(read.hashes().unwrap(), [hash, hash]);
        let bad = ConsistencyProofJson {
            proof: vec!["not base64".into()],
            ..consistency
        };
        assert!(bad.hashes().is_err());
    }
}
