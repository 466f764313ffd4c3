//! The store, written once for both backends.
//!
//! This module is compiled twice: `sqlite/mod.rs` and `postgres/mod.rs` each include it
//! (with `#[path]`) right after their `dialect` module, which supplies what truly differs:
//! the sqlx types, how a write or a snapshot read begins, the lock clauses (as macros, so that
//! every statement stays one `&'static str`), which errors mean "try again" and which lost
//! races may be retried, and the few statements only one backend needs. Everything else (the
//! SQL, written with `$N` placeholders, which both drivers accept, and the logic) is here,
//! once. Migrations stay separate, one folder per backend.
//!
//! Why not generic code over `sqlx::Database`: every function that runs a statement would
//! have to repeat the bounds that make each bound value encodable and each connection an
//! executor (implied bounds do not reach them), which buries the SQL; compiling one module
//! against two dialects gives the same single source without them.

/// The condition of the verification filter on the placeholder `$N` (bound to a
/// `VerificationFilter`'s word, or NULL for any), for a statement that joins
/// `signature_organisations o` to `signatures s` (LEFT JOIN): `verified` (by domain or an
/// organiser), `domain`, `organiser`, or `unverified` (an organisation's signature that no
/// one verified yet). Each but NULL keeps organisation signatures only.
macro_rules! verified {
    ($param:literal) => {
        concat!(
            "(",
            $param,
            " IS NULL OR (s.kind = 'organisation' AND CASE
                WHEN ",
            $param,
            " = 'verified' THEN o.verified IS NOT NULL
                WHEN ",
            $param,
            " = 'unverified' THEN o.verified IS NULL
                ELSE o.verified = ",
            $param,
            " END))"
        )
    };
}

/// Whether the signature `s` of the letter `l` awaits re-confirmation: it was signed on a
/// version older than the letter's last change of substance (`letter_counts.awaiting` counts
/// the published ones), as a column `awaiting`.
macro_rules! awaiting {
    () => {
        "COALESCE(s.version, 1) < l.reconfirm_from AS awaiting"
    };
}

/// The read of just published signatures that `batch::published_from` makes their log
/// entries from, with the condition that picks them.
macro_rules! published {
    ($($condition:tt)+) => {
        concat!(
            "SELECT s.id, s.letter_id, s.category_id, s.name, s.title, s.affiliation, s.city,
                    s.country, s.comment, s.show_city, s.display_level, s.email,
                    c.name AS category, l.log_version, o.name AS organisation, o.verified, ",
            awaiting!(),
            "
             FROM signatures s JOIN letter_categories c ON c.id = s.category_id
             JOIN letters l ON l.id = s.letter_id
             LEFT JOIN signature_organisations o ON o.signature_id = s.id",
            $($condition)+
        )
    };
}

mod asks;
mod batch;
mod branding;
mod confirming;
mod copy;
mod deliveries;
mod exports;
mod family;
mod fanout;
mod languages;
mod letters;
mod log;
mod mail_limits;
mod moderation;
mod organisers;
mod outbox;
mod personal;
mod retention;
mod seal;
mod signing;
mod team;
mod updates;
mod versions;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use sqlx::{Pool, Transaction, pool::PoolConnection};

use super::dialect::{self, DIALECT, Db};
use crate::{StoreError, sealed::Keyring};

/// A connection of this backend.
type Conn = <Db as sqlx::Database>::Connection;
/// A row of this backend.
type DbRow = <Db as sqlx::Database>::Row;

/// The statements and choices that differ between backends (each `dialect.rs` has one,
/// `DIALECT`, beside its lock and list macros and its error classification).
pub(crate) struct Dialect {
    /// The backend's name, for messages.
    pub name: &'static str,
    /// Starts a write transaction.
    pub begin_write: &'static str,
    /// Starts a read whose statements all see one snapshot.
    pub begin_read: &'static str,
    /// Whether a batch applies its commands in one global lock order (see `batch.rs`)
    /// rather than in the order they came.
    pub order_commands_by_locks: bool,
    /// Run first when setting up the instance, so that two setups cannot both succeed.
    pub setup_lock: Option<&'static str>,
    /// Run first when logging the signatures published before logs.
    pub backfill_lock: Option<&'static str>,
}

pub(crate) use batch::backfill_logs;

/// How long a batch's connection stays with the writer, unused, before the next batch
/// takes one from the pool instead. In a surge batches follow each other within
/// milliseconds, and the kept connection saves each a check-out and a health check; a
/// connection idle for longer is checked again by the pool, so that one the database
/// closed while the writer was idle (a restart) fails no batch.
const KEEP_WRITER_IDLE: Duration = Duration::from_secs(2);

/// A writer's connection between two batches, and since when.
type KeptConnection = (PoolConnection<Db>, Instant);

