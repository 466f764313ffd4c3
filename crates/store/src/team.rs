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

/// An invitation as the team page names it (its row, its "Cancel" button): the SHA-256 of
/// its link's token, in hex. Never the token itself, which only the emailed link holds, so
/// the id cannot be used to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationId(Hash32);

impl InvitationId {
    pub fn from_hash(token_hash: Hash32) -> Self {
        Self(token_hash)
    }

    /// 64 lower-case hex digits, as [`std::fmt::Display`] writes them; anything else is
    /// `None`.
    pub fn parse(input: &str) -> Option<Self> {
        fn digit(c: u8) -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            }
        }
        let bytes = input.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut hash = [0u8; 32];
        for (byte, pair) in hash.iter_mut().zip(bytes.chunks_exact(2)) {
            *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
        }
        Some(Self(hash))
    }

    pub fn token_hash(&self) -> &Hash32 {
        &self.0
    }
}

impl std::fmt::Display for InvitationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// An invitation not used yet and not expired, for the team page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub id: InvitationId,
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

#[cfg(test)]
mod tests {
    use super::InvitationId;

    #[test]
    fn an_invitation_id_reads_back_what_it_writes_and_nothing_else() {
        let mut hash = [0u8; 32];
        hash[0] = 0xab;
        hash[31] = 0x09;
        let id = InvitationId::from_hash(hash);
        let text = id.to_string();
        assert_eq!(text.len(), 64);
        assert!(text.starts_with("ab00"));
        assert!(text.ends_with("09"));
        assert_eq!(InvitationId::parse(&text), Some(id));
        assert_eq!(InvitationId::parse(&text.to_uppercase()), None);
        assert_eq!(InvitationId::parse(&text[..63]), None);
        assert_eq!(InvitationId::parse(&format!("{text}0")), None);
        assert_eq!(InvitationId::parse(&format!("g{}", &text[1..])), None);
        assert_eq!(InvitationId::parse("1"), None);
        assert_eq!(InvitationId::parse(&"é".repeat(32)), None);
    }
}
