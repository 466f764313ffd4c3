//! The entries of a letter's public log, in their versioned canonical encoding (see
//! `docs/log-format.md`), the salted commitment that stands in for a signer's address, and
//! (from format 2) the commitment that stands in for what the page shows of a signer, with
//! its [`Opening`].
//!
//! An entry is the JSON object below, encoded by [`LogEntry::encode`] with its keys in this
//! order, no white space, and serde_json's escaping (so the same entry always gives the same
//! bytes). The leaf of the Merkle tree is those bytes.
//!
//! ```text
//! {"v":1,"kind":"add","time":"2026-11-28T10:38Z","category":"Survivor","signer":"individual",
//!  "display":"initials","name":"J. D.","details":"Lyon","comment":null,"commitment":"…"}
//! {"v":2,"kind":"add","time":"2026-11-28T10:38Z","category":"Survivor","signer":"individual",
//!  "display":"initials","shown":"…","commitment":"…"}
//! {"v":2,"kind":"add","time":"2026-11-28T10:38Z","category":"Organisation",
//!  "signer":"organisation","display":"public","verified":"domain","shown":"…","commitment":"…"}
//! {"v":2,"kind":"remove","time":"2026-11-29T08:00Z","removes":17,"reason":"withdrawn"}
//! {"v":2,"kind":"text","time":"2026-11-30T09:12Z","version":2,"sha256":"…","change":"correction"}
//! ```
//!
//! A text entry records a new version of the letter's text (its number, the SHA-256 of the
//! exact bytes served at `/l/{slug}/versions/{n}.txt`, in lowercase hex, and whether it was a
//! correction or a change of substance). It does not change the counts.
//!
//! An organisation's add entry (and only theirs) has a `verified` key: how the organisation
//! was verified before its signature was published, `"domain"` (its signer confirmed an
//! address on its website's domain), `"organiser"` (an organiser checked it) or null.

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use undersigned_core::{
    email::EmailAddress,
    organisation::Verification,
    signature::{DisplayLevel, PublicSigner},
};

/// The versions of the entry format. A letter's log keeps the version it started with:
/// every entry of a log has the same version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogVersion {
    /// Add entries hold what the page shows of a signer in clear.
    V1,
    /// Add entries hold a hiding commitment to what the page shows ([`shown_commitment`]);
    /// the text and its salt (the [`Opening`]) are served beside the log while the
    /// signature is public, and deleted when it is removed.
    V2,
}

impl LogVersion {
    /// The version new letters' logs are written in.
    pub const CURRENT: LogVersion = LogVersion::V2;

    /// The number an entry's `v` holds.
    pub fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// The version numbered `n`, if this code knows it.
    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }
}

impl fmt::Display for LogVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The domain tag of signer commitments: `SHA-256(tag ‖ salt ‖ normalised email)`.
pub const COMMITMENT_TAG: &[u8] = b"undersigned/v1/signer-commitment\n";

/// The domain tag of the commitments to what the page shows (format 2):
/// `SHA-256(tag ‖ salt ‖ field(name) ‖ field(details) ‖ field(comment))`.
pub const SHOWN_COMMITMENT_TAG: &[u8] = b"undersigned/v2/shown-commitment\n";

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

/// The commitment of a format 2 add entry to what the page shows of the signer, under a
/// 32-byte random salt of its own (never the address commitment's):
/// `SHA-256(tag ‖ salt ‖ field(name) ‖ field(details) ‖ field(comment))`, where a field is
/// `0x00` when absent and `0x01 ‖ its length in bytes (8 bytes, big-endian) ‖ its UTF-8
/// bytes` otherwise. Without the salt nobody can test a guessed name against it; once the
/// opening is deleted, nobody can read it back.
pub fn shown_commitment(salt: &[u8; 32], shown: &PublicSigner) -> [u8; 32] {
    fn field(hash: &mut Sha256, value: Option<&str>) {
        match value {
            None => hash.update([0]),
            Some(text) => {
                hash.update([1]);
                hash.update((text.len() as u64).to_be_bytes());
                hash.update(text.as_bytes());
            }
        }
    }
    let mut hash = Sha256::new();
    hash.update(SHOWN_COMMITMENT_TAG);
    hash.update(salt);
    field(&mut hash, Some(&shown.shown_name));
    field(&mut hash, shown.details.as_deref());
    field(&mut hash, shown.comment.as_deref());
    hash.finalize().into()
}

/// What opens a format 2 add entry's commitment: the text the page shows and its salt.
/// Served beside the log while the signature is public; deleted when it is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// 32 random bytes, drawn for this entry alone.
    pub salt: [u8; 32],
    /// What the page shows: the name (or initials), the details, the comment.
    pub shown: PublicSigner,
}

impl Opening {
    /// The commitment this opening opens.
    pub fn commitment(&self) -> [u8; 32] {
        shown_commitment(&self.salt, &self.shown)
    }

