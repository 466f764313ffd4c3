//! The wire formats of a letter's public log, and the checks anyone can run on them
//! (docs/log-format.md).
//!
//! The server writes with these types and the verifiers read with them, so there is one
//! definition of each format:
//!
//! - [`entry`]: the log entries, in their canonical encoding (format 1 with the text in
//!   clear, format 2 with a commitment to it and its [`entry::Opening`]), and the signer
//!   commitment;
//! - [`json`]: `counts.json`, `signatories.json`, the openings and the proof bodies;
//! - [`receipt`]: signers' receipts (written by [`receipt::Receipt::encode`], read by
//!   [`receipt::Receipt::parse`]) and their offline checks;
//! - [`letter`]: a letter's addresses and the origin line of its checkpoints;
//! - [`check`]: the auditor's pure checks (replaying a log, comparing what a site publishes
//!   with it, checking hash tiles);
//! - [`openings`]: the auditor's pure checks of a format 2 log's openings and of the names
//!   the letter page shows.
//!
//! With the `fetch` feature (on by default) come the checks that read a site over HTTP(S):
//! `audit` (`undersigned audit URL`), `receipt::check_online` (`undersigned receipt verify
//! --online`) and the client they share, `fetch`. The server and the store need only the
//! formats and depend on this crate without it. This crate depends on neither of them, so a
//! third party can build a verifier from it alone.

#![deny(missing_docs)]

#[cfg(feature = "fetch")]
pub mod audit;
pub mod check;
pub mod entry;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod json;
pub mod letter;
pub mod openings;
pub mod receipt;

#[cfg(all(test, feature = "fetch"))]
mod fake;

/// An error and its causes as one line, `outer: inner: innermost` (as the command line shows
/// them), for the tests' assertions on messages.
#[cfg(test)]
pub(crate) fn error_chain(error: impl std::error::Error + Send + Sync + 'static) -> String {
    format!("{:#}", anyhow::Error::new(error))
}
