//! What the PostgreSQL tests share beyond testkit: `undersigned serve` as a child process on
//! a given database, behind one public address, and a connection of the test's own.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

pub use undersigned_testkit::{
    Captured, MailSink, Page, ServerProcess, Site, client, client_with_cookie, eventually,
    fixtures::{OWNER_EMAIL, OWNER_NAME, OWNER_PASSWORD, letter_fields},
    html::{hidden_value, radio_values},
    plain_client,
    process::{copy_instance_key, undersigned},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_undersigned");

/// The address people reach the site at, the same for every process, as behind a load
/// balancer. Links in emails point there; the tests send each request to the process they
/// choose, with this as the Origin, as a browser on the site would.
pub const PUBLIC_URL: &str = "http://letters.undersigned.test";

/// How long each step of a test took, to show at the end.
pub struct Laps {
    start: Instant,
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Laps {
    pub fn start() -> Self {
        let now = Instant::now();
        Self {
            start: now,
            last: now,
            laps: Vec::new(),
        }
    }

    /// Ends the step called `what`.
    pub fn lap(&mut self, what: &'static str) {
        self.laps.push((what, self.last.elapsed()));
        self.last = Instant::now();
    }
}

impl std::fmt::Display for Laps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (what, took) in &self.laps {
            writeln!(f, "{:>8.2?}  {what}", took)?;
        }
        write!(f, "{:>8.2?}  in all", self.start.elapsed())
    }
}

// --- the server process -----------------------------------------------------------------

/// `undersigned serve` on `database` with its own data folder `data`, sending email to
/// `smtp_url`, with JSON logs (the writer's batches at debug) and generous rate limits.
fn serve(data: &Path, database: &str, smtp_url: &str) -> Command {
    let mut command = undersigned(BIN, data);
    command
        .env("UNDERSIGNED_DATABASE_URL", database)
        .env("UNDERSIGNED_PUBLIC_URL", PUBLIC_URL)
        .env("UNDERSIGNED_SMTP_URL", smtp_url)
        .env("UNDERSIGNED_SIGN_LIMIT_PER_10MIN", "100000")
        .env("UNDERSIGNED_LOGIN_LIMIT_PER_15MIN", "1000")
        .env("UNDERSIGNED_LOG_FORMAT", "json")
        // The writer logs each batch it commits (at debug), with its size.
        .env(
            "UNDERSIGNED_LOG",
            "info,undersigned_server::services::writer=debug",
        );
    command
}

/// Starts a process on `database` (see [`serve`]); returns once it answers `/healthz`. Its
/// forms are posted with [`PUBLIC_URL`] as their Origin.
pub async fn start(name: &str, data: &Path, database: &str, smtp_url: &str) -> ServerProcess {
    ServerProcess::start(name, serve(data, database, smtp_url))
        .await
        .with_origin(PUBLIC_URL)
}

/// Starts a process that must refuse to start; returns what it printed.
pub async fn start_refused(name: &str, data: &Path, database: &str, smtp_url: &str) -> String {
    ServerProcess::start_refused(name, serve(data, database, smtp_url)).await
}

/// The size of every batch the process's writer committed, as far as its logs were read.
pub fn batches(server: &ServerProcess) -> Vec<u64> {
    server
        .logs()
        .iter()
        .filter(|r| r["fields"]["message"] == "batch committed")
        .filter_map(|r| r["fields"]["size"].as_u64())
        .collect()
}

// --- the database -----------------------------------------------------------------------

/// A connection pool of the test's own on the servers' database: to look at rows no page
/// shows (the outbox) and to simulate time passing.
pub async fn db(url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap()
}
