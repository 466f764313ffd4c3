//! The entries of a letter's public log, in their versioned canonical encoding (see
//! `docs/log-format.md`), and the salted commitment that stands in for a signer's address.
//!
//! An entry is the JSON object below, encoded by [`LogEntry::encode`] with its keys in this
//! order, no white space, and serde_json's escaping (so the same entry always gives the same
//! bytes). The leaf of the Merkle tree is those bytes.
//!
//! ```text
//! {"v":1,"kind":"add","time":"2026-11-28T10:38Z","category":"Survivor","signer":"individual",
//!  "display":"initials","name":"J. D.","details":"Lyon","comment":null,"commitment":"…"}
//! {"v":1,"kind":"remove","time":"2026-11-29T08:00Z","removes":17,"reason":"withdrawn"}
//! ```

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use undersigned_core::{
    email::EmailAddress,
    signature::{DisplayLevel, PublicSigner},
};

/// The version this code writes and reads.
pub const VERSION: u8 = 1;

/// The domain tag of signer commitments: `SHA-256(tag ‖ salt ‖ normalised email)`.
pub const COMMITMENT_TAG: &[u8] = b"undersigned/v1/signer-commitment\n";

/// The commitment to a signer's (normalised) address under a 32-byte random salt. Without
/// the salt nobody can test an address against it; with the salt (which only the signer's
/// receipt holds) the signer can show the entry is theirs.
pub fn commitment(salt: &[u8; 32], email: &EmailAddress) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(COMMITMENT_TAG);
    hash.update(salt);
    hash.update(email.normalised().as_bytes());
    hash.finalize().into()
}

/// Why a signature left the public count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemovalReason {
    /// The signer took it back.
    Withdrawn,
    /// A moderator hid it from the public.
    Hidden,
    /// A moderator rejected it after it was published.
    Rejected,
}

impl RemovalReason {
    /// The reason as an entry writes it: `withdrawn`, `hidden` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Withdrawn => "withdrawn",
            Self::Hidden => "hidden",
            Self::Rejected => "rejected",
        }
    }
}

/// Who signed: an individual (organisations come later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignerKind {
    /// A person signing for themselves.
    Individual,
    /// An organisation (reserved: organisation signatures come later).
    Organisation,
}

/// One entry of a letter's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    /// A signature became public.
    Add(AddEntry),
    /// An earlier add entry no longer counts.
    Remove(RemoveEntry),
}

/// A signature became public (and counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddEntry {
    /// UTC, to the minute: `2026-11-28T10:38Z`.
    pub time: String,
    /// The category the signer chose, as the letter names it.
    pub category: String,
    /// Who signed.
    pub signer: SignerKind,
    /// How the signature is shown.
    pub display: DisplayLevel,
    /// What the public page shows, exactly; all `None` for private signers: the name (or
    /// the initials), ...
    pub name: Option<String>,
    /// ... what is shown next to it, ...
    pub details: Option<String>,
    /// ... and the comment.
    pub comment: Option<String>,
    /// The signer's salted [`commitment`].
    pub commitment: [u8; 32],
}

/// An earlier add entry no longer counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveEntry {
    /// UTC, to the minute: `2026-11-29T08:00Z`.
    pub time: String,
    /// The index of the add entry it cancels.
    pub removes: u64,
    /// Why it no longer counts.
    pub reason: RemovalReason,
}

/// The wire form. Field order here is the canonical key order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    v: u8,
    kind: Kind,
    time: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    signer: Option<SignerKind>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    display: Option<DisplayWire>,
    /// Present (maybe null) on add entries only.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    name: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    details: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    comment: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    commitment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    removes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    reason: Option<RemovalReason>,
}

/// A field that is present, maybe as null (serde otherwise reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Add,
    Remove,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum DisplayWire {
    Public,
    Initials,
    Private,
}

impl From<DisplayLevel> for DisplayWire {
    fn from(d: DisplayLevel) -> Self {
        match d {
            DisplayLevel::Public => Self::Public,
            DisplayLevel::Initials => Self::Initials,
            DisplayLevel::Private => Self::Private,
        }
    }
}

impl From<DisplayWire> for DisplayLevel {
    fn from(d: DisplayWire) -> Self {
        match d {
            DisplayWire::Public => Self::Public,
            DisplayWire::Initials => Self::Initials,
            DisplayWire::Private => Self::Private,
        }
    }
}