    /// Whether this opens `entry`: a format 2 add entry of a shown signer whose commitment
    /// is to this text under this salt.
    pub fn opens(&self, entry: &AddEntry) -> bool {
        entry.text == EntryText::Committed(Some(self.commitment()))
    }
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

/// Who signed: a person, or an organisation (through a person authorised to sign for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignerKind {
    /// A person signing for themselves.
    Individual,
    /// An organisation: what the page shows is its name, and who signed for it.
    Organisation,
}

/// One entry of a letter's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    /// A signature became public.
    Add(AddEntry),
    /// An earlier add entry no longer counts.
    Remove(RemoveEntry),
    /// The letter's text changed: a new numbered version (counts are unchanged).
    Text(TextEntry),
}

/// What kind of edit made a new version of a letter's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextChange {
    /// A typo or formatting fix: earlier signatures stand.
    Correction,
    /// A change of substance: earlier signers are asked to re-confirm.
    Substantive,
}

impl TextChange {
    /// As an entry writes it: `correction` or `substantive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correction => "correction",
            Self::Substantive => "substantive",
        }
    }
}

/// A new version of the letter's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEntry {
    /// The format version of the entry (its log's).
    pub version: LogVersion,
    /// UTC, to the minute.
    pub time: Minute,
    /// The text's version number (1 is the text as first published).
    pub number: u64,
    /// SHA-256 of the version's canonical text bytes.
    pub sha256: [u8; 32],
    /// Correction or change of substance.
    pub change: TextChange,
}

/// A signature became public (and counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddEntry {
    /// UTC, to the minute: `2026-11-28T10:38Z`.
    pub time: Minute,
    /// The category the signer chose, as the letter names it.
    pub category: String,
    /// Who signed.
    pub signer: SignerKind,
    /// How the signature is shown.
    pub display: DisplayLevel,
    /// For an organisation: how it was verified before publication (None: it was not).
    /// Always None for individuals, whose entries have no `verified` key.
    pub verified: Option<Verification>,
    /// What the public page shows of the signer: in clear (format 1) or as a commitment
    /// (format 2). The version of the entry follows from it.
    pub text: EntryText,
    /// The signer's salted [`commitment`].
    pub commitment: [u8; 32],
}

/// What an add entry holds of what the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryText {
    /// Format 1: the text itself (boxed, so that the format 2 entries of a million-entry
    /// log are not each as large as three strings).
    Clear(Box<ClearText>),
    /// Format 2: the [`shown_commitment`] to the text, `None` for private signers.
    Committed(Option<[u8; 32]>),
}

/// What a format 1 entry shows, all `None` for private signers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearText {
    /// The name or the initials.
    pub name: Option<String>,
    /// What is shown next to the name.
    pub details: Option<String>,
    /// The comment.
    pub comment: Option<String>,
}

impl AddEntry {
    /// The format version of the entry.
    pub fn version(&self) -> LogVersion {
        match self.text {
            EntryText::Clear(_) => LogVersion::V1,
            EntryText::Committed(_) => LogVersion::V2,
        }
    }

    /// The text a format 1 entry shows (None for private signers, and for format 2 entries,
    /// which hold a commitment instead).
    pub fn clear_text(&self) -> Option<PublicSigner> {
        match &self.text {
            EntryText::Clear(clear) => clear.name.as_ref().map(|name| PublicSigner {
                shown_name: name.clone(),
                details: clear.details.clone(),
                comment: clear.comment.clone(),
            }),
            EntryText::Committed(_) => None,
        }
    }
}

/// An earlier add entry no longer counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveEntry {
    /// The format version of the entry (its log's).
    pub version: LogVersion,
    /// UTC, to the minute: `2026-11-29T08:00Z`.
    pub time: Minute,
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
    /// Present (maybe null) on organisations' add entries only.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present_verified"
    )]
    verified: Option<Option<VerifiedWire>>,
    /// Present (maybe null) on format 1 add entries only.
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
    /// Present (maybe null) on format 2 add entries only.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    shown: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    commitment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    removes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    reason: Option<RemovalReason>,
    /// Text entries only.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    change: Option<TextChange>,
}

