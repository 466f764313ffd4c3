//! Letter families (issue 11, item 6): a letter sent again to another target is a draft copy
//! in the family of the first, and the past signers of the family who asked for updates are
//! invited by email to add their signature to the copy. Adding it is a POST through the
//! writer ([`crate::WriteCommand::JoinFamily`]); nothing is copied without that.

use async_trait::async_trait;
use undersigned_core::{DisplayLevel, LetterState, Slug};

use crate::{Actor, CategoryId, LetterId, Result, Timestamp, model::Hash32};

/// A run of "Invite past signers" on a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvitationRunId(pub i64);

/// A run as the organiser's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRun {
    pub id: InvitationRunId,
    pub created_at: Timestamp,
    /// How many past signers it has invited so far.
    pub invited: u64,
    pub done: bool,
}

/// What an invitation link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyInvitation {
    /// The letter the signer is invited to sign.
    pub letter: LetterId,
    /// The category of the new letter with the name of the one they signed under before
    /// (None: the new letter has no such category).
    pub category: Option<CategoryId>,
    /// The name of the category they signed under before.
    pub category_name: String,
    /// How they chose to be shown before.
    pub display: DisplayLevel,
    /// Whether they signed for an organisation.
    pub organisation: bool,
    /// Whether the link was used already.
    pub used: bool,
}

/// Families of letters and the invitations to their past signers.
#[async_trait]
pub trait FamilyStore: Send + Sync {
    /// Creates a draft copy of `from` (which must be in the actor's workspace) at `slug`: its
    /// title, subject, body, signer fields, categories with their display rules, moderation,
    /// batches and asks, no target and no signature, in `from`'s family; audited.
    /// `Conflict("slug")` when the slug is taken, `NotFound` when the letter is not the
    /// actor's workspace's.
    async fn copy_letter(
        &self,
        actor: Actor,
        from: LetterId,
        slug: &Slug,
        now: Timestamp,
    ) -> Result<LetterId>;
    /// Every letter of the letter's family with its state, the first first (just the letter
    /// when it has no family).
    async fn family(&self, letter: LetterId) -> Result<Vec<(LetterId, LetterState)>>;
    /// Starts inviting the past signers of the letter's family (audited), or goes on with
    /// the run that is not finished: the run is a fan-out ([`crate::Fanout::Invite`]) that
    /// the fan-out job queues a batch at a time. `WrongState` unless the letter is open;
    /// `WrongState { what: "family" }` when it has no earlier letter in its family.
    /// `email_params` is the email's JSON, to which each invitation's token is added as
    /// `token`.
    async fn start_invitations(
        &self,
        actor: Actor,
        letter: LetterId,
        email_params: &str,
        now: Timestamp,
    ) -> Result<InvitationRunId>;
    /// The letter's runs, newest first.
    async fn invitation_runs(&self, letter: LetterId) -> Result<Vec<InvitationRun>>;
    /// What the invitation link with this token hash points at.
    async fn family_invitation(&self, token_hash: Hash32) -> Result<Option<FamilyInvitation>>;
}

/// A past signer adds their signature to the letter they were invited to sign: a new
/// signature, confirmed at once (the email link proved the address), shown at `display`.
#[derive(Debug, Clone)]
pub struct JoinFamilyCommand {
    pub token_hash: Hash32,
    /// The caller has checked that the new letter's category allows it.
    pub display: DisplayLevel,
    /// Whether they want updates about the new letter.
    pub updates: bool,
    pub now: Timestamp,
    /// The salt of the signer's commitment in the log (32 random bytes).
    pub salt: Hash32,
}
