//! The wire formats of a letter's public log, and the checks anyone can run on them
//! (docs/log-format.md). It depends on neither the server nor the store, so a third party
//! can build a verifier from it alone.
//!
//! - [`entry`]: the log entries, in their canonical encoding, and the signer commitment.

#![deny(missing_docs)]

pub mod entry;
