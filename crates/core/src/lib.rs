//! The Undersigned domain, free of I/O.
//!
//! Every type here validates when it is parsed, so that code holding one can rely on it:
//! an [`EmailAddress`] is a plausible address, a [`Slug`] is safe in a URL, a [`PersonName`]
//! has no control characters and a bounded length. The rules that decide what a signer sees
//! ([`signature::public_display`]) and how duplicates are found ([`dedup::DuplicateKey`])
//! live here too, so that the server and the store share one definition.

pub mod asks;
pub mod colour;
pub mod dedup;
pub mod delivery;
pub mod email;
pub mod filter;
pub mod language;
pub mod letter;
pub mod logo;
pub mod markdown;
pub mod moderation;
pub mod organisation;
pub mod role;
pub mod signature;
pub mod slug;
pub mod text;
pub mod unknown;
pub mod update;
pub mod version;

pub use colour::Colour;
pub use email::EmailAddress;
pub use filter::{SignatureFilter, SignatureFilterInput, SignatureKind};
pub use letter::{FieldRequirement, LetterState, SignerField, SignerFields};
pub use role::Role;
pub use signature::{DisplayLevel, SignatureState};
pub use slug::Slug;
pub use text::{PersonName, TextError};
pub use unknown::UnknownValue;
