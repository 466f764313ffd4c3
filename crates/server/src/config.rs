//! Settings: defaults, then a TOML file, then `UNDERSIGNED_*` environment variables, then the
//! command-line flags the binary passes in.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use serde::Deserialize;
use undersigned_store::rules::MailLimits;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the configuration")]
    Load(#[from] config::ConfigError),
    #[error("public_url must look like https://letters.example.org (got {0:?})")]
    PublicUrl(String),
    /// Only the scheme is shown: the rest of a database URL may hold a password.
    #[error(
        "database_url must be sqlite://PATH, postgres://… or postgresql://… (got one starting {0:?})"
    )]
    DatabaseUrl(String),
    #[error("database_max_connections must be at least 1")]
    MaxConnections,
    #[error("{0} must be at least 1")]
    ZeroLimit(&'static str),
    #[error("writer_concurrency must be 1 on SQLite, which lets one transaction write at a time")]
    SqliteWriters,
    #[error(
        "database_max_connections ({connections}) must be more than writer_concurrency \
         ({writers}), so that pages and the mail worker get connections while every writer \
         task holds one"
    )]
    WritersTakeThePool { connections: u32, writers: usize },
}

/// The database the settings name, chosen by the URL's scheme.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseChoice {
    /// An SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, as given (it may hold a password: never log it).
    Postgres(String),
}

impl std::fmt::Debug for DatabaseChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseChoice::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            DatabaseChoice::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

/// Every setting, with its default. See README.md ("Configuration").
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Where the database, keys and (without SMTP) emails live.
    pub data_dir: PathBuf,
    /// The address people reach the site at, used in emails and for the Origin check.
    /// Defaults to `http://{bind}`.
    pub public_url: Option<String>,
    /// `sqlite://PATH` or `postgres://user:pass@host:port/db`; defaults to
    /// `DATA/undersigned.db`.
    pub database_url: Option<String>,
    /// The keyring that seals signers' personal data in the database; defaults to
    /// `DATA/keys/data.keys` (created with a fresh key if missing). Never in the database.
    pub data_keys_file: Option<PathBuf>,
    /// Connections in this process's database pool; defaults to 8 on SQLite, 10 on
    /// PostgreSQL (where every process has its own pool).
    pub database_max_connections: Option<u32>,
    /// `smtp://user:pass@host:587?tls=required` or `smtps://…`; without it, emails are written
    /// as .eml files under `DATA/mail/`.
    pub smtp_url: Option<String>,
    /// A PEM file of certificates to trust for the SMTP relay besides the web's roots: for a
    /// relay whose certificate a private authority signed, or that signed its own.
    pub smtp_ca_file: Option<PathBuf>,
    /// The From address of emails.
    pub mail_from: String,
    /// The site's name, shown in pages and emails.
    pub instance_name: String,
    /// `text` or `json`.
    pub log_format: String,
    /// How long a write waits for the database before answering 503: SQLite's busy timeout,
    /// and PostgreSQL's `lock_timeout` (the name predates PostgreSQL; tests set it on both).
    pub sqlite_busy_timeout_ms: u64,
    /// The most signatures and confirmations the writer commits in one transaction.
    pub writer_max_batch: usize,
    /// How many batches the writer commits at once (see [`Settings::writer_concurrency`]).
    pub writer_concurrency: Option<usize>,
    /// How many signers a fan-out (an update's emails, a change of substance's requests to
    /// re-confirm, invitations to past signers) queues emails for per transaction (reading
    /// at most ten times as many to find them).
    pub update_batch: u32,
    /// Argon2id memory cost in KiB and iterations (OWASP: 19456 KiB, 2 iterations).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Take the client address from X-Forwarded-For (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// How long an organiser stays logged in.
    pub session_hours: u32,
    /// How long a confirmation link works.
    pub confirmation_link_seconds: u64,
    /// How many days a used confirmation link keeps working as the signer's manage link
    /// (how they appear, receipt, withdrawal), counted from when it confirmed.
    pub manage_link_days: u32,
    /// How many days a moderator's hide can be undone. Until then the hidden signer's text
    /// stays sealed in the database (never on a public surface); the hourly retention job
    /// then erases it.
    pub hide_undo_days: u32,
    /// Signing attempts allowed per client address per ten minutes.
    pub sign_limit_per_10min: u32,
    /// The most emails that sign-ups send to one mailbox in a day, across every letter;
    /// `name+tag@` counts as `name@` on every domain.
    pub emails_per_recipient_per_day: u32,
    /// The most sign-ups to addresses at one domain per hour, across every letter and server
    /// process; beyond it a sign-up is refused (429) until the hour is over.
    pub signups_per_domain_per_hour: u32,
    /// Login attempts allowed per account from one client address per fifteen minutes (and
    /// five times as many per client address, whatever the account).
    pub login_limit_per_15min: u32,
}

