//! The PostgreSQL store: for when one machine is not enough, or an organisation already runs
//! PostgreSQL. Several app-server processes may share one database, each with its own
//! batching writer and mail worker, so this implementation cannot lean on the single writer
//! that SQLite's `BEGIN IMMEDIATE` gives for free:
//!
//! - Transactions run at READ COMMITTED. Every read-then-write locks what it read
//!   (`SELECT … FOR UPDATE`, or `FOR SHARE` on a letter whose state a batch relies on), and
//!   every count-changing update is conditional on the state it changes from.
//! - Deadlocks and serialization failures between processes are retried where a retry is
//!   safe (the hot-path batch, see `batch.rs`); elsewhere they answer "try again" (503).
//! - `lock_timeout` and `statement_timeout` are set on every pooled connection, so a locked
//!   table answers quickly with an error that counts as Unavailable instead of hanging
//!   (SQLite's busy timeout plays that part there).
//! - Reads that assemble one record from several queries run in one REPEATABLE READ, READ
//!   ONLY transaction, which gives them one snapshot (SQLite's read transactions do that too).

mod batch;
mod copy;
mod letters;
mod log;
mod organisers;
mod outbox;

use std::{borrow::Cow, str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    Connection, PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgConnection, PgPoolOptions},
};

use crate::{StoreError, model::*};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

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

/// The PostgreSQL implementation of [`crate::Store`].
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database `url` names (`postgres://user:pass@host:port/db`, or
    /// `postgres:///db?host=/run/postgresql` for a Unix socket) and applies pending
    /// migrations. The database must exist; its tables are created here.
    pub async fn open(url: &str, options: &PgOptions) -> Result<Self, StoreError> {
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
        MIGRATOR
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Migrate(Box::new(e)))?;
        let logged = batch::backfill_logs(&mut conn).await?;
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
        Ok(Self { pool })
    }

    /// Starts a read-write transaction (READ COMMITTED, PostgreSQL's default).
    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        self.pool.begin().await.ctx("starting a write")
    }

    /// Starts a read-only transaction whose statements all see one snapshot.
    async fn begin_snapshot(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .ctx("starting a read")
    }
}

/// A duration as a PostgreSQL setting value in milliseconds (at least 1: 0 would mean
/// "no limit").
fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis().clamp(1, i32::MAX as u128))
}

/// Classifies sqlx errors: connection trouble, exhausted resources, lock and statement
/// timeouts, shutdowns and lost races between processes mean "try again later".
pub(crate) trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Ctx<T> for Result<T, sqlx::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| classify(e, context))
    }
}

/// The SQLSTATE of a database error, if it is one.
fn sqlstate(error: &sqlx::Error) -> Option<Cow<'_, str>> {
    match error {
        sqlx::Error::Database(db) => db.code(),
        _ => None,
    }
}

/// Deadlock (40P01) or serialization failure (40001): the transaction lost a race with
/// another one and can be run again from the start.
pub(crate) fn is_retryable(error: &sqlx::Error) -> bool {
    matches!(sqlstate(error).as_deref(), Some("40001" | "40P01"))
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

pub(crate) fn classify(error: sqlx::Error, context: &'static str) -> StoreError {
    let unavailable = match &error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(_) => sqlstate(&error).is_some_and(|code| unavailable_code(&code)),
        _ => false,
    };
    if unavailable {
        StoreError::Unavailable {
            context,
            source: Box::new(error),
        }
    } else {
        StoreError::Database {
            context,
            source: Box::new(error),
        }
    }
}

