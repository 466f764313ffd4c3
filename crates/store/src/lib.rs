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
mod delivery;
mod error;
pub mod exports;
mod family;
pub mod files;
pub mod languages;
pub mod log;
mod model;
pub mod postgres;
mod queue;
pub mod rules;
pub mod sealed;
pub mod sqlite;
mod team;
pub mod updates;
pub mod versions;

use std::sync::Arc;

use async_trait::async_trait;

pub use delivery::*;
pub(crate) use error::parse_stored;
pub use error::{Result, StoreError};
pub use exports::{ExportCursor, ExportOrganisation, ExportRow};
pub use family::*;
pub use languages::*;
pub use model::*;
pub use queue::*;
pub use team::*;
pub use updates::*;
pub use versions::*;

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
    + ModerationStore
    + BrandingStore
    + TeamStore
    + ExportStore
    + AskStore
    + UpdateStore
    + VersionStore
    + DeliveryStore
    + FamilyStore
    + LanguageStore
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
    /// Published signatures (withdrawn, hidden and pending ones left out) per UTC day of
    /// publication, oldest day first, days without any left out.
    async fn signatures_by_day(&self, letter: LetterId) -> Result<Vec<DayCount>>;
    /// How many of the letter's signatures are in each state (`pending`, `published`, …),
    /// states without any left out.
    async fn signature_states(&self, letter: LetterId) -> Result<Vec<(String, u64)>>;
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
    /// The organisations' signatures of a letter that are held or published, with the
    /// evidence for verifying them (oldest confirmation first; at most 1,000).
    async fn organisation_signatures(&self, letter: LetterId)
    -> Result<Vec<OrganisationSignature>>;
    /// Pins a published organisation's signature to the head of the letter's grid, or
    /// unpins it, with an audit event. `NotFound` when the letter has no such published
    /// organisation signature.
    async fn pin_organisation(
        &self,
        actor: Actor,
        letter: LetterId,
        signature: SignatureId,
        pinned: bool,
        now: Timestamp,
    ) -> Result<()>;
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
    /// Does on the caller's thread what a command needs before its batch and need not wait
    /// for it: seals an individual's sign-up. The writer commits one batch at a time, so
    /// what its callers do in parallel it does not do in turn. Commands not prepared are
    /// committed all the same.
    fn prepare(&self, command: &mut WriteCommand);
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
    /// Extends `worker`'s leases on the emails `ids` that it still holds (and has not
    /// finished) until `until`: a worker keeps short leases alive while it works, so that
    /// the emails of a worker that died are free again soon.
    async fn renew_outbox_leases(&self, worker: &str, ids: &[i64], until: Timestamp) -> Result<()>;
    /// Marks the emails `ids` sent and forgets their recipients and parameters, in one
    /// statement. Returns how many were marked: an email `worker` no longer holds the lease
    /// of is not.
    async fn outbox_sent(&self, ids: &[i64], worker: &str, now: Timestamp) -> Result<u64>;
    /// Records the emails `ids`, which a limit withheld (their reason is stored already), as
    /// given up, in one statement: nothing is sent for them.
    async fn outbox_withheld(&self, ids: &[i64], worker: &str) -> Result<()>;
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

