//! The application under test: the real `Application` on port 0 in this process, with a
//! fresh database and a real SMTP server (testkit's `MailSink`) that lettre talks to over
//! TCP. In the spirit of zero2prod's `spawn_app()` and crates.io's `TestApp::init()`:
//!
//! ```text
//! let app = spawn_app().await;                      // the defaults
//! let app = TestApp::init()
//!     .with_settings(|s| s.sign_limit_per_10min = 2) // any setting
//!     .with_clock(Clock::manual(now()))              // time the test moves
//!     .with_cache_ttl(Duration::ZERO)                // reads never cached
//!     .spawn()
//!     .await;
//! ```
//!
//! The database is SQLite in the app's temporary data folder, or, with
//! `UNDERSIGNED_TEST_BACKEND=postgres`, a fresh database on testkit's throwaway PostgreSQL
//! cluster: the same tests run on both backends.

use std::time::Duration;

use sqlx::{AnyPool, any::AnyPoolOptions};
use undersigned_server::{Application, Runtime, clock::Clock, config::Settings};
use undersigned_testkit::{Backend, MailSink, Site, backend, client, fresh_postgres_database};

/// A running application, stopped gracefully by [`TestApp::stop`].
pub struct TestApp {
    /// The site's public address (where it listens, unless the test configured another).
    pub address: String,
    /// Where it actually listens: `http://127.0.0.1:PORT`.
    pub local: String,
    /// A browser of the test's own (the one [`TestApp::set_up_owner`] logs in).
    pub client: reqwest::Client,
    /// Where its emails go.
    pub mail: MailSink,
    /// Its data folder (and SQLite database).
    pub data: tempfile::TempDir,
    /// The one-time setup link it printed, if the instance was fresh.
    pub setup_link: Option<String>,
    /// The settings it runs with (to restart it on the same database).
    pub settings: Settings,
    /// The clock it goes by; a manual one moves for the app when the test moves it.
    pub clock: Clock,
    /// How long its public reads are cached.
    pub cache_ttl: Duration,
    /// How often its retention job runs.
    pub retention_every: Duration,
    /// How often it looks for sensitive letters' due batches.
    pub batches_every: Duration,
    /// How often it looks for unfinished updates' fan-outs (None: it runs none).
    pub updates_every: Option<Duration>,
    /// How often it looks for closing dates and scheduled deliveries.
    pub schedule_every: Duration,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// An application about to start, with its sink, data folder and database already made:
/// see [`TestApp::init`].
pub struct TestAppBuilder(Stopped);

/// A stopped application: what it takes to start it again on the same data (change its
/// settings first to start it differently).
pub struct Stopped {
    /// The sink, with what it received.
    pub mail: MailSink,
    /// The data folder (and SQLite database).
    pub data: tempfile::TempDir,
    /// The settings it ran with.
    pub settings: Settings,
    /// The clock and cache lifetime it ran with.
    pub runtime: Runtime,
}

/// The defaults: a fresh database, the system clock, and reads cached as in production.
pub async fn spawn_app() -> TestApp {
    TestApp::init().spawn().await
}

/// Settings for a test: the data folder `data`, the sink as SMTP server, cheap password
/// hashing, rate limits out of the way, and a fresh PostgreSQL database when the run asks
/// for that backend.
fn test_settings(data: &std::path::Path, mail: &MailSink) -> Settings {
    let mut settings = Settings::defaults().unwrap();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.data_dir = data.to_owned();
    settings.smtp_url = Some(mail.smtp_url(0));
    settings.mail_from = "Undersigned Test <letters@example.org>".into();
    settings.argon2_memory_kib = 1024;
    settings.argon2_iterations = 1;
    settings.sign_limit_per_10min = 10_000;
    settings.login_limit_per_15min = 10_000;
    if backend() == Backend::Postgres {
        settings.database_url = Some(fresh_postgres_database());
    }
    settings
}

impl TestApp {
    /// A builder with the defaults ([`spawn_app`]'s): a fresh sink, data folder and
    /// database, [`test_settings`], the system clock and production's cache lifetime.
    pub fn init() -> TestAppBuilder {
        let mail = MailSink::start();
        let data = tempfile::tempdir().unwrap();
        let settings = test_settings(data.path(), &mail);
        TestAppBuilder(Stopped {
            mail,
            data,
            settings,
            runtime: Runtime::default(),
        })
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) -> Stopped {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        Stopped {
            mail: self.mail.clone(),
            data: self.data,
            settings: self.settings,
            runtime: Runtime {
                clock: self.clock,
                cache_ttl: self.cache_ttl,
                retention_every: self.retention_every,
                batches_every: self.batches_every,
                updates_every: self.updates_every,
                schedule_every: self.schedule_every,
            },
        }
    }

