//! The records of an organiser's export: a letter's signatures with everything stored about
//! each, read a page at a time (keyset pagination) so that a letter of any size streams.

use undersigned_core::{
    DisplayLevel, SignatureKind, SignatureState, organisation::Verification,
    signature::SignerDetails,
};

use crate::model::{SignatureId, Timestamp};

/// Where a page of an export starts: after the signature signed at `signed_at` with id `id`
/// (the export is ordered by signing time, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCursor {
    pub signed_at: Timestamp,
    pub id: SignatureId,
}

impl ExportCursor {
    /// Before the first signature.
    pub const START: ExportCursor = ExportCursor {
        signed_at: Timestamp::MIN,
        id: SignatureId(i64::MIN),
    };
}

/// A signature as an organiser's export holds it: the signer's contact details included,
/// whatever their display level.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub id: SignatureId,
    pub kind: SignatureKind,
    pub state: SignatureState,
    pub category: String,
    pub display: DisplayLevel,
    pub name: String,
    pub email: String,
    pub details: SignerDetails,
    /// When the form was sent.
    pub signed_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub published_at: Option<Timestamp>,
    /// Its add entry in the letter's log, while it has one.
    pub log_index: Option<u64>,
    /// For an organisation's signature: the organisation.
    pub organisation: Option<ExportOrganisation>,
    /// Whether the signer asked for updates about the letter.
    pub updates: bool,
}

/// The organisation an organisation's signature was made for, as its organisers see it.
#[derive(Debug, Clone)]
pub struct ExportOrganisation {
    pub name: String,
    /// The website as the signer gave it (tidied).
    pub website: String,
    /// The website's domain.
    pub domain: String,
    /// How it was verified (None: not yet).
    pub verification: Option<Verification>,
    /// The content hash of its logo (hex), served at `/logos/{hex}.png`.
    pub logo: Option<String>,
}

impl ExportRow {
    /// The cursor of the page that follows this row.
    pub fn cursor(&self) -> ExportCursor {
        ExportCursor {
            signed_at: self.signed_at,
            id: self.id,
        }
    }
}
