//! Settings: defaults, then a TOML file, then `UNDERSIGNED_*` environment variables, then the
//! command-line flags the binary passes in.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the configuration")]
    Load(#[from] config::ConfigError),
    #[error("public_url must look like https://letters.example.org (got {0:?})")]
    PublicUrl(String),
    #[error("database_url must start with sqlite:// (PostgreSQL comes later), got {0:?}")]
    DatabaseUrl(String),
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
    /// `sqlite://PATH`; defaults to `DATA/undersigned.db`.
    pub database_url: Option<String>,
    /// `smtp://user:pass@host:587?tls=required` or `smtps://…`; without it, emails are written
    /// as .eml files under `DATA/mail/`.
    pub smtp_url: Option<String>,
    /// The From address of emails.
    pub mail_from: String,
    /// The site's name, shown in pages and emails.
    pub instance_name: String,
    /// `text` or `json`.
    pub log_format: String,
    /// How long a write waits for the database before answering 503.
    pub sqlite_busy_timeout_ms: u64,
    /// The most signatures and confirmations the writer commits in one transaction.
    pub writer_max_batch: usize,
    /// Argon2id memory cost in KiB and iterations (OWASP: 19456 KiB, 2 iterations).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Take the client address from X-Forwarded-For (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// How long an organiser stays logged in.
    pub session_hours: u32,
    /// How long a confirmation link works.
    pub confirmation_link_seconds: u64,
    /// Signing attempts allowed per client address per ten minutes.
    pub sign_limit_per_10min: u32,
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
        self.database_path()?;
        Ok(())
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
            .set_default("argon2_memory_kib", 19456)?
            .set_default("argon2_iterations", 2)?
            .set_default("trust_forwarded_for", false)?
            .set_default("session_hours", 24 * 7)?
            .set_default("confirmation_link_seconds", 7 * 24 * 3600)?
            .set_default("sign_limit_per_10min", 60)?
            .set_default("login_limit_per_15min", 10)?)
    }

    /// The public URL, parsed.
    pub fn public(&self) -> Result<PublicUrl, ConfigError> {
        match &self.public_url {
            Some(url) => PublicUrl::parse(url),
            None => PublicUrl::parse(&format!("http://{}", self.bind)),
        }
    }

    /// The SQLite database file.
    pub fn database_path(&self) -> Result<PathBuf, ConfigError> {
        match &self.database_url {
            None => Ok(self.data_dir.join("undersigned.db")),
            Some(url) => url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| ConfigError::DatabaseUrl(url.clone())),
        }
    }

    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.sqlite_busy_timeout_ms)
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
}