/// A field that is present, maybe as null (serde otherwise reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `verified`, present, maybe as null.
fn present_verified<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<VerifiedWire>>, D::Error> {
    Option::<VerifiedWire>::deserialize(d).map(Some)
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum VerifiedWire {
    Domain,
    Organiser,
}

impl From<Verification> for VerifiedWire {
    fn from(v: Verification) -> Self {
        match v {
            Verification::Domain => Self::Domain,
            Verification::Organiser => Self::Organiser,
        }
    }
}

impl From<VerifiedWire> for Verification {
    fn from(v: VerifiedWire) -> Self {
        match v {
            VerifiedWire::Domain => Self::Domain,
            VerifiedWire::Organiser => Self::Organiser,
        }
    }
}

#[derive(Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Add,
    Remove,
    Text,
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
    /// A field of the other kind (or version) of entry is present: (kind, field).
    #[error("an {0} entry has a field it may not have ({1})")]
    Extra(&'static str, &'static str),
    /// A private signer's entry shows something.
    #[error("a private signer's entry shows a name, details or a comment")]
    PrivateShown,
    /// A shown signer's format 2 entry has no commitment to what is shown.
    #[error("a shown signer's entry has no commitment to what the page shows")]
    ShownMissing,
    /// The commitment is malformed.
    #[error("the commitment is not 32 bytes of base64")]
    Commitment,
    /// A text entry's hash is malformed.
    #[error("the sha256 is not 64 lowercase hex digits")]
    Sha256,
    /// The time is malformed.
    #[error("the time is not of the form 2026-11-28T10:38Z")]
    Time,
    /// Valid, but not in the canonical encoding.
    #[error("the bytes are not the canonical encoding of the entry they hold")]
    NotCanonical,
}

/// 32 bytes of base64, or `Commitment`.
fn hash32(text: &str) -> Result<[u8; 32], EntryError> {
    STANDARD
        .decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(EntryError::Commitment)
}

impl LogEntry {
    /// A format 1 add entry for a signature as the public sees it (`shown` is None for
    /// private signers): the text in clear.
    pub fn add_v1(
        unix_time: i64,
        category: &str,
        display: DisplayLevel,
        shown: Option<&PublicSigner>,
        commitment: [u8; 32],
    ) -> Self {
        Self::add(
            unix_time,
            category,
            display,
            EntryText::Clear(Box::new(ClearText {
                name: shown.map(|s| s.shown_name.clone()),
                details: shown.and_then(|s| s.details.clone()),
                comment: shown.and_then(|s| s.comment.clone()),
            })),
            commitment,
        )
    }

    /// A format 2 add entry: `opening` (None for private signers) is what the page shows
    /// and its salt; the entry holds only its commitment.
    pub fn add_v2(
        unix_time: i64,
        category: &str,
        display: DisplayLevel,
        opening: Option<&Opening>,
        commitment: [u8; 32],
    ) -> Self {
        Self::add(
            unix_time,
            category,
            display,
            EntryText::Committed(opening.map(Opening::commitment)),
            commitment,
        )
    }

    /// An individual's add entry holding `text`, at `unix_time` rounded to the minute.
    fn add(
        unix_time: i64,
        category: &str,
        display: DisplayLevel,
        text: EntryText,
        commitment: [u8; 32],
    ) -> Self {
        LogEntry::Add(AddEntry {
            time: Minute::from_unix(unix_time),
            category: category.to_owned(),
            signer: SignerKind::Individual,
            display,
            verified: None,
            text,
            commitment,
        })
    }

    /// The same add entry made by an organisation, verified as `verified` says. (A remove
    /// entry is returned as it is.)
    pub fn by_organisation(self, verified: Option<Verification>) -> Self {
        match self {
            LogEntry::Add(add) => LogEntry::Add(AddEntry {
                signer: SignerKind::Organisation,
                verified,
                ..add
            }),
            remove => remove,
        }
    }

    /// A remove entry of a log of `version` cancelling the add entry at `removes`.
    pub fn remove(
        version: LogVersion,
        unix_time: i64,
        removes: u64,
        reason: RemovalReason,
    ) -> Self {
        LogEntry::Remove(RemoveEntry {
            version,
            time: Minute::from_unix(unix_time),
            removes,
            reason,
        })
    }

    /// The format version of the entry.
    pub fn version(&self) -> LogVersion {
        match self {
            LogEntry::Add(a) => a.version(),
            LogEntry::Remove(r) => r.version,
            LogEntry::Text(t) => t.version,
        }
    }

    /// A text entry of a log of `version`: version `number` of the letter's text, whose
    /// canonical bytes are `text`.
    pub fn text(
        version: LogVersion,
        unix_time: i64,
        number: u64,
        text: &[u8],
        change: TextChange,
    ) -> Self {
        LogEntry::Text(TextEntry {
            version,
            time: Minute::from_unix(unix_time),
            number,
            sha256: Sha256::digest(text).into(),
            change,
        })
    }

