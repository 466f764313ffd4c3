//! Tests that need PostgreSQL: `undersigned` processes on a throwaway cluster (see
//! `undersigned-testkit`). They always run on PostgreSQL, whatever `UNDERSIGNED_TEST_BACKEND`
//! says, and fail when the cluster cannot start. Built only when asked for:
//!
//! ```text
//! cargo test -p undersigned --features postgres-tests --test postgres
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod copy;
mod support;
mod two_processes;