    /// A connection pool of the test's own on the application's database (SQLite or
    /// PostgreSQL, through sqlx's Any driver): to look at rows no page shows (the outbox), to
    /// hold a lock, or to simulate time passing. Statements must be valid on both backends.
    /// The application's data keys, to open what it sealed in the database.
    pub fn keyring(&self) -> undersigned_store::sealed::Keyring {
        undersigned_store::sealed::Keyring::load(&self.settings.data_keys_path()).unwrap()
    }

    pub async fn db(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        let url = match &self.settings.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rw",
                self.data.path().join("undersigned.db").display()
            ),
        };
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap()
    }

    /// Runs one SQL statement on the application's database.
    pub async fn sql(&self, statement: &'static str) {
        let db = self.db().await;
        sqlx::query(statement).execute(&db).await.unwrap();
        db.close().await;
    }
}

impl Site for TestApp {
    fn base_url(&self) -> &str {
        &self.address
    }
}

impl TestAppBuilder {
    /// Changes the settings.
    pub fn with_settings(mut self, customise: impl FnOnce(&mut Settings)) -> Self {
        customise(&mut self.0.settings);
        self
    }

    /// The clock the application goes by (sessions, link expiry, setup links, the mail
    /// worker's retries). Keep a clone of a `Clock::manual` to move it, or use
    /// [`TestApp::clock`].
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.0.runtime.clock = clock;
        self
    }

    /// How long public reads (letter pages, counts, the first page of signatories) are
    /// cached; `Duration::ZERO` reads the database every time, for tests that write to it
    /// behind the application's back.
    pub fn with_cache_ttl(mut self, ttl: Duration) -> Self {
        self.0.runtime.cache_ttl = ttl;
        self
    }

    /// How often the retention job looks for personal data to erase (production: hourly).
    pub fn with_retention_every(mut self, every: Duration) -> Self {
        self.0.runtime.retention_every = every;
        self
    }

    /// How often sensitive letters' due batches are looked for (production: every 15 s).
    pub fn with_batches_every(mut self, every: Duration) -> Self {
        self.0.runtime.batches_every = every;
        self
    }

    /// How often unfinished updates' fan-outs are looked for (production: every 10 s);
    /// None runs no fan-out at all, not even when an update is posted.
    pub fn with_updates_every(mut self, every: Option<Duration>) -> Self {
        self.0.runtime.updates_every = every;
        self
    }

    /// How often closing dates and scheduled deliveries are looked for (production: every
    /// 5 s).
    pub fn with_schedule_every(mut self, every: Duration) -> Self {
        self.0.runtime.schedule_every = every;
        self
    }

    /// Sends email to `mail` at `smtp_url` instead of the default sink.
    pub fn with_mail(mut self, mail: MailSink, smtp_url: String) -> Self {
        self.0.mail = mail;
        self.0.settings.smtp_url = Some(smtp_url);
        self
    }

    /// Starts the application.
    pub async fn spawn(self) -> TestApp {
        self.0.start().await
    }
}

impl Stopped {
    /// Starts the application again on this data folder and database, with the same sink,
    /// settings and runtime (to test restarts).
    pub async fn start(self) -> TestApp {
        let Self {
            mail,
            data,
            settings,
            runtime,
        } = self;
        let app = Application::build_with(settings.clone(), runtime.clone())
            .await
            .expect("the app starts");
        let address = app.public_url().to_owned();
        let local = format!("http://{}", app.local_addr());
        let setup_link = app.setup_link().map(str::to_owned);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            app.run(async {
                let _ = stopped.await;
            })
            .await
            .expect("the app runs");
        });
        TestApp {
            address,
            local,
            client: client(),
            mail,
            data,
            setup_link,
            settings,
            clock: runtime.clock,
            cache_ttl: runtime.cache_ttl,
            retention_every: runtime.retention_every,
            batches_every: runtime.batches_every,
            updates_every: runtime.updates_every,
            schedule_every: runtime.schedule_every,
            stop: Some(stop),
            task: Some(task),
        }
    }
}