/// Why bytes are not a valid entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Not JSON, or not an entry's fields.
    #[error("not an entry: {0}")]
    Json(String),
    /// A version this code does not read.
    #[error("unsupported entry version {0}")]
    Version(u8),
    /// A field the kind of entry needs is absent: (kind, field).
    #[error("an {0} entry is missing its {1} field")]
    Missing(&'static str, &'static str),
    /// A field of the other kind of entry is present: (kind, field).
    #[error("an {0} entry has a field it may not have ({1})")]
    Extra(&'static str, &'static str),
    /// A private signer's entry shows something.
    #[error("a private signer's entry shows a name, details or a comment")]
    PrivateShown,
    /// The commitment is malformed.
    #[error("the commitment is not 32 bytes of base64")]
    Commitment,
    /// The time is malformed.
    #[error("the time is not of the form 2026-11-28T10:38Z")]
    Time,
    /// Valid, but not in the canonical encoding.
    #[error("the bytes are not the canonical encoding of the entry they hold")]
    NotCanonical,
}

impl LogEntry {
    /// An add entry for a signature as the public sees it (`shown` is None for private
    /// signers).
    pub fn add(
        unix_time: i64,
        category: &str,
        display: DisplayLevel,
        shown: Option<&PublicSigner>,
        commitment: [u8; 32],
    ) -> Self {
        LogEntry::Add(AddEntry {
            time: minute(unix_time),
            category: category.to_owned(),
            signer: SignerKind::Individual,
            display,
            name: shown.map(|s| s.shown_name.clone()),
            details: shown.and_then(|s| s.details.clone()),
            comment: shown.and_then(|s| s.comment.clone()),
            commitment,
        })
    }

    /// A remove entry cancelling the add entry at `removes`.
    pub fn remove(unix_time: i64, removes: u64, reason: RemovalReason) -> Self {
        LogEntry::Remove(RemoveEntry {
            time: minute(unix_time),
            removes,
            reason,
        })
    }

    /// The canonical bytes: the Merkle leaf.
    pub fn encode(&self) -> Vec<u8> {
        let wire = match self {
            LogEntry::Add(a) => Wire {
                v: VERSION,
                kind: Kind::Add,
                time: a.time.clone(),
                category: Some(a.category.clone()),
                signer: Some(a.signer),
                display: Some(a.display.into()),
                name: Some(a.name.clone()),
                details: Some(a.details.clone()),
                comment: Some(a.comment.clone()),
                commitment: Some(STANDARD.encode(a.commitment)),
                removes: None,
                reason: None,
            },
            LogEntry::Remove(r) => Wire {
                v: VERSION,
                kind: Kind::Remove,
                time: r.time.clone(),
                category: None,
                signer: None,
                display: None,
                name: None,
                details: None,
                comment: None,
                commitment: None,
                removes: Some(r.removes),
                reason: Some(r.reason),
            },
        };
        // Serialising this struct cannot fail: every field is a string, number or enum.
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// Reads an entry, accepting only its canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let wire: Wire =
            serde_json::from_slice(bytes).map_err(|e| EntryError::Json(e.to_string()))?;
        if wire.v != VERSION {
            return Err(EntryError::Version(wire.v));
        }
        let entry = match wire.kind {
            Kind::Add => {
                if wire.removes.is_some() {
                    return Err(EntryError::Extra("add", "removes"));
                }
                if wire.reason.is_some() {
                    return Err(EntryError::Extra("add", "reason"));
                }
                let display: DisplayLevel = wire
                    .display
                    .ok_or(EntryError::Missing("add", "display"))?
                    .into();
                let name = wire.name.ok_or(EntryError::Missing("add", "name"))?;
                let details = wire.details.ok_or(EntryError::Missing("add", "details"))?;
                let comment = wire.comment.ok_or(EntryError::Missing("add", "comment"))?;
                if display == DisplayLevel::Private
                    && (name.is_some() || details.is_some() || comment.is_some())
                {
                    return Err(EntryError::PrivateShown);
                }
                let commitment = wire
                    .commitment
                    .ok_or(EntryError::Missing("add", "commitment"))?;
                let commitment: [u8; 32] = STANDARD
                    .decode(commitment)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or(EntryError::Commitment)?;
                LogEntry::Add(AddEntry {
                    time: wire.time,
                    category: wire
                        .category
                        .ok_or(EntryError::Missing("add", "category"))?,
                    signer: wire.signer.ok_or(EntryError::Missing("add", "signer"))?,
                    display,
                    name,
                    details,
                    comment,
                    commitment,
                })
            }
            Kind::Remove => {
                let extra = [
                    (wire.category.is_some(), "category"),
                    (wire.signer.is_some(), "signer"),
                    (wire.display.is_some(), "display"),
                    (wire.name.is_some(), "name"),
                    (wire.details.is_some(), "details"),
                    (wire.comment.is_some(), "comment"),
                    (wire.commitment.is_some(), "commitment"),
                ];
                if let Some((_, field)) = extra.iter().find(|(present, _)| *present) {
                    return Err(EntryError::Extra("remove", field));
                }
                LogEntry::Remove(RemoveEntry {
                    time: wire.time,
                    removes: wire
                        .removes
                        .ok_or(EntryError::Missing("remove", "removes"))?,
                    reason: wire.reason.ok_or(EntryError::Missing("remove", "reason"))?,
                })
            }
        };
        if !valid_minute(entry.time()) {
            return Err(EntryError::Time);
        }
        if entry.encode() != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }

