//! Organiser roles in a workspace, and what each may do.

use std::{fmt, str::FromStr};

/// An organiser's role. Each role can do everything the roles after it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Viewer,
    Moderator,
    Editor,
    Owner,
}

/// Something an organiser may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See letters, signatures (including private signers) and the audit trail.
    View,
    /// Hold, publish, hide or reject signatures.
    Moderate,
    /// Create, edit, publish and close letters.
    EditLetters,
    /// Add members and change their roles.
    ManageMembers,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Editor, Role::Moderator, Role::Viewer];

    pub fn allows(self, permission: Permission) -> bool {
        let needed = match permission {
            Permission::View => Role::Viewer,
            Permission::Moderate => Role::Moderator,
            Permission::EditLetters => Role::Editor,
            Permission::ManageMembers => Role::Owner,
        };
        self >= needed
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
            Role::Viewer => "viewer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose a role: owner, editor, moderator or viewer.")]
pub struct RoleError;

impl FromStr for Role {
    type Err = RoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or(RoleError)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_ordered() {
        assert!(Role::Owner.allows(Permission::ManageMembers));
        assert!(!Role::Editor.allows(Permission::ManageMembers));
        assert!(Role::Editor.allows(Permission::EditLetters));
        assert!(!Role::Moderator.allows(Permission::EditLetters));
        assert!(Role::Moderator.allows(Permission::Moderate));
        assert!(!Role::Viewer.allows(Permission::Moderate));
        assert!(Role::Viewer.allows(Permission::View));
    }

    #[test]
    fn round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("admin".parse::<Role>().is_err());
    }
}
