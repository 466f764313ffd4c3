//! Tests of the `undersigned` binary as a user runs it: a real process, real signals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod commands;
mod export;
mod keys;
mod leak;
mod log;
mod process;

/// The signatures `undersigned demo` imports: 36 people and 8 organisations.
pub const DEMO_SIGNATURES: u64 = 44;
