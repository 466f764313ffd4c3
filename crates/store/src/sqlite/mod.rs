//! The SQLite store: the embedded default.
//!
//! One file in the data folder, WAL journal, `synchronous=FULL` (a commit is on disk when it
//! returns), foreign keys on, and `BEGIN IMMEDIATE` for every write transaction so that a
//! transaction that reads before it writes never fails to upgrade its lock.

mod backup;
#[macro_use]
mod dialect;
#[path = "../sql/mod.rs"]
mod sql;

use std::{path::Path, sync::Arc, time::Duration};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use backup::{BackupError, backup};
/// The SQLite implementation of [`crate::Store`].
pub use sql::SqlStore as SqliteStore;

use crate::{StoreError, files, sealed::Keyring};
use sql::Ctx;

/// How to open the SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// How long a statement waits for a lock before the database counts as busy.
    pub busy_timeout: Duration,
    pub max_connections: u32,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            max_connections: 8,
        }
    }
}

/// Each pooled connection's page cache, in KiB (SQLite's default is 2,000). Every connection
/// keeps its own, filled by whatever it read last: at a million signatures, reading deep
/// pages of signatories, eight connections' default caches were a third of the server's
/// memory (RSS 97 MB, 74 MB with this), while the system's file cache holds the same pages
/// for them anyway. Signing at a million measured 0.96-0.99 times its rate with the default
/// (BENCHMARKS.md, 2026-12-05, fourth session).
const PAGE_CACHE_KIB: u32 = 1024;

impl SqliteStore {
    /// Opens (creating if missing) the database file and applies pending migrations.
    ///
    /// The file is its owner's alone (0600; SQLite gives its WAL and shared-memory files the
    /// database file's permissions), and deleted content is overwritten (`secure_delete`), so
    /// that what the store erases does not linger in free pages.
    pub async fn open(
        path: &Path,
        options: &SqliteOptions,
        keyring: Arc<Keyring>,
    ) -> Result<Self, StoreError> {
        private_database_file(path).map_err(|e| StoreError::Unavailable {
            context: "protecting the database file",
            source: Box::new(e),
        })?;
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .pragma("secure_delete", "ON")
            .pragma("cache_size", format!("-{PAGE_CACHE_KIB}"))
            .busy_timeout(options.busy_timeout);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.busy_timeout.max(Duration::from_secs(1)))
            .connect_with(connect)
            .await
            .ctx("opening the database")?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(Box::new(e)))?;
        let mut conn = pool.acquire().await.ctx("opening the database")?;
        let logged = sql::backfill_logs(&mut conn, &keyring).await?;
        drop(conn);
        if logged > 0 {
            tracing::info!(
                signatures = logged,
                "logged the signatures published before logs"
            );
        }
        Ok(Self::new(pool, keyring))
    }
}

/// Creates the database file empty and private if it is missing (SQLite takes an empty file
/// as a new database), and makes an existing one and its companions private.
fn private_database_file(path: &Path) -> std::io::Result<()> {
    match files::new_private_file(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        files::make_private(Path::new(&companion))?;
    }
    Ok(())
}