    /// The canonical bytes: the Merkle leaf.
    pub fn encode(&self) -> Vec<u8> {
        let wire = match self {
            LogEntry::Add(a) => {
                let (name, details, comment, shown) = match &a.text {
                    EntryText::Clear(clear) => (
                        Some(clear.name.clone()),
                        Some(clear.details.clone()),
                        Some(clear.comment.clone()),
                        None,
                    ),
                    EntryText::Committed(shown) => {
                        (None, None, None, Some(shown.map(|c| STANDARD.encode(c))))
                    }
                };
                Wire {
                    v: a.version().number(),
                    kind: Kind::Add,
                    time: a.time.as_str().to_owned(),
                    category: Some(a.category.clone()),
                    signer: Some(a.signer),
                    display: Some(a.display.into()),
                    verified: (a.signer == SignerKind::Organisation)
                        .then(|| a.verified.map(VerifiedWire::from)),
                    name,
                    details,
                    comment,
                    shown,
                    commitment: Some(STANDARD.encode(a.commitment)),
                    removes: None,
                    reason: None,
                    version: None,
                    sha256: None,
                    change: None,
                }
            }
            LogEntry::Remove(r) => Wire {
                v: r.version.number(),
                kind: Kind::Remove,
                time: r.time.as_str().to_owned(),
                category: None,
                signer: None,
                display: None,
                verified: None,
                name: None,
                details: None,
                comment: None,
                shown: None,
                commitment: None,
                removes: Some(r.removes),
                reason: Some(r.reason),
                version: None,
                sha256: None,
                change: None,
            },
            LogEntry::Text(t) => Wire {
                v: t.version.number(),
                kind: Kind::Text,
                time: t.time.as_str().to_owned(),
                category: None,
                signer: None,
                display: None,
                verified: None,
                name: None,
                details: None,
                comment: None,
                shown: None,
                commitment: None,
                removes: None,
                reason: None,
                version: Some(t.number),
                sha256: Some(hex(&t.sha256)),
                change: Some(t.change),
            },
        };
        // Serialising this struct cannot fail: every field is a string, number or enum.
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// Reads an entry of either version, accepting only its canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let wire: Wire =
            serde_json::from_slice(bytes).map_err(|e| EntryError::Json(e.to_string()))?;
        let version = LogVersion::from_number(wire.v).ok_or(EntryError::Version(wire.v))?;
        // A malformed time is refused once the rest has been read, as it always was.
        let time = Minute::parse(&wire.time);
        let at = time.unwrap_or(Minute::EPOCH);
        let entry = match wire.kind {
            Kind::Add => LogEntry::Add(decode_add(wire, version, at)?),
            Kind::Text => {
                let extra = [
                    (wire.category.is_some(), "category"),
                    (wire.signer.is_some(), "signer"),
                    (wire.display.is_some(), "display"),
                    (wire.verified.is_some(), "verified"),
                    (wire.name.is_some(), "name"),
                    (wire.details.is_some(), "details"),
                    (wire.comment.is_some(), "comment"),
                    (wire.shown.is_some(), "shown"),
                    (wire.commitment.is_some(), "commitment"),
                    (wire.removes.is_some(), "removes"),
                    (wire.reason.is_some(), "reason"),
                ];
                if let Some((_, field)) = extra.iter().find(|(present, _)| *present) {
                    return Err(EntryError::Extra("text", field));
                }
                let sha256 = wire
                    .sha256
                    .as_deref()
                    .ok_or(EntryError::Missing("text", "sha256"))?;
                LogEntry::Text(TextEntry {
                    version,
                    time: at,
                    number: wire.version.ok_or(EntryError::Missing("text", "version"))?,
                    sha256: unhex(sha256).ok_or(EntryError::Sha256)?,
                    change: wire.change.ok_or(EntryError::Missing("text", "change"))?,
                })
            }
            Kind::Remove => {
                let extra = [
                    (wire.category.is_some(), "category"),
                    (wire.signer.is_some(), "signer"),
                    (wire.display.is_some(), "display"),
                    (wire.verified.is_some(), "verified"),
                    (wire.name.is_some(), "name"),
                    (wire.details.is_some(), "details"),
                    (wire.comment.is_some(), "comment"),
                    (wire.shown.is_some(), "shown"),
                    (wire.commitment.is_some(), "commitment"),
                    (wire.version.is_some(), "version"),
                    (wire.sha256.is_some(), "sha256"),
                    (wire.change.is_some(), "change"),
                ];
                if let Some((_, field)) = extra.iter().find(|(present, _)| *present) {
                    return Err(EntryError::Extra("remove", field));
                }
                LogEntry::Remove(RemoveEntry {
                    version,
                    time: at,
                    removes: wire
                        .removes
                        .ok_or(EntryError::Missing("remove", "removes"))?,
                    reason: wire.reason.ok_or(EntryError::Missing("remove", "reason"))?,
                })
            }
        };
        if time.is_none() {
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
            LogEntry::Add(a) => a.time.as_str(),
            LogEntry::Remove(r) => r.time.as_str(),
            LogEntry::Text(t) => t.time.as_str(),
        }
    }
}

