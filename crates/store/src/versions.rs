//! Versions of a published letter's text: organisers' edits after publication, each a
//! numbered version logged by its hash, and the re-confirmation a change of substance asks
//! of earlier signers.

use async_trait::async_trait;

use crate::{Actor, LetterId, Result, SignatureId, Timestamp, model::Hash32};

/// A new text for a published letter, as the organiser's form gives it (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub title: String,
    pub subject: String,
    pub body_md: String,
    /// A change of substance (earlier signers are asked to re-confirm), not a correction.
    pub substantive: bool,
    /// A short note shown publicly beside the version.
    pub note: Option<String>,
}

/// One version of a letter's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterVersion {
    /// 1 is the text as first published.
    pub number: u64,
    pub title: String,
    pub subject: String,
    pub body_md: String,
    /// SHA-256 of its canonical bytes (`undersigned_verify::entry::canonical_text`).
    pub sha256: Hash32,
    pub substantive: bool,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// What an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditedText {
    /// The new version's number.
    pub number: u64,
    /// How many earlier signers are to be asked to re-confirm (by the fan-out it started).
    pub asked: u64,
}

/// What a re-confirmation link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconfirmation {
    pub letter: LetterId,
    pub signature: SignatureId,
    pub letter_slug: String,
    /// The version the signature was signed (or last re-confirmed) on.
    pub signed_on: u64,
    /// The letter's current version.
    pub current: u64,
    /// Whether the signature is still published (a withdrawn one cannot re-confirm).
    pub published: bool,
}

/// Editing published letters' texts, their versions, and re-confirming.
#[async_trait]
pub trait VersionStore: Send + Sync {
    /// Replaces the text of a letter in the actor's workspace that is open or closed
    /// (`WrongState` otherwise; `NotFound` if it is not the actor's), in one transaction:
    /// version 1 (the text as published) is recorded first if this is the first edit, then
    /// the new version, each with its text entry in the letter's log and an audit event.
    /// A change of substance also starts a fan-out (see `UpdateStore::fan_out_batch`) that
    /// queues, through the outbox, one re-confirmation email to every published signer on
    /// an earlier version, each with a record of its own, and ends any earlier change's
    /// unfinished one (its signers are asked about this version instead); `email_params` is
    /// the email's JSON, to which each one's token is added as `reconfirm_token`.
    async fn edit_text(
        &self,
        actor: Actor,
        letter: LetterId,
        edit: &TextEdit,
        email_params: &str,
        now: Timestamp,
    ) -> Result<EditedText>;
    /// The letter's recorded versions, oldest first (empty until its first edit).
    async fn letter_versions(&self, letter: LetterId) -> Result<Vec<LetterVersion>>;
    /// What the re-confirmation link with this token hash points at.
    async fn reconfirmation(&self, token_hash: Hash32) -> Result<Option<Reconfirmation>>;
    // Re-confirming is a command to the writer: `WriteCommand::Reconfirm`.
}
