//! The Undersigned web application.
//!
//! [`Application::build`] opens the database (applying migrations), loads the instance key,
//! starts the writer and the mail worker, and binds the listener; [`Application::run`] serves
//! until the shutdown future completes, then stops accepting connections, lets the writer
//! commit its last batch, stops the mail worker and closes the database.

pub mod auth;
pub mod client;
pub mod clock;
pub mod config;
pub mod csv;
pub mod extract;
pub mod format;
pub mod i18n;
pub mod mail;
pub mod pages;
pub mod ratelimit;
pub mod rendered;
pub mod routes;
pub mod secrets;
pub mod services;
pub mod state;
pub mod views;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use tokio::{net::TcpListener, sync::Notify, sync::watch, task::JoinHandle};
use undersigned_store::{
    DynStore, Store, StoreError,
    copy::TableIo,
    postgres::{PgOptions, PgStore},
    sealed::Keyring,
    sqlite::{SqliteOptions, SqliteStore},
};

use crate::{
    clock::Clock,
    config::{ConfigError, DatabaseChoice, Settings},
    mail::{MailError, Mailer},
    ratelimit::RateLimiter,
    secrets::{InstanceKeys, KeyError, Token},
    services::{
        delivery::Deliveries,
        logs::Logs,
        passwords::{PasswordError, Passwords},
        reads::Reads,
        writer::Writer,
    },
    state::{AppState, Inner},
};