/// Whether PostgreSQL can hold `text`: its TEXT cannot contain U+0000 (SQLite's can). No
/// stored value contains one, so a lookup by such a value (a login form's raw email, say)
/// finds nothing, as on SQLite, instead of failing as a database error.
pub(crate) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[async_trait]
impl crate::Store for PgStore {
    async fn check_instance_key(&self, fingerprint: &str) -> crate::Result<bool> {
        self.check_instance_key(fingerprint).await
    }
    async fn user_count(&self) -> crate::Result<u64> {
        self.user_count().await
    }
    async fn add_setup_token(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> crate::Result<()> {
        self.add_setup_token(token_hash, now, expires_at).await
    }
    async fn setup_token_valid(&self, token_hash: Hash32, now: Timestamp) -> crate::Result<bool> {
        self.setup_token_valid(token_hash, now).await
    }
    async fn complete_setup(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        workspace: NewWorkspace,
        owner: NewUser,
    ) -> crate::Result<(WorkspaceId, UserId)> {
        self.complete_setup(token_hash, now, workspace, owner).await
    }
    async fn create_user(&self, user: NewUser) -> crate::Result<UserId> {
        self.create_user(user).await
    }
    async fn set_password(&self, user: UserId, password_hash: &str) -> crate::Result<()> {
        self.set_password(user, password_hash).await
    }
    async fn user_by_email(&self, email: &str) -> crate::Result<Option<User>> {
        self.user_by_email(email).await
    }
    async fn create_workspace(&self, workspace: NewWorkspace) -> crate::Result<WorkspaceId> {
        self.create_workspace(workspace).await
    }
    async fn workspace_by_slug(&self, slug: &str) -> crate::Result<Option<Workspace>> {
        self.workspace_by_slug(slug).await
    }
    async fn set_membership(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        role: undersigned_core::Role,
    ) -> crate::Result<()> {
        self.set_membership(workspace, user, role).await
    }
    async fn memberships(&self, user: UserId) -> crate::Result<Vec<Membership>> {
        self.memberships(user).await
    }
    async fn create_session(&self, session: NewSession) -> crate::Result<()> {
        self.create_session(session).await
    }
    async fn session(&self, id_hash: Hash32, now: Timestamp) -> crate::Result<Option<Session>> {
        self.session(id_hash, now).await
    }
    async fn delete_session(&self, id_hash: Hash32) -> crate::Result<()> {
        self.delete_session(id_hash).await
    }
    async fn create_letter(
        &self,
        actor: Actor,
        content: &undersigned_core::letter::LetterContent,
        now: Timestamp,
    ) -> crate::Result<LetterId> {
        self.create_letter(actor, content, now).await
    }
    async fn update_letter(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &undersigned_core::letter::LetterContent,
        now: Timestamp,
    ) -> crate::Result<()> {
        self.update_letter(actor, letter, content, now).await
    }
    async fn change_letter_state(
        &self,
        actor: Actor,
        letter: LetterId,
        to: undersigned_core::LetterState,
        now: Timestamp,
    ) -> crate::Result<()> {
        self.change_letter_state(actor, letter, to, now).await
    }
    async fn letter(&self, id: LetterId) -> crate::Result<Option<Letter>> {
        self.letter(id).await
    }
    async fn letter_by_slug(&self, slug: &str) -> crate::Result<Option<Letter>> {
        self.letter_by_slug(slug).await
    }
    async fn letters_for_user(&self, user: UserId) -> crate::Result<Vec<LetterSummary>> {
        self.letters_for_user(user).await
    }
    async fn public_letters(&self, limit: u32) -> crate::Result<Vec<LetterSummary>> {
        self.public_letters(limit).await
    }
    async fn commit_batch(
        &self,
        commands: Vec<WriteCommand>,
    ) -> crate::Result<Vec<crate::Result<WriteOutcome>>> {
        self.commit_batch(commands).await
    }
    async fn counts(&self, letter: LetterId) -> crate::Result<Counts> {
        self.counts(letter).await
    }
    async fn public_signatures(
        &self,
        letter: LetterId,
        listing: PublicListing,
        limit: u32,
    ) -> crate::Result<SignatoryPage> {
        self.public_signatures(letter, listing, limit).await
    }
    async fn organiser_signatures(
        &self,
        letter: LetterId,
        offset: u64,
        limit: u32,
    ) -> crate::Result<Vec<SignatureRecord>> {
        self.organiser_signatures(letter, offset, limit).await
    }
    async fn confirmation_link(
        &self,
        token_hash: Hash32,
    ) -> crate::Result<Option<ConfirmationLink>> {
        self.confirmation_link(token_hash).await
    }
    async fn log_head(&self, letter: LetterId) -> crate::Result<LogHead> {
        self.log_head(letter).await
    }
    async fn log_hashes(&self, letter: LetterId, indexes: &[u64]) -> crate::Result<Vec<Hash32>> {
        self.log_hashes(letter, indexes).await
    }
    async fn log_entries(
        &self,
        letter: LetterId,
        start: u64,
        end: u64,
    ) -> crate::Result<Vec<Vec<u8>>> {
        self.log_entries(letter, start, end).await
    }
    async fn receipt(&self, token_hash: Hash32) -> crate::Result<Option<ReceiptData>> {
        self.receipt(token_hash).await
    }
    async fn claim_outbox(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> crate::Result<Vec<OutboxEmail>> {
        self.claim_outbox(worker, now, lease_until, limit).await
    }
    async fn outbox_sent(&self, id: i64, worker: &str, now: Timestamp) -> crate::Result<bool> {
        self.outbox_sent(id, worker, now).await
    }
    async fn outbox_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> crate::Result<()> {
        self.outbox_failed(id, worker, error, retry_at).await
    }
    async fn outbox_pending(&self) -> crate::Result<u64> {
        self.outbox_pending().await
    }
    async fn audit_events(
        &self,
        workspace: WorkspaceId,
        limit: u32,
    ) -> crate::Result<Vec<AuditEvent>> {
        self.audit_events(workspace, limit).await
    }
    async fn record_audit(
        &self,
        actor: Actor,
        action: &str,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> crate::Result<()> {
        self.record_audit(actor, action, subject, detail, at).await
    }
    async fn close(&self) {
        self.pool.close().await;
    }
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

    #[test]
    fn timeouts_are_sent_in_milliseconds_and_never_as_no_limit() {
        assert_eq!(millis(Duration::from_secs(5)), "5000ms");
        assert_eq!(millis(Duration::from_micros(10)), "1ms");
    }
}
