//! The records of the organiser team: members, invitations, password resets and the second
//! factor (TOTP), as [`crate::TeamStore`] takes and hands them out.

use undersigned_core::{Role, dedup::RecipientKey};

use crate::{Hash32, Timestamp, UserId, Workspace, rules::MailLimits};

/// A member of a workspace, as its team page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// An invitation an owner sends: its link's token hash, who is invited (lower-cased) with
/// which role, and the email to queue (recipient and parameters, sealed by the store).
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub token_hash: Hash32,
    pub email: String,
    pub role: Role,
    pub now: Timestamp,
    pub expires_at: Timestamp,
    /// The email's parameters (JSON), rendered by the mail worker.
    pub email_params: String,
}

/// An invitation not used yet and not expired, for the team page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub expires_at: Timestamp,
}

/// What an invitation link offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub workspace: Workspace,
    pub email: String,
    pub role: Role,
    pub expires_at: Timestamp,
    /// Whether an organiser account with the invited address exists already.
    pub has_account: bool,
}

/// Why a change to the team was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TeamRefusal {
    #[error("a workspace must keep at least one owner")]
    LastOwner,
    #[error("this address is a member already")]
    AlreadyMember,
}

/// "Forgot password": the link to store and the email to queue when the address has an
/// account (and its budget allows), and what the budget is keyed by.
#[derive(Debug, Clone)]
pub struct ResetRequest {
    /// Lower-cased.
    pub email: String,
    pub recipient_key: RecipientKey,
    pub limits: MailLimits,
    pub token_hash: Hash32,
    pub now: Timestamp,
    pub expires_at: Timestamp,
    pub email_params: String,
}

/// An organiser's second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRecord {
    /// The secret, base32.
    pub secret: String,
    /// False while it is being set up (until a code confirms it).
    pub enabled: bool,
}

/// A login waiting for its second factor.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    pub token_hash: Hash32,
    pub user: UserId,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}
