//! What PostgreSQL does differently from SQLite, for the store written once in `sql/`.
//!
//! Several app-server processes may share one database, each with its own batching writer
//! and mail worker, so this dialect cannot lean on the single writer that SQLite's
//! `BEGIN IMMEDIATE` gives for free:
//!
//! - Transactions run at READ COMMITTED. Every read-then-write locks what it read
//!   (`SELECT … FOR UPDATE`, or `FOR SHARE` on a letter whose state a batch relies on), and
//!   every count-changing update is conditional on the state it changes from.
//! - Deadlocks and serialization failures between processes are retried where a retry is
//!   safe (the hot-path batch); elsewhere they answer "try again" (503).
//! - A batch takes its row locks in one global order, so two processes' batches rarely
//!   deadlock.
//! - Reads that assemble one record from several queries run in one REPEATABLE READ, READ
//!   ONLY transaction, which gives them one snapshot (SQLite's read transactions do that too).

use sqlx::{error::DatabaseError, postgres::Postgres};

use super::sql::Dialect;

use crate::copy::TABLES;

pub(crate) type Db = Postgres;

pub(crate) const DIALECT: Dialect = Dialect {
    name: "PostgreSQL",
    // READ COMMITTED, PostgreSQL's default.
    begin_write: "BEGIN",
    begin_read: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    // So that two batches that touch the same signers lock them in the same order.
    order_commands_by_locks: true,
    // Two processes' setup links used at once: the second waits here, then sees the
    // first's organiser. (Inserts into users wait too; this happens once per instance.)
    setup_lock: Some("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"),
    // Processes that start together take turns logging the signatures published before
    // logs; the later ones find nothing left.
    backfill_lock: Some("SELECT pg_advisory_xact_lock(7243501762)"),
};

/// A lock clause, as written: `lock!(FOR UPDATE)`, `lock!(FOR SHARE OF l)`,
/// `lock!(FOR UPDATE SKIP LOCKED)`.
macro_rules! lock {
    ($($clause:tt)+) => {
        concat!(" ", stringify!($($clause)+))
    };
}

/// Text compared byte by byte, as SQLite does, whatever the database's locale.
macro_rules! bytewise {
    () => {
        " COLLATE \"C\""
    };
}

/// The type of a column of bytes, for `CAST(column AS <bytes_type!()>)`: text written before a
/// column held bytes compares as its bytes.
macro_rules! bytes_type {
    () => {
        "BYTEA"
    };
}

/// `column <in_list!("$N")>`: whether the column's value is in the array bound as `$N` with
/// [`id_list`].
macro_rules! in_list {
    ($param:literal) => {
        concat!("= ANY(", $param, ")")
    };
}

/// The value to bind for an [`in_list!`] of integers: an array.
pub(crate) fn id_list(ids: &[i64]) -> Vec<i64> {
    ids.to_vec()
}

/// Deadlock (40P01) or serialization failure (40001): the transaction lost a race with
/// another one and can be run again from the start.
pub(crate) fn retryable(error: &dyn DatabaseError) -> bool {
    matches!(error.code().as_deref(), Some("40001" | "40P01"))
}

/// Whether a database error means "try again later": connection trouble, exhausted
/// resources, lock and statement timeouts, shutdowns and lost races between processes.
pub(crate) fn unavailable(error: &dyn DatabaseError) -> bool {
    error.code().is_some_and(|code| unavailable_code(&code))
}

/// Whether a SQLSTATE means the database is (for now) unable to do the work, as opposed to
/// the work being wrong.
fn unavailable_code(code: &str) -> bool {
    // Class 08: connection exceptions. Class 53: insufficient resources (53100 disk full,
    // 53200 out of memory, 53300 too many connections).
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            // A read-only server (a standby after a failover).
            "25006"
            // lock_not_available: lock_timeout, or NOWAIT.
            | "55P03"
            // query_canceled: statement_timeout (or an administrator's cancel).
            | "57014"
            // admin_shutdown, crash_shutdown, cannot_connect_now (starting up).
            | "57P01" | "57P02" | "57P03"
            // io_error on the server.
            | "58030"
            // Lost races: reaching here means retrying did not help, or was not safe.
            | "40001" | "40P01"
        )
}

/// The copied rows kept their ids: move every identity sequence past them, so that the next
/// row the server inserts does not collide.
pub(crate) async fn after_copy(pool: &sqlx::Pool<Db>) -> Result<(), sqlx::Error> {
    for table in TABLES.iter().filter(|t| t.identity) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'),
                           COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
            table.name
        )))
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// What to run after values were overwritten so that their old bytes are gone from the files:
/// nothing the application can do (PostgreSQL's dead tuples go with VACUUM, its WAL with
/// its archiving settings: see README, "Personal data at rest").
pub(crate) async fn after_erase(_pool: &sqlx::Pool<Db>) -> Result<(), sqlx::Error> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_that_mean_try_again() {
        for code in [
            "08006", "08001", "53100", "53300", "55P03", "57014", "57P01", "40001", "40P01",
        ] {
            assert!(unavailable_code(code), "{code}");
        }
        // Unique, foreign key and check violations, syntax errors: the work is wrong.
        for code in ["23505", "23503", "23514", "42601", "22P02"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