/// The add entry a wire form of `version` holds.
fn decode_add(wire: Wire, version: LogVersion, time: Minute) -> Result<AddEntry, EntryError> {
    if wire.removes.is_some() {
        return Err(EntryError::Extra("add", "removes"));
    }
    if wire.reason.is_some() {
        return Err(EntryError::Extra("add", "reason"));
    }
    for (present, field) in [
        (wire.version.is_some(), "version"),
        (wire.sha256.is_some(), "sha256"),
        (wire.change.is_some(), "change"),
    ] {
        if present {
            return Err(EntryError::Extra("add", field));
        }
    }
    let display: DisplayLevel = wire
        .display
        .ok_or(EntryError::Missing("add", "display"))?
        .into();
    let private = display == DisplayLevel::Private;
    let text = match version {
        LogVersion::V1 => {
            if wire.shown.is_some() {
                return Err(EntryError::Extra("add", "shown"));
            }
            let name = wire.name.ok_or(EntryError::Missing("add", "name"))?;
            let details = wire.details.ok_or(EntryError::Missing("add", "details"))?;
            let comment = wire.comment.ok_or(EntryError::Missing("add", "comment"))?;
            if private && (name.is_some() || details.is_some() || comment.is_some()) {
                return Err(EntryError::PrivateShown);
            }
            EntryText::Clear(Box::new(ClearText {
                name,
                details,
                comment,
            }))
        }
        LogVersion::V2 => {
            let clear = [
                (wire.name.is_some(), "name"),
                (wire.details.is_some(), "details"),
                (wire.comment.is_some(), "comment"),
            ];
            if let Some((_, field)) = clear.iter().find(|(present, _)| *present) {
                return Err(EntryError::Extra("add", field));
            }
            let shown = wire.shown.ok_or(EntryError::Missing("add", "shown"))?;
            match (private, shown) {
                (true, Some(_)) => return Err(EntryError::PrivateShown),
                (false, None) => return Err(EntryError::ShownMissing),
                (_, shown) => EntryText::Committed(shown.as_deref().map(hash32).transpose()?),
            }
        }
    };
    let commitment = hash32(
        &wire
            .commitment
            .ok_or(EntryError::Missing("add", "commitment"))?,
    )?;
    let signer = wire.signer.ok_or(EntryError::Missing("add", "signer"))?;
    let verified = match (signer, wire.verified) {
        (SignerKind::Individual, None) => None,
        (SignerKind::Individual, Some(_)) => return Err(EntryError::Extra("add", "verified")),
        (SignerKind::Organisation, None) => return Err(EntryError::Missing("add", "verified")),
        (SignerKind::Organisation, Some(v)) => v.map(Verification::from),
    };
    Ok(AddEntry {
        time,
        category: wire
            .category
            .ok_or(EntryError::Missing("add", "category"))?,
        signer,
        display,
        verified,
        text,
        commitment,
    })
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.encode()))
    }
}

