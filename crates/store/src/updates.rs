//! Updates on published letters: what organisers post, the fan-out that queues one email per
//! opted-in signer, and the unsubscribe links in those emails.

use async_trait::async_trait;
use undersigned_core::update::{Source, UpdateContent};

use crate::{
    Actor, LetterId, Result, SignatureId, Timestamp, family::InvitationRunId, model::Hash32,
};

/// An update's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UpdateId(pub i64);

impl std::fmt::Display for UpdateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A posted update, as the letter page and the feed show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterUpdate {
    pub id: UpdateId,
    pub letter: LetterId,
    pub title: String,
    pub body_md: String,
    pub sources: Vec<Source>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    /// Whether every opted-in signer's email has been queued.
    pub fanout_done: bool,
    /// How many signers have been queued an email of it.
    pub recipients: u64,
}

impl LetterUpdate {
    /// The update as the form edits it.
    pub fn content(&self) -> UpdateContent {
        UpdateContent {
            title: self.title.clone(),
            body_md: self.body_md.clone(),
            sources: self.sources.clone(),
        }
    }
}

/// A fan-out: one email to each of many signers, queued a batch per transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fanout {
    /// An update's email, to the signers who asked for updates.
    Update(UpdateId),
    /// A change of substance's request to re-confirm (version `number` of the letter's
    /// text), to its published signers on earlier versions.
    Reconfirm { letter: LetterId, number: u64 },
    /// A run of "Invite past signers": an invitation to sign a copy of a letter, to the
    /// published signers of its family's earlier letters who asked for updates, once per
    /// duplicate key, never to one who signed the copy already.
    Invite(InvitationRunId),
}

/// A fan-out a worker has leased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanoutJob {
    pub fanout: Fanout,
    pub letter: LetterId,
}

/// What one batch of a fan-out did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanoutProgress {
    /// Queued this many emails; more signers are left.
    More(u64),
    /// Queued this many emails, and every opted-in signer now has one.
    Done(u64),
    /// The worker no longer holds the lease (it expired and another worker took it, the
    /// update was deleted, a later change of substance replaced the re-confirmation, or
    /// the invitation run was finished by another worker):
    /// nothing was queued.
    Lost,
}

/// What an unsubscribe link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub letter: LetterId,
    pub signature: SignatureId,
    pub letter_slug: String,
    pub letter_title: String,
    /// Whether the signer still gets updates.
    pub subscribed: bool,
}

/// Updates, their fan-out to opted-in signers, and unsubscribing.
#[async_trait]
pub trait UpdateStore: Send + Sync {
    /// Posts an update on the letter (which must be in the actor's workspace, and open,
    /// closed or delivered: `WrongState` otherwise), with an audit event; its fan-out is
    /// then due. `email_params` is the email's JSON, to which each recipient's unsubscribe
    /// token is added as `unsubscribe_token`.
    async fn post_update(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &UpdateContent,
        email_params: &str,
        now: Timestamp,
    ) -> Result<UpdateId>;
    /// Changes an update's text and sources, with an audit event. Emails already queued
    /// are not sent again; signers not emailed yet get the new text. `NotFound` when the
    /// letter has no such update.
    async fn edit_update(
        &self,
        actor: Actor,
        letter: LetterId,
        update: UpdateId,
        content: &UpdateContent,
        email_params: &str,
        now: Timestamp,
    ) -> Result<()>;
    /// Deletes an update (its text is blanked and it is no longer shown; its fan-out
    /// stops), with an audit event. `NotFound` when the letter has no such update.
    async fn delete_update(
        &self,
        actor: Actor,
        letter: LetterId,
        update: UpdateId,
        now: Timestamp,
    ) -> Result<()>;
    /// The letter's updates, newest first.
    async fn letter_updates(&self, letter: LetterId) -> Result<Vec<LetterUpdate>>;
    /// Leases to `worker`, until `lease_until`, a fan-out that is not done and whose lease
    /// (if any) ran out by `now`: the oldest update's, else the oldest re-confirmation's,
    /// else the oldest invitation run.
    /// Several processes may call this at once.
    async fn claim_fanout(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<FanoutJob>>;
    /// Reads, in one transaction, the signers of the fan-out's letter (for an invitation
    /// run: of its family's earlier letters, one letter after the other) in the order they
    /// signed, from where the last batch stopped, until it has `limit` it asks (or has read
    /// ten times that), and queues the fan-out's email to those it asks (for an update:
    /// opted in, confirmed or published; for a re-confirmation: published, on an earlier
    /// version; for an invitation: see [`Fanout::Invite`]), with a record per signer (an
    /// update recipient, a re-confirmation request or an invitation); extends the lease to
    /// `lease_until`, and marks the fan-out done when no one is left. The work of a batch
    /// does not grow with the signers read before it, nor with how many it passes over.
    async fn fan_out_batch(
        &self,
        fanout: Fanout,
        worker: &str,
        limit: u32,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<FanoutProgress>;
    /// What the unsubscribe link with this token hash points at.
    async fn subscription(&self, token_hash: Hash32) -> Result<Option<Subscription>>;
    /// Stops the updates of the signature whose link has this token hash. False when no
    /// link has it.
    async fn unsubscribe(&self, token_hash: Hash32) -> Result<bool>;
}