/// The organiser team: members, invitations, password resets and the second factor.
#[async_trait]
pub trait TeamStore: Send + Sync {
    /// Every workspace, by slug.
    async fn workspaces(&self) -> Result<Vec<Workspace>>;
    /// The workspace's members, by name.
    async fn members(&self, workspace: WorkspaceId) -> Result<Vec<Member>>;
    /// Stores an invitation to the actor's workspace and queues its email, with an audit
    /// event, in one transaction. `Err(Ok(AlreadyMember))` when the address is a member.
    async fn invite(
        &self,
        actor: Actor,
        invitation: NewInvitation,
    ) -> Result<std::result::Result<(), TeamRefusal>>;
    /// The workspace's invitations that are neither used nor expired at `now`.
    async fn pending_invitations(
        &self,
        workspace: WorkspaceId,
        now: Timestamp,
    ) -> Result<Vec<PendingInvitation>>;
    /// Cancels a pending invitation of the actor's workspace, so that its link no longer
    /// works, with an audit event, in one transaction. `NotFound` when it was used,
    /// cancelled, has expired at `now`, or belongs to another workspace.
    async fn cancel_invitation(
        &self,
        actor: Actor,
        invitation: InvitationId,
        now: Timestamp,
    ) -> Result<()>;
    /// The invitation with this token hash, if it is neither used nor expired at `now`.
    async fn invitation(&self, token_hash: Hash32, now: Timestamp) -> Result<Option<Invitation>>;
    /// Uses the invitation to create its invitee's account and membership, with an audit
    /// event. `NotFound` when it is used or expired, `Conflict("email")` when the address
    /// has an account already (nothing changes then).
    async fn accept_invitation_as_new(
        &self,
        token_hash: Hash32,
        user: NewUser,
    ) -> Result<(WorkspaceId, UserId)>;
    /// Uses the invitation to add the existing organiser `user`, whose address it was sent
    /// to, to its workspace (a member already keeps their role). `NotFound` when it is used
    /// or expired, `Conflict("email")` when it was sent to another address.
    async fn accept_invitation_as(
        &self,
        token_hash: Hash32,
        user: &User,
        now: Timestamp,
    ) -> Result<WorkspaceId>;
    /// Changes a member's role, with an audit event. `NotFound` when they are not a member;
    /// `Err(Ok(LastOwner))` when it would leave the workspace without an owner.
    async fn change_role(
        &self,
        actor: Actor,
        member: UserId,
        role: undersigned_core::Role,
        now: Timestamp,
    ) -> Result<std::result::Result<(), TeamRefusal>>;
    /// Removes a member (and their sessions' access to the workspace), with an audit event.
    /// `NotFound` when they are not a member; `Err(Ok(LastOwner))` for the last owner.
    async fn remove_member(
        &self,
        actor: Actor,
        member: UserId,
        now: Timestamp,
    ) -> Result<std::result::Result<(), TeamRefusal>>;

    /// "Forgot password": whether or not the address has an account, the same statements
    /// run (a lookup, the recipient's budget, a reset link stored or looked up, an outbox
    /// row: the email, or the record that none went), so that neither the page nor its
    /// timing says whether the account exists.
    async fn request_password_reset(&self, request: ResetRequest) -> Result<()>;
    /// Whether the reset link is unused and unexpired at `now`.
    async fn password_reset_valid(&self, token_hash: Hash32, now: Timestamp) -> Result<bool>;
    /// Uses the reset link: sets the password, ends every session of the user and spends
    /// their other reset links. `NotFound` when the link is used or expired.
    async fn complete_password_reset(
        &self,
        token_hash: Hash32,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<UserId>;

    /// Changes an organiser's password from their account page: the new hash, every session
    /// of theirs but `keep` (the one that asked) and every login waiting for its second step
    /// ended, their unused reset links spent, and an audit event, in one transaction.
    /// `NotFound` when the user does not exist.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: Hash32,
        now: Timestamp,
    ) -> Result<()>;

    /// The organiser's second factor, if they have begun or finished setting one up.
    async fn totp(&self, user: UserId) -> Result<Option<TotpRecord>>;
    /// Stores a new secret (base32) for a second factor being set up, replacing one being
    /// set up. `WrongState` when a second factor is on.
    async fn begin_totp(&self, user: UserId, secret: &str, now: Timestamp) -> Result<()>;
    /// Turns the second factor on, spending the time step whose code confirmed it and
    /// storing the recovery codes' hashes. `WrongState` unless one is being set up.
    async fn enable_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_codes: &[Hash32],
        now: Timestamp,
    ) -> Result<()>;
    /// Turns the second factor off and forgets its recovery codes.
    async fn disable_totp(&self, user: UserId, now: Timestamp) -> Result<()>;
    /// Spends the time step `step` of the user's second factor: false when it (or a later
    /// one) was used already, so that a code works once.
    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool>;
    /// Spends a recovery code: false when it is unknown or used.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: Hash32,
        now: Timestamp,
    ) -> Result<bool>;
    /// How many unused recovery codes the user has.
    async fn recovery_codes_left(&self, user: UserId) -> Result<u64>;
    /// Stores a login waiting for its second factor (and forgets expired ones).
    async fn create_login_challenge(&self, challenge: NewChallenge) -> Result<()>;
    /// Counts an attempt at the challenge and returns its user, unless the challenge is
    /// unknown, expired or has had `max_attempts` already.
    async fn login_challenge_attempt(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        max_attempts: u32,
    ) -> Result<Option<User>>;
    /// Forgets the challenge (the login finished).
    async fn end_login_challenge(&self, token_hash: Hash32) -> Result<()>;
}