impl Settings {
    /// Loads the settings. `file` is read when given (and must exist); otherwise
    /// `undersigned.toml` in the working folder is read if it exists.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let builder = Self::with_defaults()?;
        let builder = match file {
            Some(path) => builder.add_source(config::File::from(path).required(true)),
            None => builder.add_source(config::File::with_name("undersigned.toml").required(false)),
        };
        let settings: Settings = builder
            .add_source(
                config::Environment::with_prefix("UNDERSIGNED")
                    .prefix_separator("_")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    /// The defaults alone: no file, no environment (for tests and one-off tools).
    pub fn defaults() -> Result<Self, ConfigError> {
        let settings: Settings = Self::with_defaults()?.build()?.try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    /// Checks the settings that are parsed later, so that a bad value stops the start.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.public()?;
        self.database()?;
        if self.database_max_connections == Some(0) {
            return Err(ConfigError::MaxConnections);
        }
        let writers = self.writer_concurrency()?;
        if let Some(connections) = self.database_max_connections
            && usize::try_from(connections).is_ok_and(|c| c <= writers)
            && matches!(self.database()?, DatabaseChoice::Postgres(_))
        {
            return Err(ConfigError::WritersTakeThePool {
                connections,
                writers,
            });
        }
        if self.emails_per_recipient_per_day == 0 {
            return Err(ConfigError::ZeroLimit("emails_per_recipient_per_day"));
        }
        if self.manage_link_days == 0 {
            return Err(ConfigError::ZeroLimit("manage_link_days"));
        }
        if self.hide_undo_days == 0 {
            return Err(ConfigError::ZeroLimit("hide_undo_days"));
        }
        if self.signups_per_domain_per_hour == 0 {
            return Err(ConfigError::ZeroLimit("signups_per_domain_per_hour"));
        }
        Ok(())
    }

    /// When a manage link used (or issued) at `since` stops working.
    pub fn manage_link_expires_at(&self, since: i64) -> i64 {
        since.saturating_add(i64::from(self.manage_link_days).saturating_mul(86_400))
    }

    /// Until when a hide made at `now` can be undone.
    pub fn hide_undo_until(&self, now: i64) -> i64 {
        now.saturating_add(i64::from(self.hide_undo_days).saturating_mul(86_400))
    }

    /// The limits on the email that sign-ups send.
    pub fn mail_limits(&self) -> MailLimits {
        MailLimits {
            per_recipient_per_day: self.emails_per_recipient_per_day,
            signups_per_domain_per_hour: self.signups_per_domain_per_hour,
        }
    }

    fn with_defaults() -> Result<config::ConfigBuilder<config::builder::DefaultState>, ConfigError>
    {
        Ok(config::Config::builder()
            .set_default("bind", "127.0.0.1:8080")?
            .set_default("data_dir", "./undersigned-data")?
            .set_default("mail_from", "Undersigned <undersigned@localhost>")?
            .set_default("instance_name", "Undersigned")?
            .set_default("log_format", "text")?
            .set_default("sqlite_busy_timeout_ms", 5000)?
            .set_default("writer_max_batch", 512)?
            .set_default("update_batch", 100)?
            .set_default("argon2_memory_kib", 19456)?
            .set_default("argon2_iterations", 2)?
            .set_default("trust_forwarded_for", false)?
            .set_default("session_hours", 24 * 7)?
            .set_default("confirmation_link_seconds", 7 * 24 * 3600)?
            .set_default("manage_link_days", 365)?
            .set_default("hide_undo_days", 7)?
            .set_default("sign_limit_per_10min", 60)?
            .set_default(
                "emails_per_recipient_per_day",
                MailLimits::default().per_recipient_per_day,
            )?
            .set_default(
                "signups_per_domain_per_hour",
                MailLimits::default().signups_per_domain_per_hour,
            )?
            .set_default("login_limit_per_15min", 10)?)
    }

    /// The public URL, parsed.
    pub fn public(&self) -> Result<PublicUrl, ConfigError> {
        match &self.public_url {
            Some(url) => PublicUrl::parse(url),
            None => PublicUrl::parse(&format!("http://{}", self.bind)),
        }
    }

    /// How many batches the writer commits at once: by default 1 on SQLite (one transaction
    /// writes at a time: a second would only wait for the lock) and 4 on PostgreSQL, where a
    /// batch spends much of its time waiting for the database's answers, and batches that
    /// touch the same rows take their locks in one order (as two processes' writers do).
    pub fn writer_concurrency(&self) -> Result<usize, ConfigError> {
        let sqlite = matches!(self.database()?, DatabaseChoice::Sqlite(_));
        match self.writer_concurrency {
            Some(0) => Err(ConfigError::ZeroLimit("writer_concurrency")),
            Some(n) if sqlite && n > 1 => Err(ConfigError::SqliteWriters),
            Some(n) => Ok(n),
            None if sqlite => Ok(1),
            None => Ok(4),
        }
    }

    /// The database to open, chosen by the scheme of `database_url`: `sqlite://PATH` or
    /// `sqlite:PATH`, `postgres://…` or `postgresql://…`. Without one, SQLite in the data
    /// folder.
    pub fn database(&self) -> Result<DatabaseChoice, ConfigError> {
        let Some(url) = &self.database_url else {
            return Ok(DatabaseChoice::Sqlite(self.data_dir.join("undersigned.db")));
        };
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseChoice::Postgres(url.to_owned()));
        }
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .filter(|p| !p.is_empty())
            .map(|p| DatabaseChoice::Sqlite(PathBuf::from(p)))
            .ok_or_else(|| ConfigError::DatabaseUrl(url_scheme(url)))
    }

    /// Where the data keys are kept.
    pub fn data_keys_path(&self) -> PathBuf {
        self.data_keys_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys/data.keys"))
    }

    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.sqlite_busy_timeout_ms)
    }
}

