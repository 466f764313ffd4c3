//! The PostgreSQL store: for when one machine is not enough, or an organisation already runs
//! PostgreSQL. Several app-server processes may share one database, each with its own
//! batching writer and mail worker (see `dialect.rs` for what that asks of the SQL).
//! `lock_timeout` and `statement_timeout` are set on every pooled connection, so a locked
//! table answers quickly with an error that counts as Unavailable instead of hanging
//! (SQLite's busy timeout plays that part there).

#[macro_use]
mod dialect;
#[path = "../sql/mod.rs"]
mod sql;

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    Connection,
    postgres::{PgConnectOptions, PgConnection, PgPoolOptions},
};

/// The PostgreSQL implementation of [`crate::Store`].
pub use sql::SqlStore as PgStore;

use crate::{StoreError, sealed::Keyring};
use sql::{Ctx, classify};

/// How to connect to PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Connections in this process's pool. Several processes share the server's
    /// `max_connections` (100 by default), so keep the sum of all pools below it.
    pub max_connections: u32,
    /// How long a request waits for a free pooled connection before the database counts
    /// as busy.
    pub acquire_timeout: Duration,
    /// How long a statement waits for a row or table lock before it fails (and the request
    /// answers 503): PostgreSQL's `lock_timeout`.
    pub lock_timeout: Duration,
    /// The longest any one statement may run: PostgreSQL's `statement_timeout`, a backstop
    /// against a query that would otherwise hold a connection and its locks indefinitely.
    pub statement_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

impl PgStore {
    /// Connects to the database `url` names (`postgres://user:pass@host:port/db`, or
    /// `postgres:///db?host=/run/postgresql` for a Unix socket) and applies pending
    /// migrations. The database must exist; its tables are created here.
    pub async fn open(
        url: &str,
        options: &PgOptions,
        keyring: Arc<Keyring>,
    ) -> Result<Self, StoreError> {
        let mut base =
            PgConnectOptions::from_str(url).map_err(|e| classify(e, "reading the database URL"))?;
        // Named in pg_stat_activity, unless the URL names it otherwise.
        if base.get_application_name().is_none() {
            base = base.application_name("undersigned");
        }

        // Migrations run on a connection of their own, without the timeouts: when several
        // processes start at once, the others wait on the migrator's lock for as long as a
        // long migration takes, rather than failing after `lock_timeout`.
        let mut conn = PgConnection::connect_with(&base)
            .await
            .ctx("connecting to the database")?;
        sqlx::migrate!("./migrations/postgres")
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Migrate(Box::new(e)))?;
        let logged = sql::backfill_logs(&mut conn, &keyring).await?;
        if logged > 0 {
            tracing::info!(
                signatures = logged,
                "logged the signatures published before logs"
            );
        }
        conn.close().await.ctx("connecting to the database")?;

        let connect = base.options([
            ("lock_timeout", millis(options.lock_timeout)),
            ("statement_timeout", millis(options.statement_timeout)),
            // A signer hears "done" only once the commit is on disk (invariant 1), whatever
            // the server's default.
            ("synchronous_commit", "on".to_owned()),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .ctx("opening the database")?;
        Ok(Self::new(pool, keyring))
    }
}

/// A duration as a PostgreSQL setting value in milliseconds (at least 1: 0 would mean
/// "no limit").
fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis().clamp(1, i32::MAX as u128))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_sent_in_milliseconds_and_never_as_no_limit() {
        assert_eq!(millis(Duration::from_secs(5)), "5000ms");
        assert_eq!(millis(Duration::from_micros(10)), "1ms");
    }
}
