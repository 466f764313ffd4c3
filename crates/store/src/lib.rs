//! Storage for Undersigned: the [`Store`] trait, the records it hands out, and its SQLite
//! and PostgreSQL implementations. Handlers never see SQL; they call the trait.
//!
//! The implementation is written once (`sql/`) and compiled against each backend's small
//! dialect module (`sqlite/dialect.rs`, `postgres/dialect.rs`), which holds what truly
//! differs; each backend keeps its own migrations.
//!
//! The hot path (signing and confirming) goes through [`BatchStore::commit_batch`]: many
//! commands in one transaction, each command isolated by a savepoint, so a bad command fails
//! alone while a database that is busy or full fails the whole batch (and nothing is
//! half-written).

// `sql/` is compiled once per backend, on purpose (see `sql/mod.rs`).
#![allow(clippy::duplicate_mod)]

pub mod copy;
mod error;
pub mod files;
pub mod log;
mod model;
pub mod postgres;
pub mod rules;
pub mod sealed;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub(crate) use error::parse_stored;
pub use error::{Result, StoreError};
pub use model::*;

/// Everything the server needs from a database. One implementation, compiled for each
/// backend; its methods are grouped by concern in the traits it extends, which each file of
/// the implementation implements.
#[async_trait]
pub trait Store:
    OrganiserStore
    + LetterStore
    + BatchStore
    + LogStore
    + OutboxStore
    + SealStore
    + RetentionStore
    + BrandingStore
    + Send
    + Sync
    + 'static
{
    /// Closes the pool (used on shutdown).
    async fn close(&self);
}