/// The canonical bytes of a version of a letter's text, which its text entry hashes and the
/// site serves at `/l/{slug}/versions/{n}.txt`: the title, a line feed, the subject line, two
/// line feeds and the Markdown body, in UTF-8, with every CR LF or lone CR turned into LF.
pub fn canonical_text(title: &str, subject: &str, body: &str) -> Vec<u8> {
    let text = format!("{title}\n{subject}\n\n{body}");
    text.replace("\r\n", "\n").replace('\r', "\n").into_bytes()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 bytes from 64 lowercase hex digits.
fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A time to the minute, UTC, as log entries write it: `2026-11-28T10:38Z`. Only a time of
/// that form can be one. Its 17 bytes are held in place, so that a million entries' times are
/// not a million strings. They order as time does (the digits are fixed in width).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minute([u8; 17]);

impl Minute {
    /// 1970-01-01T00:00Z.
    pub const EPOCH: Minute = Minute(*b"1970-01-01T00:00Z");

    /// The time `text` writes, if it is of the form `2026-11-28T10:38Z`.
    pub fn parse(text: &str) -> Option<Self> {
        if !valid_minute(text) {
            return None;
        }
        text.as_bytes().try_into().ok().map(Self)
    }

    /// Unix seconds, rounded down to the minute. Times before year 0 or after year 9999,
    /// which four digits cannot write, are taken as the first or last minute of that range.
    pub fn from_unix(unix_seconds: i64) -> Self {
        const FIRST: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
        const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
        Self::parse(&minute_text(unix_seconds.clamp(FIRST, LAST))).unwrap_or(Self::EPOCH)
    }

    /// As written: `2026-11-28T10:38Z`.
    pub fn as_str(&self) -> &str {
        // ASCII by construction (`parse`).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Minute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Minute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Unix seconds as `2026-11-28T10:38Z` (UTC, rounded down to the minute; see
/// [`Minute::from_unix`]).
pub fn minute(unix_seconds: i64) -> String {
    Minute::from_unix(unix_seconds).to_string()
}

fn minute_text(unix_seconds: i64) -> String {
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

    #[test]
    fn text_entries_round_trip_and_refuse_other_fields() {
        let text = canonical_text("A title", "RE: a subject", "Body\r\nline");
        assert_eq!(text, b"A title\nRE: a subject\n\nBody\nline");
        let entry = LogEntry::text(
            LogVersion::V2,
            1_795_867_259,
            2,
            &text,
            TextChange::Substantive,
        );
        let bytes = entry.encode();
        let expected = format!(
            r#"{{"v":2,"kind":"text","time":"2026-11-28T12:00Z","version":2,"sha256":"{}","change":"substantive"}}"#,
            hex(&Sha256::digest(&text))
        );
        assert_eq!(String::from_utf8(bytes.clone()).unwrap(), expected);
        assert_eq!(LogEntry::decode(&bytes).unwrap(), entry);
        let extra = expected.replace(r#""change""#, r#""removes":1,"change""#);
        assert!(LogEntry::decode(extra.as_bytes()).is_err());
        let upper = expected.to_uppercase().replace("KIND", "kind");
        assert!(LogEntry::decode(upper.as_bytes()).is_err());
        let no_hash = expected.replace("sha256", "sha");
        assert!(LogEntry::decode(no_hash.as_bytes()).is_err());
    }
    use undersigned_core::signature::{SignerDetails, public_display};

    fn shown(display: DisplayLevel) -> Option<PublicSigner> {
        let details = SignerDetails {
            city: Some("Lyon".into()),
            title: Some("Director".into()),
            comment: Some("Line one\nline \"two\"".into()),
            show_city: true,
            ..Default::default()
        };
        public_display("Jane Doe", &details, display)
    }

    fn add(display: DisplayLevel) -> LogEntry {
        LogEntry::add_v1(
            1_795_867_259,
            "Survivor",
            display,
            shown(display).as_ref(),
            [7; 32],
        )
    }

    fn opening(display: DisplayLevel) -> Option<Opening> {
        shown(display).map(|shown| Opening {
            salt: [9; 32],
            shown,
        })
    }

    fn add_v2(display: DisplayLevel) -> LogEntry {
        LogEntry::add_v2(
            1_795_867_259,
            "Survivor",
            display,
            opening(display).as_ref(),
            [7; 32],
        )
    }

    #[test]
    fn canonical_bytes() {
        let e = add(DisplayLevel::Initials);
        assert_eq!(
            String::from_utf8(e.encode()).unwrap(),
            r#"{"v":1,"kind":"add","time":"2026-11-28T12:00Z","category":"Survivor","signer":"individual","display":"initials","name":"J. D.","details":"Lyon","comment":null,"commitment":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#
        );
        let r = LogEntry::remove(LogVersion::V1, 1_795_867_259, 17, RemovalReason::Withdrawn);
        assert_eq!(
            String::from_utf8(r.encode()).unwrap(),
            r#"{"v":1,"kind":"remove","time":"2026-11-28T12:00Z","removes":17,"reason":"withdrawn"}"#
        );
    }

    #[test]
    fn canonical_bytes_of_version_2() {
        let e = add_v2(DisplayLevel::Initials);
        let shown = STANDARD.encode(opening(DisplayLevel::Initials).unwrap().commitment());
        assert_eq!(
            String::from_utf8(e.encode()).unwrap(),
            format!(
                r#"{{"v":2,"kind":"add","time":"2026-11-28T12:00Z","category":"Survivor","signer":"individual","display":"initials","shown":"{shown}","commitment":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}}"#
            )
        );
        assert_eq!(
            String::from_utf8(add_v2(DisplayLevel::Private).encode()).unwrap(),
            r#"{"v":2,"kind":"add","time":"2026-11-28T12:00Z","category":"Survivor","signer":"individual","display":"private","shown":null,"commitment":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#
        );
        let r = LogEntry::remove(LogVersion::V2, 1_795_867_259, 17, RemovalReason::Hidden);
        assert_eq!(
            String::from_utf8(r.encode()).unwrap(),
            r#"{"v":2,"kind":"remove","time":"2026-11-28T12:00Z","removes":17,"reason":"hidden"}"#
        );
    }

    #[test]
    fn round_trip_and_privacy() {
        for display in DisplayLevel::ALL {
            for e in [add(display), add_v2(display)] {
                assert_eq!(LogEntry::decode(&e.encode()).unwrap(), e);
            }
        }
        let LogEntry::Add(private) = add(DisplayLevel::Private) else {
            panic!("an add entry")
        };
        assert_eq!(
            private.text,
            EntryText::Clear(Box::new(ClearText {
                name: None,
                details: None,
                comment: None
            }))
        );
        let LogEntry::Add(public) = add(DisplayLevel::Public) else {
            panic!("an add entry")
        };
        assert_eq!(
            public.clear_text().unwrap().comment.as_deref(),
            Some("Line one\nline \"two\"")
        );
        // Version 2 holds nothing of the text.
        for display in DisplayLevel::ALL {
            let bytes = String::from_utf8(add_v2(display).encode()).unwrap();
            for secret in ["Jane", "J. D.", "Lyon", "Director", "Line one"] {
                assert!(!bytes.contains(secret), "{secret} in {bytes}");
            }
        }
        let LogEntry::Add(private) = add_v2(DisplayLevel::Private) else {
            panic!("an add entry")
        };
        assert_eq!(private.text, EntryText::Committed(None));
        assert_eq!(private.version(), LogVersion::V2);
    }

    #[test]
    fn openings_open_their_entry_only() {
        let LogEntry::Add(entry) = add_v2(DisplayLevel::Public) else {
            panic!("an add entry")
        };
        let good = opening(DisplayLevel::Public).unwrap();
        assert!(good.opens(&entry));
        let mut other_salt = good.clone();
        other_salt.salt[0] ^= 1;
        assert!(!other_salt.opens(&entry));
        let mut other_name = good.clone();
        other_name.shown.shown_name = "Jane Do".into();
        assert!(!other_name.opens(&entry));
        let mut no_comment = good.clone();
        no_comment.shown.comment = None;
        assert!(!no_comment.opens(&entry));
        // Moving text from one field to the next changes the commitment.
        let split = |name: &str, details: Option<&str>| {
            shown_commitment(
                &[1; 32],
                &PublicSigner {
                    shown_name: name.into(),
                    details: details.map(Into::into),
                    comment: None,
                },
            )
        };
        assert_ne!(split("Ann", Some("Lee")), split("AnnL", Some("ee")));
        assert_ne!(split("Ann", Some("")), split("Ann", None));
        // A version 1 entry has nothing to open.
        let LogEntry::Add(v1) = add(DisplayLevel::Public) else {
            panic!("an add entry")
        };
        assert!(!good.opens(&v1));
        // The commitment as documented: tag ‖ salt ‖ fields.
        let mut by_hand = Sha256::new();
        by_hand.update(b"undersigned/v2/shown-commitment\n");
        by_hand.update([9; 32]);
        by_hand.update([1, 0, 0, 0, 0, 0, 0, 0, 8]);
        by_hand.update(b"Jane Doe");
        by_hand.update([1, 0, 0, 0, 0, 0, 0, 0, 14]);
        by_hand.update(b"Director, Lyon");
        by_hand.update([1, 0, 0, 0, 0, 0, 0, 0, 19]);
        by_hand.update(b"Line one\nline \"two\"");
        assert_eq!(good.commitment(), <[u8; 32]>::from(by_hand.finalize()));
    }

    #[test]
    fn refuses_non_canonical_and_malformed_entries() {
        let good = String::from_utf8(add(DisplayLevel::Public).encode()).unwrap();
        let good2 = String::from_utf8(add_v2(DisplayLevel::Public).encode()).unwrap();
        let private2 = String::from_utf8(add_v2(DisplayLevel::Private).encode()).unwrap();
        for bad in [
            good.replace("{\"v\":1,", "{ \"v\":1,"),
            good.replace("\"v\":1", "\"v\":3"),
            good.replace("\"v\":1", "\"v\":2"),
            good.replace("\"kind\":\"add\"", "\"kind\":\"remove\""),
            good.replace("T12:00Z", "T12:00:59Z"),
            good.replace("\"commitment\":\"", "\"commitment\":\"AA"),
            good.replace("}", ",\"extra\":1}"),
            good.replace(",\"commitment\"", ",\"shown\":null,\"commitment\""),
            r#"{"v":1,"kind":"add","time":"2026-11-28T12:00Z","category":"S","signer":"individual","display":"private","name":"Hidden Name","details":null,"comment":null,"commitment":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#.to_owned(),
            "not json".to_owned(),
            // Version 2: no text in clear, a commitment for shown signers only.
            good2.replace("\"v\":2", "\"v\":1"),
            good2.replace(",\"shown\"", ",\"name\":\"Jane Doe\",\"shown\""),
            good2.replace("\"shown\":\"", "\"shown\":\"AA"),
            good2.replace("\"display\":\"public\"", "\"display\":\"private\""),
            private2.replace("\"display\":\"private\"", "\"display\":\"initials\""),
            private2.replace("\"shown\":null,", ""),
            String::from_utf8(
                LogEntry::remove(LogVersion::V2, 0, 1, RemovalReason::Hidden).encode(),
            )
            .unwrap()
            .replace("\"removes\"", "\"shown\":null,\"removes\""),
        ] {
            assert!(LogEntry::decode(bad.as_bytes()).is_err(), "{bad}");
        }
        assert_eq!(
            LogEntry::decode(
                good2
                    .replace("\"display\":\"public\"", "\"display\":\"private\"")
                    .as_bytes()
            ),
            Err(EntryError::PrivateShown)
        );
        assert_eq!(
            LogEntry::decode(
                private2
                    .replace("\"display\":\"private\"", "\"display\":\"public\"")
                    .as_bytes()
            ),
            Err(EntryError::ShownMissing)
        );
    }

    #[test]
    fn organisation_entries_say_how_they_were_verified() {
        let org = add_v2(DisplayLevel::Public).by_organisation(Some(Verification::Domain));
        let text = String::from_utf8(org.encode()).unwrap();
        assert!(
            text.contains(
                r#""signer":"organisation","display":"public","verified":"domain","shown":""#
            ),
            "{text}"
        );
        assert_eq!(LogEntry::decode(text.as_bytes()).unwrap(), org);
        for verified in [None, Some(Verification::Organiser)] {
            let e = add(DisplayLevel::Public).by_organisation(verified);
            assert_eq!(LogEntry::decode(&e.encode()).unwrap(), e);
        }
        let unverified =
            String::from_utf8(add_v2(DisplayLevel::Public).by_organisation(None).encode()).unwrap();
        assert!(unverified.contains(r#""verified":null"#), "{unverified}");
        // Individuals have no `verified` key; organisations must have one.
        let individual = String::from_utf8(add_v2(DisplayLevel::Public).encode()).unwrap();
        assert!(!individual.contains("verified"));
        assert_eq!(
            LogEntry::decode(
                individual
                    .replace(
                        r#""display":"public","#,
                        r#""display":"public","verified":null,"#
                    )
                    .as_bytes()
            ),
            Err(EntryError::Extra("add", "verified"))
        );
        assert_eq!(
            LogEntry::decode(text.replace(r#""verified":"domain","#, "").as_bytes()),
            Err(EntryError::Missing("add", "verified"))
        );
        assert!(LogEntry::decode(text.replace("\"domain\"", "\"email\"").as_bytes()).is_err());
        // A remove entry never has one, and `by_organisation` leaves it alone.
        let r = LogEntry::remove(LogVersion::V2, 0, 1, RemovalReason::Hidden);
        assert_eq!(r.clone().by_organisation(Some(Verification::Domain)), r);
        let bad = String::from_utf8(r.encode())
            .unwrap()
            .replace(r#""removes""#, r#""verified":"domain","removes""#);
        assert_eq!(
            LogEntry::decode(bad.as_bytes()),
            Err(EntryError::Extra("remove", "verified"))
        );
    }

    #[test]
    fn versions() {
        assert_eq!(LogVersion::CURRENT, LogVersion::V2);
        for v in [LogVersion::V1, LogVersion::V2] {
            assert_eq!(LogVersion::from_number(v.number()), Some(v));
        }
        assert_eq!(LogVersion::from_number(3), None);
        assert_eq!(add(DisplayLevel::Public).version(), LogVersion::V1);
        assert_eq!(add_v2(DisplayLevel::Public).version(), LogVersion::V2);
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
        // A minute holds only what it can write back.
        let noon = Minute::parse("2026-11-28T12:00Z").unwrap();
        assert_eq!(noon, Minute::from_unix(1_795_867_259));
        assert_eq!(noon.to_string(), "2026-11-28T12:00Z");
        assert_eq!(format!("{noon:?}"), "\"2026-11-28T12:00Z\"");
        for bad in [
            "",
            "2026-11-28T12:00",
            "2026-11-28T12:00Zx",
            "2026-11-28T12:0éZ",
        ] {
            assert_eq!(Minute::parse(bad), None, "{bad}");
        }
        // Beyond what four digits of year can write: the nearest minute they can.
        assert_eq!(minute(i64::MAX), "9999-12-31T23:59Z");
        assert_eq!(minute(i64::MIN), "0000-01-01T00:00Z");
        assert_eq!(minute(-62_167_219_200), "0000-01-01T00:00Z");
    }

    #[test]
    fn a_malformed_time_is_refused_after_the_rest_of_the_entry() {
        let good =
            r#"{"v":2,"kind":"remove","time":"2026-11-28T12:00Z","removes":17,"reason":"hidden"}"#;
        assert!(LogEntry::decode(good.as_bytes()).is_ok());
        let bad_time = good.replace("2026-11-28T12:00Z", "2026-11-28T12:00");
        assert!(matches!(
            LogEntry::decode(bad_time.as_bytes()),
            Err(EntryError::Time)
        ));
        // Another fault in the same entry is the one named, as before.
        let both = bad_time.replace(r#","reason":"hidden""#, "");
        assert!(matches!(
            LogEntry::decode(both.as_bytes()),
            Err(EntryError::Missing("remove", "reason"))
        ));
    }
}
