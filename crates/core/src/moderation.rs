//! Moderation: what a moderator may do to a signature, and the reason a rejection needs. The
//! queue's filters are [`crate::filter::SignatureFilter`], shared with the exports.

use std::{fmt, str::FromStr};

use crate::{
    SignatureState,
    text::{Lines, TextError, clean},
    unknown::{UnknownValue, parse_name},
};

/// Why a moderator rejects a signature: required, one to 500 characters, on one line. The
/// organisers' own words: recorded in the audit trail and shown to organisers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(input: &str) -> Result<Self, ReasonError> {
        clean(input, Self::MAX_CHARS, Lines::Single)
            .map(Self)
            .map_err(|e| match e {
                TextError::Empty => ReasonError::Missing,
                other => ReasonError::Invalid(other),
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Give a reason for rejecting: the other organisers see it in the audit trail.")]
    Missing,
    #[error("The reason: {0}")]
    Invalid(TextError),
}

/// A moderator's action on one signature (or, in bulk, on each of many).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Held → published.
    Approve,
    /// Published → hidden (a remove entry), undoable for a while.
    Hide,
    /// Hidden → published again (a new add entry).
    Undo,
    /// Held or published → rejected, with a reason.
    Reject,
}

impl Action {
    pub const ALL: [Action; 4] = [Self::Approve, Self::Hide, Self::Undo, Self::Reject];
    /// The actions that can be applied in bulk.
    pub const BULK: [Action; 3] = [Self::Approve, Self::Hide, Self::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Hide => "hide",
            Self::Undo => "undo",
            Self::Reject => "reject",
        }
    }

    /// The verb for a page: "approve", "hide", "restore", "reject".
    pub fn verb(self) -> &'static str {
        match self {
            Self::Undo => "restore",
            other => other.as_str(),
        }
    }

    /// The states a signature may be in for this action.
    pub fn applies_to(self) -> &'static [SignatureState] {
        match self {
            Self::Approve => &[SignatureState::Held],
            Self::Hide => &[SignatureState::Published],
            Self::Undo => &[SignatureState::Hidden],
            Self::Reject => &[SignatureState::Held, SignatureState::Published],
        }
    }
}

impl FromStr for Action {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "moderation action", s.trim())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_reason() {
        assert_eq!(Reason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            Reason::parse("Duplicate  of #12").unwrap().as_str(),
            "Duplicate of #12"
        );
        assert!(Reason::parse(&"x".repeat(501)).is_err());
    }
}