    /// When the entry was appended: `2026-11-28T10:38Z`.
    pub fn time(&self) -> &str {
        match self {
            LogEntry::Add(a) => &a.time,
            LogEntry::Remove(r) => &r.time,
        }
    }
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.encode()))
    }
}

/// Unix seconds as `2026-11-28T10:38Z` (UTC, rounded down to the minute).
pub fn minute(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60
    )
}

fn valid_minute(time: &str) -> bool {
    let b = time.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 => *c == b':',
            16 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use undersigned_core::signature::{SignerDetails, public_display};

    fn add(display: DisplayLevel) -> LogEntry {
        let details = SignerDetails {
            city: Some("Lyon".into()),
            title: Some("Director".into()),
            comment: Some("Line one\nline \"two\"".into()),
            show_city: true,
            ..Default::default()
        };
        let shown = public_display("Jane Doe", &details, display);
        LogEntry::add(1_795_867_259, "Survivor", display, shown.as_ref(), [7; 32])
    }

    #[test]
    fn canonical_bytes() {
        let e = add(DisplayLevel::Initials);
        assert_eq!(
            String::from_utf8(e.encode()).unwrap(),
            r#"{"v":1,"kind":"add","time":"2026-11-28T12:00Z","category":"Survivor","signer":"individual","display":"initials","name":"J. D.","details":"Lyon","comment":null,"commitment":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#
        );
        let r = LogEntry::remove(1_795_867_259, 17, RemovalReason::Withdrawn);
        assert_eq!(
            String::from_utf8(r.encode()).unwrap(),
            r#"{"v":1,"kind":"remove","time":"2026-11-28T12:00Z","removes":17,"reason":"withdrawn"}"#
        );
    }

    #[test]
    fn round_trip_and_privacy() {
        for display in DisplayLevel::ALL {
            let e = add(display);
            assert_eq!(LogEntry::decode(&e.encode()).unwrap(), e);
        }
        let LogEntry::Add(private) = add(DisplayLevel::Private) else {
            panic!("an add entry")
        };
        assert_eq!(
            (private.name, private.details, private.comment),
            (None, None, None)
        );
        let LogEntry::Add(public) = add(DisplayLevel::Public) else {
            panic!("an add entry")
        };
        assert_eq!(public.comment.as_deref(), Some("Line one\nline \"two\""));
    }

    #[test]
    fn refuses_non_canonical_and_malformed_entries() {
        let good = String::from_utf8(add(DisplayLevel::Public).encode()).unwrap();
        for bad in [
            good.replace("{\"v\":1,", "{ \"v\":1,"),
            good.replace("\"v\":1", "\"v\":2"),
            good.replace("\"kind\":\"add\"", "\"kind\":\"remove\""),
            good.replace("T12:00Z", "T12:00:59Z"),
            good.replace("\"commitment\":\"", "\"commitment\":\"AA"),
            good.replace("}", ",\"extra\":1}"),
            r#"{"v":1,"kind":"add","time":"2026-11-28T12:00Z","category":"S","signer":"individual","display":"private","name":"Hidden Name","details":null,"comment":null,"commitment":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#.to_owned(),
            "not json".to_owned(),
        ] {
            assert!(LogEntry::decode(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn commitments_need_the_salt() {
        let a = EmailAddress::parse("Jane.Doe+x@gmail.com").unwrap();
        let b = EmailAddress::parse("janedoe@gmail.com").unwrap();
        assert_eq!(commitment(&[1; 32], &a), commitment(&[1; 32], &b));
        assert_ne!(commitment(&[1; 32], &a), commitment(&[2; 32], &a));
    }

    #[test]
    fn minutes() {
        assert_eq!(minute(0), "1970-01-01T00:00Z");
        assert_eq!(minute(1_795_867_259), "2026-11-28T12:00Z");
        assert!(valid_minute("2026-11-28T12:00Z"));
        assert!(!valid_minute("2026-11-28 12:00Z"));
    }
}
