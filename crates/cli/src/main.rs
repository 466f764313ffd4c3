//! `undersigned`: the one binary. `serve` (the default) runs the server; the other commands
//! administer an instance from the command line.

mod audit;
mod backup;
mod copy;
mod demo;
mod export;
mod keys;
mod receipt;
mod seed;
mod users;

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use undersigned_server::{Application, config::Settings};

/// jemalloc rather than the system's allocator. A buffer is often freed on another thread
/// than the one that made it (a connection's task moves between the runtime's workers, rows
/// come from the database's threads), and glibc's allocator then takes the other thread's
/// arena lock: serving counts.json, the two workers waited on each other there (`futex`
/// waits in `malloc` and `free`, about a fifth of the server's context switches). With
/// jemalloc a request costs a sixth less CPU, and memory at a million signatures under load
/// stays about where it was (BENCHMARKS.md, 2026-12-05); mimalloc was as fast but held half
/// as much memory again. (jemalloc does not build with MSVC; Windows keeps its own.)
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "undersigned",
    version,
    about = "Open letters with verified, countable signatures"
)]
struct Cli {
    /// Configuration file (TOML). Default: ./undersigned.toml if it exists.
    #[arg(long, global = true, env = "UNDERSIGNED_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder (database, keys, emails without SMTP). Default: ./undersigned-data
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default when no command is given).
    Serve {
        /// Address to listen on. Default: 127.0.0.1:8080
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage organisers.
    User {
        #[command(subcommand)]
        command: users::UserCommand,
    },
    /// Create (or refresh) a fictional demo workspace, organiser and letter at /l/demo.
    Demo,
    /// Copy a whole instance between databases (SQLite and PostgreSQL, either way) and
    /// check the copy. The target must be empty.
    Copy {
        /// The source: sqlite://PATH or postgres://USER@HOST/DB.
        #[arg(long)]
        from: String,
        /// The target (an empty database): sqlite://PATH or postgres://USER@HOST/DB.
        #[arg(long)]
        to: String,
    },
    /// Back up a SQLite instance, live, into a new folder that `serve --data` starts from.
    Backup {
        /// The new folder (it gets undersigned.db and keys/instance.key).
        #[arg(long)]
        to: PathBuf,
    },
    /// Audit a letter's public log: verify its signed checkpoint, every entry, consistency
    /// with the checkpoint seen last time, and the counts and signatories the site shows.
    Audit {
        /// The letter's page, e.g. https://letters.example.org/l/the-letter
        url: String,
        /// Where the checkpoints seen before are kept.
        /// Default: $XDG_STATE_HOME/undersigned/audit.json (~/.local/state/...)
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// The data keys that seal signers' personal data: rotate, reseal, prune.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Export a letter's signatures as CSV or JSON: the organisers' full table (with
    /// filters), or with --public what the letter's page shows.
    Export(export::ExportArgs),
    /// Signers' receipts.
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// For benchmarks: import many fictional, published signatures into a letter through
    /// the store (bench/run's 1,000,000-signature set-up).
    #[command(hide = true)]
    BenchSeed(seed::SeedArgs),
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Verify a receipt: offline, its signed checkpoint and inclusion proof; with --online,
    /// also that the letter's current log still holds the signature and has not removed it.
    Verify {
        /// The receipt file, as downloaded after confirming.
        file: PathBuf,
        /// Also check that the receipt's commitment is to this email address.
        #[arg(long)]
        email: Option<String>,
        /// Check the letter's current log too; optionally give the letter's page address
        /// (it must be the receipt's letter).
        #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
        online: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The message and its causes, without the backtrace that anyhow adds when
            // RUST_BACKTRACE is set: this is for the person at the terminal.
            // Messages can quote what a site served (audit, receipt verify): escaped, so
            // that it cannot move the cursor or rewrite earlier lines.
            eprintln!("Error: {}", terminal_safe(&error.to_string()));
            let causes: Vec<_> = error.chain().skip(1).collect();
            if !causes.is_empty() {
                eprintln!("\nCaused by:");
                for cause in causes {
                    eprintln!("    {}", terminal_safe(&cause.to_string()));
                }
            }
            std::process::ExitCode::FAILURE
        }
    }
}

/// `text` with every control character but the line feed written as an escape (`\u{1b}`),
/// for printing what an untrusted site sent to a terminal.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            safe.extend(c.escape_default());
        } else {
            safe.push(c);
        }
    }
    std::borrow::Cow::Owned(safe)
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref()).context("loading the settings")?;
    if let Some(data) = cli.data {
        settings.data_dir = data;
    }
    if let Some(Command::Serve { bind: Some(bind) }) = &cli.command {
        settings.bind = *bind;
    }
    init_logging(&settings);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve { bind: None }) {
            Command::Serve { .. } => serve(settings).await,
            Command::Migrate => {
                undersigned_server::open_store(&settings)
                    .await
                    .context("opening the database")?
                    .close()
                    .await;
                println!("Migrations applied.");
                Ok(())
            }
            Command::User { command } => users::run(&settings, command).await,
            Command::Demo => demo::run(&settings).await,
            Command::Copy { from, to } => copy::run(&settings, &from, &to).await,
            Command::Backup { to } => backup::run(&settings, &to).await,
            Command::Audit { url, state } => audit::run(&url, state).await,
            Command::Keys { command } => keys::run(&settings, command).await,
            Command::Export(args) => export::run(&settings, args).await,
            Command::Receipt {
                command:
                    ReceiptCommand::Verify {
                        file,
                        email,
                        online,
                    },
            } => receipt::verify(&file, email.as_deref(), online.as_deref()).await,
            Command::BenchSeed(args) => seed::run(&settings, args).await,
        }
    })
}

fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_from_env("UNDERSIGNED_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if settings.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings.clone())
        .await
        .context("starting the server")?;
    tracing::info!(address = %app.local_addr(), data = %settings.data_dir.display(), "serving");
    println!("Undersigned is running at {}/", app.public_url());
    if let Some(link) = app.setup_link() {
        println!();
        println!("  No organiser exists yet. Open this one-time link to create the first");
        println!("  workspace and its owner (it works for 24 hours, or until used):");
        println!();
        println!("  {link}");
        println!();
    }
    app.run(shutdown_signal()).await.context("serving")?;
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown requested");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text a site serves cannot drive the terminal.
    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(terminal_safe("plain\nlines"), "plain\nlines");
        assert_eq!(
            terminal_safe("a\u{1b}[2Kb\u{9b}c\r"),
            "a\\u{1b}[2Kb\\u{9b}c\\r"
        );
    }
}
