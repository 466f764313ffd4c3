//! What SQLite does differently from PostgreSQL, for the store written once in `sql/`.
//!
//! One writer at a time is SQLite's nature: a write transaction starts with `BEGIN IMMEDIATE`
//! (so that one that reads before it writes never fails to upgrade its lock), which makes
//! row locks unnecessary, and a batch never loses a race it could retry.

use sqlx::{error::DatabaseError, sqlite::Sqlite};

use super::sql::Dialect;

pub(crate) type Db = Sqlite;

pub(crate) const DIALECT: Dialect = Dialect {
    name: "SQLite",
    // Holds the write lock from its first statement.
    begin_write: "BEGIN IMMEDIATE",
    // Any SQLite read transaction sees one snapshot.
    begin_read: "BEGIN",
    // The single writer applies a batch's commands in the order they came.
    order_commands_by_locks: false,
    // SQLite's write lock already serialises these.
    setup_lock: None,
    backfill_lock: None,
};

/// A lock clause (`lock!(FOR UPDATE OF s)`): nothing, as the write lock covers the whole
/// database.
macro_rules! lock {
    ($($clause:tt)+) => {
        ""
    };
}

/// Text compared byte by byte: SQLite's default (BINARY) collation.
macro_rules! bytewise {
    () => {
        ""
    };
}

/// The type of a column of bytes, for `CAST(column AS <bytes_type!()>)`: text written before a
/// column held bytes compares as its bytes.
macro_rules! bytes_type {
    () => {
        "BLOB"
    };
}

/// `column <in_list!("$N")>`: whether the column's value is in the list bound as `$N` with
/// [`id_list`].
macro_rules! in_list {
    ($param:literal) => {
        concat!("IN (SELECT value FROM json_each(", $param, "))")
    };
}

/// The value to bind for an [`in_list!`] of integers: a JSON array.
pub(crate) fn id_list(ids: &[i64]) -> String {
    let mut json = String::with_capacity(ids.len() * 8 + 2);
    json.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&id.to_string());
    }
    json.push(']');
    json
}

/// Whether a database error means "try again later": busy, locked, read-only, I/O trouble,
/// full, cannot open, or a locking protocol error.
pub(crate) fn unavailable(error: &dyn DatabaseError) -> bool {
    let code = error
        .code()
        .and_then(|c| c.parse::<i64>().ok())
        .unwrap_or_default();
    // Primary result codes: BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14,
    // PROTOCOL 15.
    matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14 | 15)
}

/// Whether a batch that failed with `error` lost a race and may run again: never on SQLite,
/// whose single writer races no one.
pub(crate) fn retryable(_error: &dyn DatabaseError) -> bool {
    false
}

/// What to run once a copy into this database is complete: nothing (SQLite's row ids
/// follow the largest id by themselves).
pub(crate) async fn after_copy(_pool: &sqlx::Pool<Db>) -> Result<(), sqlx::Error> {
    Ok(())
}

/// What to run after values were overwritten so that their old bytes are gone from the files:
/// `secure_delete` zeroes them in the database file, but the write-ahead log keeps the pages
/// as they were until a checkpoint, so the WAL is checkpointed and truncated. Readers that
/// hold old pages can keep it from completing; the next checkpoint finishes the job.
pub(crate) async fn after_erase(pool: &sqlx::Pool<Db>) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    #[test]
    fn id_lists_are_json_arrays() {
        assert_eq!(super::id_list(&[]), "[]");
        assert_eq!(super::id_list(&[3, -1, 40]), "[3,-1,40]");
    }
}
