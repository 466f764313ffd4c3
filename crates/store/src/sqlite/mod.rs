//! The SQLite store: the embedded default.
//!
//! One file in the data folder, WAL journal, `synchronous=FULL` (a commit is on disk when it
//! returns), foreign keys on, and `BEGIN IMMEDIATE` for every write transaction so that a
//! transaction that reads before it writes never fails to upgrade its lock.

mod backup;
mod batch;
mod copy;
mod letters;
mod log;
mod organisers;
mod outbox;

use std::{path::Path, time::Duration};

use async_trait::async_trait;
use sqlx::{
    SqlitePool,
    migrate::Migrator,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use backup::{BackupError, backup};

use crate::{StoreError, model::*};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

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

/// The SQLite implementation of [`crate::Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and applies pending migrations.
    pub async fn open(path: &Path, options: &SqliteOptions) -> Result<Self, StoreError> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.busy_timeout.max(Duration::from_secs(1)))
            .connect_with(connect)
            .await
            .ctx("opening the database")?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(Box::new(e)))?;
        let store = Self { pool };
        let logged = store.backfill_logs().await?;
        if logged > 0 {
            tracing::info!(
                signatures = logged,
                "logged the signatures published before logs"
            );
        }
        Ok(store)
    }

    /// Starts a write transaction that holds the write lock from its first statement.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .ctx("starting a write")
    }
}

/// Classifies sqlx errors: busy, locked, full and I/O trouble mean "try again later".
pub(crate) trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Ctx<T> for Result<T, sqlx::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| classify(e, context))
    }
}

pub(crate) fn classify(error: sqlx::Error, context: &'static str) -> StoreError {
    let unavailable = match &error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            let code = db
                .code()
                .and_then(|c| c.parse::<i64>().ok())
                .unwrap_or_default();
            // Primary result codes: BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13,
            // CANTOPEN 14, PROTOCOL 15.
            matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14 | 15)
        }
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

pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

pub(crate) use crate::parse_stored;

#[async_trait]
impl crate::Store for SqliteStore {
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