/// How long the one-time setup link works.
const SETUP_LINK_SECONDS: i64 = 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("could not create the data folder {0}")]
    DataDir(std::path::PathBuf, #[source] std::io::Error),
    #[error("could not open the database")]
    Store(#[from] StoreError),
    #[error("could not load the instance key")]
    Keys(#[from] KeyError),
    #[error("could not load the data keys")]
    DataKeys(#[from] undersigned_store::sealed::KeyringError),
    #[error(
        "the instance key in {0} is not the one this database was first used with: every \
         server process must have the same keys/instance.key (copy it from the first server's \
         data folder); otherwise signers who sign twice are not recognised"
    )]
    KeyMismatch(std::path::PathBuf),
    #[error("could not set up email")]
    Mail(#[from] MailError),
    #[error("invalid password hashing settings")]
    Passwords(#[from] PasswordError),
    #[error("the site's host cannot name a log key")]
    LogKey(#[from] undersigned_tlog::KeyError),
    #[error("could not listen on {0}")]
    Bind(SocketAddr, #[source] std::io::Error),
    #[error("the server failed")]
    Serve(#[source] std::io::Error),
}

/// An opened database of either kind: the store the server uses, and the whole-table access
/// that `undersigned copy` needs.
pub enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Backend {
    pub fn store(&self) -> &dyn Store {
        match self {
            Backend::Sqlite(s) => s,
            Backend::Postgres(s) => s,
        }
    }

    pub fn tables(&self) -> &dyn TableIo {
        match self {
            Backend::Sqlite(s) => s,
            Backend::Postgres(s) => s,
        }
    }

    pub fn into_store(self) -> DynStore {
        match self {
            Backend::Sqlite(s) => Arc::new(s),
            Backend::Postgres(s) => Arc::new(s),
        }
    }
}

/// How long one statement may run: a backstop for the server; bulk work (copying an
/// instance) needs far longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statements {
    Server,
    Bulk,
}

/// Opens the database the settings name (SQLite in the data folder by default, PostgreSQL
/// when `database_url` is a `postgres://` URL) and applies its pending migrations.
pub async fn open_backend(
    settings: &Settings,
    statements: Statements,
) -> Result<Backend, StartError> {
    // The data folder holds the instance key and (without SMTP) emails on every backend: its
    // owner's alone.
    undersigned_store::files::private_dir(&settings.data_dir)
        .map_err(|e| StartError::DataDir(settings.data_dir.clone(), e))?;
    let keyring = Arc::new(Keyring::load_or_create(&settings.data_keys_path())?);
    let lock_timeout = settings.busy_timeout();
    Ok(match settings.database()? {
        DatabaseChoice::Sqlite(path) => {
            let defaults = SqliteOptions::default();
            Backend::Sqlite(
                SqliteStore::open(
                    &path,
                    &SqliteOptions {
                        busy_timeout: lock_timeout,
                        max_connections: settings
                            .database_max_connections
                            .unwrap_or(defaults.max_connections),
                    },
                    keyring,
                )
                .await?,
            )
        }
        DatabaseChoice::Postgres(url) => {
            let defaults = PgOptions::default();
            Backend::Postgres(
                PgStore::open(
                    &url,
                    &PgOptions {
                        max_connections: settings
                            .database_max_connections
                            .unwrap_or(defaults.max_connections),
                        // As on SQLite: a request waits no longer for a connection than
                        // for a lock.
                        acquire_timeout: lock_timeout.max(Duration::from_secs(1)),
                        lock_timeout,
                        statement_timeout: match statements {
                            Statements::Server => defaults.statement_timeout,
                            Statements::Bulk => Duration::from_secs(24 * 3600),
                        },
                    },
                    keyring,
                )
                .await?,
            )
        }
    })
}

/// Opens the server's store (see [`open_backend`]).
pub async fn open_store(settings: &Settings) -> Result<DynStore, StartError> {
    Ok(open_backend(settings, Statements::Server)
        .await?
        .into_store())
}

/// The password hasher the settings describe.
pub fn passwords(settings: &Settings) -> Result<Passwords, PasswordError> {
    Passwords::new(settings.argon2_memory_kib, settings.argon2_iterations)
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    store: DynStore,
    writer_task: JoinHandle<()>,
    mail_task: JoinHandle<()>,
    retention_task: JoinHandle<()>,
    batches_task: JoinHandle<()>,
    updates_task: Option<JoinHandle<()>>,
    schedule_task: JoinHandle<()>,
    shutdown: watch::Sender<bool>,
    /// Stops the mail worker, before the writer: it records what it sent through the writer.
    mail_shutdown: watch::Sender<bool>,
    setup_link: Option<String>,
}

/// What a test may choose beside the settings: the clock the application goes by, and how
/// long the public pages' reads are cached.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub clock: Clock,
    pub cache_ttl: Duration,
    /// How often the retention job looks for personal data to erase.
    pub retention_every: Duration,
    /// How often sensitive letters' due batches are looked for.
    pub batches_every: Duration,
    /// How often unfinished fan-outs (updates' emails, requests to re-confirm) are looked
    /// for (None: never, and posting an update or changing a text does not start one either;
    /// tests use it to interrupt a fan-out).
    pub updates_every: Option<Duration>,
    /// How often closing dates and scheduled deliveries are looked for.
    pub schedule_every: Duration,
}

impl Default for Runtime {
    fn default() -> Self {
        Self {
            clock: Clock::system(),
            cache_ttl: Duration::from_secs(2),
            retention_every: Duration::from_secs(3600),
            batches_every: Duration::from_secs(15),
            updates_every: Some(Duration::from_secs(10)),
            schedule_every: Duration::from_secs(5),
        }
    }
}

impl Application {
    /// Builds the application on the system clock.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        Self::build_with(settings, Runtime::default()).await
    }

    /// Builds the application with the clock and cache lifetime `runtime` gives.
    pub async fn build_with(mut settings: Settings, runtime: Runtime) -> Result<Self, StartError> {
        let listener = TcpListener::bind(settings.bind)
            .await
            .map_err(|e| StartError::Bind(settings.bind, e))?;
        // Without a configured public URL, the site is where it actually listens (this
        // also resolves port 0).
        if settings.public_url.is_none()
            && let Ok(addr) = listener.local_addr()
        {
            if addr.ip().is_unspecified() {
                tracing::warn!(
                    "listening on all addresses without public_url: links in emails will \
                     point to {addr}; set UNDERSIGNED_PUBLIC_URL to the site's address"
                );
            }
            settings.public_url = Some(format!("http://{addr}"));
        }
        let public = settings.public()?;
        let store = open_store(&settings).await?;
        let keys = InstanceKeys::load_or_create(&settings.data_dir)?;
        if !store.check_instance_key(&keys.fingerprint).await? {
            return Err(StartError::KeyMismatch(settings.data_dir.join("keys")));
        }
        // Personal data stored before sealing, or under a key older than the current one
        // (an interrupted rotation), is sealed under the current key first.
        let resealed = store.reseal_if_needed().await?;
        if resealed > 0 {
            tracing::info!(
                values = resealed,
                "sealed personal data under the current data key"
            );
        }
        let mailer = Mailer::new(
            settings.smtp_url.as_deref(),
            settings.smtp_ca_file.as_deref(),
            &settings.data_dir.join("mail"),
            &settings.mail_from,
            &public.host,
        )?;
        let passwords = passwords(&settings)?;
        let logs = Logs::new(store.clone(), public.clone(), &keys.checkpoint_seed)?;

        let (shutdown, shutdown_rx) = watch::channel(false);
        let (mail_shutdown, mail_shutdown_rx) = watch::channel(false);
        let reads = Reads::new(store.clone(), runtime.cache_ttl);
        let mail_wakeup = Arc::new(Notify::new());
        let mail_wakeup_for_schedule = mail_wakeup.clone();
        let (writer, writer_task) = Writer::spawn(
            store.clone(),
            reads.caches(),
            mail_wakeup.clone(),
            settings.writer_max_batch,
            settings.writer_concurrency()?,
            shutdown_rx.clone(),
        );
        tracing::info!(transport = mailer.describe(), "mail worker starting");
        let mail_task = tokio::spawn(mail::worker::run(
            store.clone(),
            writer.clone(),
            mailer,
            mail_wakeup.clone(),
            runtime.clock.clone(),
            mail_shutdown_rx,
        ));
        let updates_wakeup = Arc::new(Notify::new());
        let updates_task = runtime.updates_every.map(|every| {
            tokio::spawn(services::updates::run(
                store.clone(),
                writer.clone(),
                runtime.clock.clone(),
                every,
                settings.update_batch,
                updates_wakeup.clone(),
                mail_wakeup.clone(),
                shutdown_rx.clone(),
            ))
        });
        let batches_task = tokio::spawn(services::batches::run(
            store.clone(),
            writer.clone(),
            runtime.clock.clone(),
            runtime.batches_every,
            shutdown_rx.clone(),
        ));
        let retention_task = tokio::spawn(services::retention::run(
            store.clone(),
            reads.caches(),
            runtime.clock.clone(),
            runtime.retention_every,
            shutdown_rx.clone(),
        ));
        let deliveries = Deliveries::new(
            store.clone(),
            Arc::new(Logs::new(
                store.clone(),
                public.clone(),
                &keys.checkpoint_seed,
            )?),
            public.clone(),
        );
        let schedule_wakeup = Arc::new(Notify::new());
        let schedule_task = tokio::spawn(services::delivery::run(
            deliveries.clone(),
            reads.caches(),
            mail_wakeup_for_schedule,
            schedule_wakeup.clone(),
            runtime.clock.clone(),
            runtime.schedule_every,
            shutdown_rx,
        ));

        // A fresh instance has no organiser and no default password: print a one-time link.
        let setup_link = if store.user_count().await? == 0 {
            let token = Token::generate();
            let now = runtime.clock.now();
            store
                .add_setup_token(token.hash(), now, now + SETUP_LINK_SECONDS)
                .await?;
            Some(public.url(&format!("/setup/{}", token.as_str())))
        } else {
            None
        };

        let state = AppState::new(Inner {
            logs,
            deliveries,
            schedule_wakeup,
            store: store.clone(),
            writer,
            reads,
            clock: runtime.clock,
            keys,
            public,
            sign_limiter: RateLimiter::new(settings.sign_limit_per_10min, Duration::from_secs(600)),
            login_limiter: RateLimiter::new(
                settings.login_limit_per_15min,
                Duration::from_secs(900),
            ),
            login_client_limiter: RateLimiter::new(
                settings.login_limit_per_15min.saturating_mul(5),
                Duration::from_secs(900),
            ),
            passwords,
            settings,
            updates_wakeup,
        });
        Ok(Self {
            listener,
            state,
            store,
            writer_task,
            mail_task,
            retention_task,
            batches_task,
            updates_task,
            schedule_task,
            shutdown,
            mail_shutdown,
            setup_link,
        })
    }

    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The site's public address (`http://127.0.0.1:8080` by default).
    pub fn public_url(&self) -> &str {
        &self.state.public.origin
    }

    /// The one-time setup link, when the instance has no organiser yet.
    pub fn setup_link(&self) -> Option<&str> {
        self.setup_link.as_deref()
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn run(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let app = routes::router(self.state.clone());
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await;
        tracing::info!("no longer accepting requests; finishing writes");
        // The mail worker first: it finishes its round and records it through the writer.
        let _ = self.mail_shutdown.send(true);
        if tokio::time::timeout(Duration::from_secs(10), self.mail_task)
            .await
            .is_err()
        {
            tracing::warn!("the mail worker did not stop in time");
        }
        let _ = self.shutdown.send(true);
        if self.writer_task.await.is_err() {
            tracing::error!("the writer task panicked");
        }
        if tokio::time::timeout(Duration::from_secs(10), self.batches_task)
            .await
            .is_err()
        {
            tracing::warn!("the batch job did not stop in time");
        }
        if let Some(task) = self.updates_task
            && tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
        {
            tracing::warn!("the updates' fan-out did not stop in time");
        }
        if tokio::time::timeout(Duration::from_secs(10), self.retention_task)
            .await
            .is_err()
        {
            tracing::warn!("the retention job did not stop in time");
        }
        if tokio::time::timeout(Duration::from_secs(30), self.schedule_task)
            .await
            .is_err()
        {
            tracing::warn!("the schedule job did not stop in time");
        }
        drop(self.state);
        self.store.close().await;
        tracing::info!("database closed");
        served.map_err(StartError::Serve)
    }
}