/// The start of a URL that is safe to show: its scheme, or its first few characters when it
/// has none (never the part after `://`, where a password would be).
fn url_scheme(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _)) => format!("{scheme}://"),
        None => url.chars().take(10).collect(),
    }
}

/// The site's public address: `scheme://host[:port]`, no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `https://letters.example.org` (no trailing slash).
    pub origin: String,
    pub secure: bool,
    pub host: String,
}

impl PublicUrl {
    pub fn parse(input: &str) -> Result<Self, ConfigError> {
        let trimmed = input.trim().trim_end_matches('/');
        let (secure, rest) = if let Some(rest) = trimmed.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(ConfigError::PublicUrl(input.to_owned()));
        };
        let valid = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        if !valid {
            return Err(ConfigError::PublicUrl(input.to_owned()));
        }
        Ok(Self {
            origin: trimmed.to_ascii_lowercase(),
            secure,
            host: rest.to_ascii_lowercase(),
        })
    }

    /// An absolute URL for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url() {
        let u = PublicUrl::parse("https://Letters.Example.org/").unwrap();
        assert_eq!(u.origin, "https://letters.example.org");
        assert!(u.secure);
        assert_eq!(u.url("/l/x"), "https://letters.example.org/l/x");
        assert!(PublicUrl::parse("ftp://x").is_err());
        assert!(PublicUrl::parse("https://x/path").is_err());
        assert!(PublicUrl::parse("http://127.0.0.1:8080").is_ok());
    }

    fn with_url(url: Option<&str>) -> Settings {
        let mut settings = Settings::defaults().unwrap();
        settings.data_dir = PathBuf::from("/srv/undersigned");
        settings.database_url = url.map(str::to_owned);
        settings
    }

    #[test]
    fn the_database_is_chosen_by_the_url_scheme() {
        assert_eq!(
            with_url(None).database().unwrap(),
            DatabaseChoice::Sqlite(PathBuf::from("/srv/undersigned/undersigned.db"))
        );
        for url in ["sqlite:///var/lib/u.db", "sqlite:/var/lib/u.db"] {
            assert_eq!(
                with_url(Some(url)).database().unwrap(),
                DatabaseChoice::Sqlite(PathBuf::from("/var/lib/u.db")),
                "{url}"
            );
        }
        for url in [
            "postgres://u:p@127.0.0.1:5432/undersigned",
            "postgresql:///undersigned?host=/run/postgresql",
        ] {
            assert_eq!(
                with_url(Some(url)).database().unwrap(),
                DatabaseChoice::Postgres(url.to_owned())
            );
        }
    }

    #[test]
    fn the_writer_commits_one_batch_at_a_time_on_sqlite_and_four_on_postgres() {
        let postgres = Some("postgres://u:secret@db/undersigned");
        assert_eq!(with_url(None).writer_concurrency().unwrap(), 1);
        assert_eq!(with_url(postgres).writer_concurrency().unwrap(), 4);
        let mut settings = with_url(postgres);
        settings.writer_concurrency = Some(8);
        assert_eq!(settings.writer_concurrency().unwrap(), 8);
        settings.writer_concurrency = Some(0);
        let zero = settings.check().unwrap_err().to_string();
        assert_eq!(zero, "writer_concurrency must be at least 1");
        let mut settings = with_url(Some("sqlite:///tmp/x.db"));
        settings.writer_concurrency = Some(2);
        let sqlite = settings.check().unwrap_err().to_string();
        assert!(sqlite.contains("must be 1 on SQLite"), "{sqlite}");
        settings.writer_concurrency = Some(1);
        assert!(settings.check().is_ok());
        // On PostgreSQL the pool must leave a connection beside the writer's tasks; SQLite's
        // one writer may share a pool of one.
        settings.database_max_connections = Some(1);
        assert!(settings.check().is_ok());
        let mut settings = with_url(postgres);
        settings.database_max_connections = Some(4);
        let pool = settings.check().unwrap_err().to_string();
        assert!(
            pool.contains("database_max_connections (4) must be more than writer_concurrency (4)"),
            "{pool}"
        );
        settings.writer_concurrency = Some(3);
        assert!(settings.check().is_ok());
    }

    #[test]
    fn an_unknown_database_url_is_refused_without_showing_its_password() {
        for url in [
            "mysql://root:hunter2@db/x",
            "postgress://u:hunter2@h/x",
            "sqlite:",
            "x",
        ] {
            let error = with_url(Some(url)).database().unwrap_err();
            assert!(matches!(error, ConfigError::DatabaseUrl(_)), "{url}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
        let shown = format!(
            "{:?}",
            DatabaseChoice::Postgres("postgres://u:hunter2@h/x".into())
        );
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn mail_limits_default_and_refuse_zero() {
        let settings = Settings::defaults().unwrap();
        assert_eq!(settings.mail_limits(), MailLimits::default());
        for zero in [
            |s: &mut Settings| s.emails_per_recipient_per_day = 0,
            |s: &mut Settings| s.signups_per_domain_per_hour = 0,
        ] {
            let mut settings = Settings::defaults().unwrap();
            zero(&mut settings);
            assert!(matches!(settings.check(), Err(ConfigError::ZeroLimit(_))));
        }
    }
}