/// Exports of a letter's signatures, a page at a time (keyset pagination), so that a letter
/// of any size streams without being read into memory.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// How many of the letter's signatures `filter` lets through (for a progress bar).
    async fn export_count(
        &self,
        letter: LetterId,
        filter: &undersigned_core::SignatureFilter,
    ) -> Result<u64>;
    /// Up to `limit` of the letter's signatures that `filter` lets through, after `after`,
    /// by signing time then id, with their personal fields opened.
    async fn export_page(
        &self,
        letter: LetterId,
        filter: &undersigned_core::SignatureFilter,
        after: ExportCursor,
        limit: u32,
    ) -> Result<Vec<ExportRow>>;
    /// Records in the audit trail that personal data was exported: by the organiser `by`,
    /// or from the command line (None).
    async fn record_export(
        &self,
        workspace: WorkspaceId,
        by: Option<UserId>,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> Result<()>;
}

/// Moderation: the per-letter setting, the queue, the audit trail of a letter, and the
/// erasure of hidden signatures' text once their undo window has passed. The actions
/// themselves go through the writer ([`WriteCommand::Moderate`]).
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// Whether the letter publishes confirmed signatures or holds them for review, with an
    /// audit event. Held signatures stay held when review is switched off.
    async fn set_moderation(
        &self,
        actor: Actor,
        letter: LetterId,
        moderation: undersigned_core::letter::Moderation,
        now: Timestamp,
    ) -> Result<()>;
    /// A page of the letter's signatures matching `filter`, newest first, after `after`:
    /// at most `limit` rows, looking at no more than `scan` signatures when the filter
    /// matches names (which are sealed, so they are opened and compared one by one).
    async fn queue(
        &self,
        letter: LetterId,
        filter: &QueueFilter,
        after: Option<QueueCursor>,
        limit: u32,
        scan: u32,
    ) -> Result<QueuePage>;
    /// One signature of the letter, as the queue shows it.
    async fn queue_row(&self, letter: LetterId, signature: SignatureId)
    -> Result<Option<QueueRow>>;
    /// The letter's signatures among `ids` that match `filter`, as the queue shows them.
    async fn queue_members(
        &self,
        letter: LetterId,
        filter: &QueueFilter,
        ids: &[i64],
    ) -> Result<Vec<QueueRow>>;
    /// Records an organiser action on the letter that has no store method of its own (the
    /// summary of a bulk action, say).
    async fn record_letter_audit(
        &self,
        actor: Actor,
        letter: LetterId,
        action: &str,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// The letter's audit trail, newest first, events before the one with id `before`.
    async fn letter_audit(
        &self,
        letter: LetterId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LetterAuditEvent>>;
    /// Erases the sealed text of hidden signatures whose undo window ended by `now` (the
    /// hide can no longer be undone); returns how many, per letter.
    async fn erase_expired_hides(&self, now: Timestamp) -> Result<Vec<(LetterId, u64)>>;
}

/// What a letter asks of its targets, the status of each ask per target (a history), and the
/// targets' responses with their documents. Every change is audited in its transaction.
#[async_trait]
pub trait AskStore: Send + Sync {
    /// The letter's targets, asks, status changes and responses.
    async fn letter_asks(&self, letter: LetterId) -> Result<LetterAsks>;
    /// Adds an ask at the end of the list. `WrongState` when the letter is archived,
    /// `Conflict("asks")` when it has [`undersigned_core::asks::MAX_ASKS`] already.
    async fn add_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &undersigned_core::asks::AskContent,
        now: Timestamp,
    ) -> Result<AskId>;
    /// Changes an ask's text and condition. `NotFound` when the letter has no such ask.
    async fn edit_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        ask: AskId,
        content: &undersigned_core::asks::AskContent,
        now: Timestamp,
    ) -> Result<()>;
    /// Moves an ask one place up or down (nothing happens at either end).
    async fn move_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        ask: AskId,
        direction: AskMove,
        now: Timestamp,
    ) -> Result<()>;
    /// Removes an ask and its status history.
    async fn remove_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        ask: AskId,
        now: Timestamp,
    ) -> Result<()>;
    /// Records a change of an ask's status with a target. `NotFound` when the ask or the
    /// target is not the letter's; `WrongState` unless the letter is published (open,
    /// closed or delivered).
    async fn change_ask_status(
        &self,
        actor: Actor,
        letter: LetterId,
        change: &NewAskStatus,
        now: Timestamp,
    ) -> Result<()>;
    /// Records a target's response. `NotFound` when the target is not the letter's;
    /// `WrongState` unless the letter is published.
    async fn add_response(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &ResponseContent,
        document: Option<DocumentRef<'_>>,
        now: Timestamp,
    ) -> Result<ResponseId>;
    /// Changes a response, and its document as told.
    async fn edit_response(
        &self,
        actor: Actor,
        letter: LetterId,
        response: ResponseId,
        content: &ResponseContent,
        document: DocumentChange<'_>,
        now: Timestamp,
    ) -> Result<()>;
    /// Deletes a response and its document.
    async fn delete_response(
        &self,
        actor: Actor,
        letter: LetterId,
        response: ResponseId,
        now: Timestamp,
    ) -> Result<()>;
    /// The document attached to the letter's response, if there is one.
    async fn response_document(
        &self,
        letter: LetterId,
        response: ResponseId,
    ) -> Result<Option<StoredDocument>>;
}

