//! Test support shared by the suites: what a test needs around the application, written once.
//!
//! - [`mail`]: a real SMTP server in the test process ([`MailSink`]) that keeps what it
//!   receives ([`Captured`]), and the `.eml` files the server writes when it has no SMTP
//!   server.
//! - [`http`]: the clients the suites use (a browser that keeps cookies, a plain client, one
//!   that carries a given cookie), [`Page`] (a response read whole), and [`Site`], the
//!   requests a browser makes to a running server, in process or not.
//! - [`html`]: reading values, errors and radio buttons out of a page.
//! - [`process`]: the `undersigned` binary as a child process ([`ServerProcess`]), with its
//!   output captured, stopped when dropped.
//! - [`postgres`]: which backend a suite runs on ([`backend`]) and a throwaway PostgreSQL
//!   cluster ([`PgCluster`], [`fresh_postgres_database`]).
//! - [`fixtures`]: fictional test data (the owner, a valid letter).
//! - [`pdf`]: the text of a PDF, as a reader gets it.
//! - Here: [`free_port`] and [`eventually`], which polls until something is true.
//!
//! The application under test itself is started by each suite: the server's API suite runs it
//! in process (`TestApp` in `crates/server/tests/api/app.rs`), the command line's suites run
//! the binary through [`process`]. That keeps this crate below the server: every crate can
//! use it as a dev-dependency without building the server.

#![warn(missing_docs)]
// Test support: a helper that cannot do its job fails the test, so it may unwrap.
#![allow(clippy::unwrap_used)]

use std::{
    net::TcpListener,
    time::{Duration, Instant},
};

pub mod fixtures;
pub mod html;
pub mod http;
pub mod images;
pub mod mail;
pub mod pdf;
pub mod postgres;
pub mod process;

pub use http::{Page, Site, client, client_with_cookie, install_crypto_provider, plain_client};
pub use mail::{Captured, MailSink};
pub use postgres::{Backend, PgCluster, backend, fresh_postgres_database, shared_cluster};
pub use process::ServerProcess;

/// How often [`eventually`] and the helpers built on it look again.
pub const POLL: Duration = Duration::from_millis(50);

pub(crate) fn try_free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A loopback port that nothing listened on a moment ago.
pub fn free_port() -> u16 {
    try_free_port().expect("a free loopback port")
}

/// Polls `probe` every [`POLL`] until it returns `Some`, for at most `timeout`; then panics,
/// saying it was waiting for `what`. For what happens in the background (an email sent, a
/// process started, a count seen by another process), never to let time pass.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn eventually_returns_the_first_answer() {
        let mut tries = 0;
        let got = eventually(Duration::from_secs(5), "the third try", || {
            tries += 1;
            let n = tries;
            async move { (n == 3).then_some(n) }
        })
        .await;
        assert_eq!(got, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "waiting for nothing")]
    async fn eventually_gives_up_and_says_what_it_waited_for() {
        eventually(Duration::from_millis(120), "nothing", || async {
            None::<()>
        })
        .await;
    }

    #[test]
    fn free_ports_can_be_bound() {
        let port = free_port();
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }
}