/// The instance, organisers, workspaces, sessions and the audit trail.
#[async_trait]
pub trait OrganiserStore: Send + Sync {
    /// Records `fingerprint` as the instance key's on first use; afterwards answers whether
    /// it matches the recorded one (every process must use the same key).
    async fn check_instance_key(&self, fingerprint: &str) -> Result<bool>;
    /// How many organisers exist (0 means the instance still needs setting up).
    async fn user_count(&self) -> Result<u64>;
    /// Stores a one-time setup link's token hash (each process that starts on an empty
    /// instance prints its own link; expired ones are dropped). Setting up consumes them all.
    async fn add_setup_token(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// Whether `token_hash` is the current, unexpired setup token and no organiser exists.
    async fn setup_token_valid(&self, token_hash: Hash32, now: Timestamp) -> Result<bool>;
    /// Creates the first workspace and its owner, consuming the setup token, in one
    /// transaction. `NotFound` when the token is wrong or expired, `Conflict` when an organiser
    /// exists already.
    async fn complete_setup(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        workspace: NewWorkspace,
        owner: NewUser,
    ) -> Result<(WorkspaceId, UserId)>;

    /// `Conflict("email")` when the address is taken.
    async fn create_user(&self, user: NewUser) -> Result<UserId>;
    /// Replaces an organiser's password hash and ends their sessions.
    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()>;
    /// Looks a user up by lower-cased email.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// `Conflict("slug")` when the slug is taken.
    async fn create_workspace(&self, workspace: NewWorkspace) -> Result<WorkspaceId>;
    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>>;
    /// Adds a member or changes their role.
    async fn set_membership(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        role: undersigned_core::Role,
    ) -> Result<()>;
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>>;

    async fn create_session(&self, session: NewSession) -> Result<()>;
    /// The live session with this id hash, if any.
    async fn session(&self, id_hash: Hash32, now: Timestamp) -> Result<Option<Session>>;
    async fn delete_session(&self, id_hash: Hash32) -> Result<()>;

    async fn audit_events(&self, workspace: WorkspaceId, limit: u32) -> Result<Vec<AuditEvent>>;
    /// Records an organiser action that has no store method of its own (imports, say).
    async fn record_audit(
        &self,
        actor: Actor,
        action: &str,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> Result<()>;
}

/// Letters, and the signatures as organisers and the public read them.
#[async_trait]
pub trait LetterStore: Send + Sync {
    /// `Conflict("slug")` when the slug is taken.
    async fn create_letter(
        &self,
        actor: Actor,
        content: &undersigned_core::letter::LetterContent,
        now: Timestamp,
    ) -> Result<LetterId>;
    /// Replaces a draft's content. `WrongState` unless the letter is a draft.
    async fn update_letter(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &undersigned_core::letter::LetterContent,
        now: Timestamp,
    ) -> Result<()>;
    /// Moves a letter between states. `WrongState` when it is not in a state that allows it.
    async fn change_letter_state(
        &self,
        actor: Actor,
        letter: LetterId,
        to: undersigned_core::LetterState,
        now: Timestamp,
    ) -> Result<()>;
    async fn letter(&self, id: LetterId) -> Result<Option<Letter>>;
    async fn letter_by_slug(&self, slug: &str) -> Result<Option<Letter>>;
    /// The letters of every workspace the user is a member of, most recently changed first.
    async fn letters_for_user(&self, user: UserId) -> Result<Vec<LetterSummary>>;
    /// Letters the public can see (open, closed, delivered), newest first.
    async fn public_letters(&self, limit: u32) -> Result<Vec<LetterSummary>>;

    /// Published signatures per category (every category of the letter, zeros included).
    async fn counts(&self, letter: LetterId) -> Result<Counts>;
    /// Published signatures that the public may see (not private ones), newest first, with
    /// the log size they were read at.
    async fn public_signatures(
        &self,
        letter: LetterId,
        listing: PublicListing,
        limit: u32,
    ) -> Result<SignatoryPage>;
    /// Every signature of a letter with the signer's contact details, newest first.
    async fn organiser_signatures(
        &self,
        letter: LetterId,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SignatureRecord>>;
    /// What a confirmation link points at, for the page that shows the button.
    async fn confirmation_link(&self, token_hash: Hash32) -> Result<Option<ConfirmationLink>>;
    /// The organisations' signatures of a letter held for an organiser to verify, with the
    /// evidence (oldest confirmation first; at most 500).
    async fn held_organisations(&self, letter: LetterId) -> Result<Vec<HeldOrganisation>>;
}

/// The hot path: signing, confirming, imports and removals, many to a transaction.
#[async_trait]
pub trait BatchStore: Send + Sync {
    /// Applies a batch of hot-path commands in one transaction. The outer error means the
    /// whole batch was rolled back (e.g. the database is busy); the inner results are per
    /// command, in order. Other processes' writers may commit batches on the same database
    /// at the same time (PostgreSQL): a batch that loses a deadlock to one of them is run
    /// again from the start, and the results are those of the run that committed.
    async fn commit_batch(&self, commands: Vec<WriteCommand>) -> Result<Vec<Result<WriteOutcome>>>;
    /// The sensitive letters' batches due at `now`: for each letter holding signatures
    /// confirmed before its latest batch boundary, the command that publishes them.
    async fn due_releases(&self, now: Timestamp) -> Result<Vec<ReleaseCommand>>;
}

/// The letters' logs, for the public log resources and receipts.
#[async_trait]
pub trait LogStore: Send + Sync {
    /// The log's size and root.
    async fn log_head(&self, letter: LetterId) -> Result<LogHead>;
    /// Stored hashes of the log's Merkle tree, in the order asked for. `Corrupt` when one
    /// is missing.
    async fn log_hashes(&self, letter: LetterId, indexes: &[u64]) -> Result<Vec<Hash32>>;
    /// Entries `start..end` of the log.
    async fn log_entries(&self, letter: LetterId, start: u64, end: u64) -> Result<Vec<Vec<u8>>>;
    /// The openings of the entries `start..end` of a format 2 log that are public now, and
    /// the log size they were read at (one snapshot).
    async fn log_openings(&self, letter: LetterId, start: u64, end: u64) -> Result<OpeningsPage>;
    /// What a receipt needs, for the signature confirmed with this link (None when the link
    /// is unknown or its signature is not in the log).
    async fn receipt(&self, token_hash: Hash32) -> Result<Option<ReceiptData>>;
}

/// The email outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Leases up to `limit` due emails to `worker` until `lease_until`, so that no other
    /// worker takes them.
    async fn claim_outbox(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboxEmail>>;
    /// Marks an email sent and forgets its recipient and parameters. False when `worker` no
    /// longer holds its lease.
    async fn outbox_sent(&self, id: i64, worker: &str, now: Timestamp) -> Result<bool>;
    /// Records a failed attempt (`error` is a short code); `retry_at` None means give up.
    async fn outbox_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()>;
    /// Emails not sent yet (pending, including leased ones).
    async fn outbox_pending(&self) -> Result<u64>;
    /// Forgets the records of the limits on email that no longer limit anything at `now`
    /// (recipients' budgets whose day is over, domains' counts of past hours); returns how
    /// many went.
    async fn prune_mail_limits(&self, now: Timestamp) -> Result<u64>;
}

/// Personal data sealed at rest (see [`sealed`]): resealing under the keyring's current key.
#[async_trait]
pub trait SealStore: Send + Sync {
    /// How many rows hold sealed fields, for a progress bar.
    async fn sealed_rows(&self) -> Result<u64>;
    /// Seals again, under the keyring's current key, every sealed field that is not sealed
    /// under it (text from before sealing included), a chunk of rows per transaction, while
    /// the server runs; `progress` hears how many rows a pass has gone through. Returns how
    /// many values changed. Running it again after an interruption goes on where it stopped.
    async fn reseal(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<u64>;
    /// [`SealStore::reseal`], unless a reseal under the keyring's current key completed
    /// before (the server runs it at start: once after the upgrade that introduced sealing,
    /// and after a rotation was interrupted).
    async fn reseal_if_needed(&self) -> Result<u64>;
    /// The data keys that seal at least one stored value.
    async fn keys_in_use(&self) -> Result<std::collections::BTreeSet<sealed::KeyId>>;
}

/// Retention: signers' personal data erased a workspace's chosen number of days after each of
/// its letters closes, keeping the counts, the log's entries and their commitments.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// The workspace's retention in days (None: kept until the letter is deleted).
    async fn retention(&self, workspace: WorkspaceId) -> Result<Option<RetentionDays>>;
    /// Sets or clears the workspace's retention, with an audit event.
    async fn set_retention(
        &self,
        actor: Actor,
        days: Option<RetentionDays>,
        now: Timestamp,
    ) -> Result<()>;
    /// Whether, when and how the letter's signers' personal data was erased.
    async fn erasure(&self, letter: LetterId) -> Result<Option<Erasure>>;
    /// Erases the personal data of every letter whose retention ran out by `now`, a letter
    /// per transaction, each with an audit event; returns what it erased.
    async fn erase_due(&self, now: Timestamp) -> Result<Vec<Erasure>>;
}

/// Logos, and how a workspace presents itself as the host of its letters.
#[async_trait]
pub trait BrandingStore: Send + Sync {
    /// Stores a logo; storing one with the same hash again does nothing.
    async fn put_logo(&self, logo: NewLogo<'_>, now: Timestamp) -> Result<()>;
    /// A stored logo's PNG bytes.
    async fn logo(&self, reference: undersigned_core::logo::LogoRef) -> Result<Option<Vec<u8>>>;
    /// The workspace's name, website and logo (None when there is no such workspace).
    async fn branding(&self, workspace: WorkspaceId) -> Result<Option<Branding>>;
    /// Renames the actor's workspace, sets its website and changes its logo as told (a logo
    /// set must have been stored first), with an audit event.
    async fn set_branding(
        &self,
        actor: Actor,
        branding: &Branding,
        logo: LogoChange,
        now: Timestamp,
    ) -> Result<()>;
}

/// The store the server holds.
pub type DynStore = Arc<dyn Store>;
