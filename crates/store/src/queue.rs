//! The records of moderation: the commands a moderator's action becomes, the moderation
//! queue's filter, rows and pages, and the audit trail of one letter.

use undersigned_core::{
    DisplayLevel, SignatureKind, SignatureState, dedup::DuplicateKey, filter::VerificationFilter,
    moderation::Reason, organisation::Verification, signature::SignerDetails,
};

use crate::model::{Actor, Hash32, LetterId, SignatureId, Timestamp};

/// A moderator's action on one signature, applied by the writer with the log entry and the
/// counts it moves in the same transaction; the audit trail records it there too.
#[derive(Debug, Clone)]
pub struct ModerateCommand {
    pub actor: Actor,
    pub letter: LetterId,
    pub signature: SignatureId,
    pub action: ModerationAction,
    pub now: Timestamp,
    /// The salt of the add entry's commitment when the action publishes (approve, undo):
    /// 32 fresh random bytes, so an undone hide is not linkable to its first entry.
    pub salt: Hash32,
    /// Part of a bulk action (the audit trail says so).
    pub bulk: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationAction {
    /// Held → published: an add entry, counted.
    Approve,
    /// Published → hidden: a remove entry; the public opening is deleted at once, the sealed
    /// text is kept until `undo_until` so that the hide can be undone.
    Hide { undo_until: Timestamp },
    /// Hidden → published: a new add entry with a fresh opening (the log never rewrites).
    /// Refused once the undo window has passed.
    Undo,
    /// Held or published → rejected, with the organisers' reason; the signer's text is erased.
    Reject(Reason),
}

impl ModerationAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Hide { .. } => "hide",
            Self::Undo => "undo",
            Self::Reject(_) => "reject",
        }
    }
}

/// What a moderation command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationOutcome {
    Done,
    /// An approved signature on a sensitive letter waits for the letter's next batch.
    ApprovedForBatch,
    /// The hide can no longer be undone: its text was erased, or its window has passed.
    UndoExpired,
}

/// The moderation queue's filter as the store applies it (the server validates the query
/// string and turns an email search into its keyed hash).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub category: Option<i64>,
    pub kind: Option<SignatureKind>,
    /// Only organisation signatures, verified this way.
    pub verification: Option<VerificationFilter>,
    /// Any of these states (all when empty).
    pub states: Vec<SignatureState>,
    /// Signed at or after.
    pub from: Option<Timestamp>,
    /// Signed before.
    pub until: Option<Timestamp>,
    /// The signer with this address (its keyed hash).
    pub email: Option<DuplicateKey>,
    /// Names containing this lower-cased text (a bounded scan: names are sealed).
    pub name: Option<String>,
}

/// Where a page of the queue starts: after the signature signed at `created_at` with `id`
/// (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCursor {
    pub created_at: Timestamp,
    pub id: i64,
}

impl QueueRow {
    /// An organisation's signature that waits for an organiser to verify it: verifying
    /// publishes it, a plain approval would publish it unverified and is refused.
    pub fn awaits_verification(&self) -> bool {
        self.kind == SignatureKind::Organisation
            && self.verification.is_none()
            && self.state == SignatureState::Held
    }
}

/// A signature as the moderation queue shows it.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: SignatureId,
    pub kind: SignatureKind,
    /// For an organisation's signature: how it was verified (None: not yet).
    pub verification: Option<Verification>,
    pub log_index: Option<u64>,
    pub name: String,
    pub email: String,
    pub details: SignerDetails,
    pub display: DisplayLevel,
    pub state: SignatureState,
    pub category: String,
    pub created_at: Timestamp,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Until when its hide can be undone (None: not hidden, or the text is erased).
    pub undo_until: Option<Timestamp>,
}

/// A page of the queue.
#[derive(Debug, Clone, Default)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Where the next page starts, when there may be one.
    pub next: Option<QueueCursor>,
    /// How many signatures were looked at (a name search reads at most a bounded number of
    /// them per page).
    pub scanned: u64,
}

/// An event of one letter's audit trail.
#[derive(Debug, Clone)]
pub struct LetterAuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub user_name: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub reason: Option<String>,
}