/// The store the server holds.
pub type DynStore = Arc<dyn Store>;

/// Delivery: the targets' addresses, closing dates, and the deliveries of a letter.
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// The delivery address of each of the letter's targets, in the targets' order.
    async fn delivery_addresses(&self, letter: LetterId) -> Result<Vec<Option<String>>>;
    /// Sets the delivery address of each target (None clears it), in the targets' order.
    /// `WrongState` unless the letter is published (its targets are fixed then) and not
    /// archived; `Invalid` when the list does not match the targets. Audited.
    async fn set_delivery_addresses(
        &self,
        actor: Actor,
        letter: LetterId,
        addresses: &[Option<undersigned_core::email::EmailAddress>],
        now: Timestamp,
    ) -> Result<()>;
    /// Sets or clears the time an open letter stops taking signatures. `WrongState` unless
    /// the letter is a draft or open. Audited.
    async fn set_closing(
        &self,
        actor: Actor,
        letter: LetterId,
        closes_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()>;
    /// Closes the open letters whose closing time has come (audited, by nobody), and
    /// returns them.
    async fn close_due(&self, now: Timestamp) -> Result<Vec<LetterId>>;
    /// Schedules a delivery. `WrongState` unless the letter is open, closed or delivered;
    /// `Conflict` when one is already scheduled. Audited.
    async fn schedule_delivery(&self, delivery: NewDelivery) -> Result<DeliveryId>;
    /// Cancels a scheduled delivery of the letter. `NotFound` when there is none with this
    /// id; `WrongState` when it is done or cancelled. Audited.
    async fn cancel_delivery(
        &self,
        actor: Actor,
        letter: LetterId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<()>;
    /// The letter's deliveries, newest first, with their recipients.
    async fn deliveries(&self, letter: LetterId) -> Result<Vec<Delivery>>;
    /// Scheduled deliveries whose time has come (and whose retry time, after a failure).
    async fn due_deliveries(&self, now: Timestamp) -> Result<Vec<DueDelivery>>;
    /// Records a finished delivery and queues its emails, in one transaction. False (and
    /// nothing written) when the delivery is no longer scheduled: cancelled meanwhile, or
    /// finished by another process.
    async fn complete_delivery(&self, done: CompletedDelivery) -> Result<bool>;
    /// Records that an attempt failed (`error`: a short code), to try again at `retry_at`.
    async fn delivery_failed(
        &self,
        delivery: DeliveryId,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<()>;
    /// A finished delivery's PDF and the letter it belongs to.
    async fn delivery_document(&self, delivery: DeliveryId) -> Result<Option<(LetterId, Vec<u8>)>>;
}