/// The store on this backend: a pool of connections, and the keyring that seals personal
/// data.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: Pool<Db>,
    keyring: Arc<Keyring>,
    /// The writer's connections between two batches (one per writer task), with when each
    /// was given back: a batch that takes one back skips the pool's check-out and its health
    /// check, and finds the connection's thread (on SQLite) and statement cache as the last
    /// batch left them. See [`KEEP_WRITER_IDLE`].
    writers: Arc<Mutex<Vec<KeptConnection>>>,
}

impl SqlStore {
    /// A store over `pool`, whose database is migrated, sealing with `keyring`.
    pub(super) fn new(pool: Pool<Db>, keyring: Arc<Keyring>) -> Self {
        Self {
            pool,
            keyring,
            writers: Arc::default(),
        }
    }

    /// Starts a write transaction.
    async fn begin_write(&self) -> Result<Transaction<'static, Db>, StoreError> {
        self.pool
            .begin_with(DIALECT.begin_write)
            .await
            .ctx("starting a write")
    }

    /// A connection for a batch: the one an earlier batch gave back a moment ago, or one
    /// from the pool.
    async fn writer_connection(&self) -> Result<PoolConnection<Db>, StoreError> {
        let kept = self.kept_writers().pop();
        match kept {
            Some((conn, since)) if since.elapsed() < KEEP_WRITER_IDLE => Ok(conn),
            // Back to the pool (dropped), which checks a connection before lending it.
            _ => self.pool.acquire().await.ctx("starting a batch"),
        }
    }

    /// Keeps a connection whose batch committed for the next batch, unless the writers keep
    /// half the pool already: reads and the mail worker always have the other half (a pool
    /// of one keeps none). One whose batch failed goes back to the pool instead.
    fn keep_writer_connection(&self, conn: PoolConnection<Db>) {
        let half = self.pool.options().get_max_connections() / 2;
        let mut kept = self.kept_writers();
        if kept.len() < half as usize {
            kept.push((conn, Instant::now()));
        }
    }

    fn kept_writers(&self) -> std::sync::MutexGuard<'_, Vec<KeptConnection>> {
        self.writers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a read whose statements all see one snapshot.
    async fn begin_read(&self) -> Result<Transaction<'static, Db>, StoreError> {
        self.pool
            .begin_with(DIALECT.begin_read)
            .await
            .ctx("starting a read")
    }
}

#[async_trait]
impl crate::Store for SqlStore {
    async fn close(&self) {
        // The pool waits for every connection checked out of it.
        self.kept_writers().clear();
        self.pool.close().await;
    }
}

/// Classifies sqlx errors: "try again later" ([`StoreError::Unavailable`]) when the pool or
/// the connection fails or the dialect says the database cannot do the work for now;
/// otherwise a database error.
pub(crate) fn classify(error: sqlx::Error, context: &'static str) -> StoreError {
    let unavailable = match &error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => dialect::unavailable(db.as_ref()),
        _ => false,
    };
    let source = Box::new(error);
    if unavailable {
        StoreError::Unavailable { context, source }
    } else {
        StoreError::Database { context, source }
    }
}

/// Context for sqlx results: what the store was doing, and whether to try again.
/// Runs a statement built for one batch. Its text differs with the number of rows, so it is
/// prepared for this run and not kept in the connection's statement cache: kept, every pooled
/// connection would hold a hundred of them, a few hundred kilobytes each, seldom used again.
async fn execute_built(
    conn: &mut Conn,
    mut query: sqlx::QueryBuilder<Db>,
    context: &'static str,
) -> Result<(), StoreError> {
    query
        .build()
        .persistent(false)
        .execute(&mut *conn)
        .await
        .ctx(context)?;
    Ok(())
}

/// The rows of a statement built for one batch (see [`execute_built`]).
async fn fetch_built(
    conn: &mut Conn,
    mut query: sqlx::QueryBuilder<Db>,
    context: &'static str,
) -> Result<Vec<DbRow>, StoreError> {
    query
        .build()
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .ctx(context)
}

pub(crate) trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Ctx<T> for Result<T, sqlx::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| classify(e, context))
    }
}

pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Whether a failed batch lost a race with another transaction (and so can run again),
/// rather than failing because the database is down, locked or full.
fn lost_race(error: &StoreError) -> bool {
    match error {
        StoreError::Unavailable { source, .. } => source.downcast_ref::<sqlx::Error>().is_some_and(
            |e| matches!(e, sqlx::Error::Database(db) if dialect::retryable(db.as_ref())),
        ),
        _ => false,
    }
}

/// Whether the database can hold `text`: PostgreSQL's TEXT cannot contain U+0000, and no
/// stored value contains one on either backend, so a lookup by such a value (a login form's
/// raw email, say) finds nothing without asking.
fn storable(text: &str) -> bool {
    !text.contains('\0')
}
