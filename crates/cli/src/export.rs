//! `undersigned export`: a letter's signatory table as CSV or JSON, read from the store a page
//! at a time and streamed to a file or to standard output, so that a letter of a million
//! signatures never sits in memory. The organisers' table holds personal data, so the
//! command needs the data keys (as `keys` does) and records the export in the audit trail.
//! `--public` writes what the letter's page shows instead.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use undersigned_core::{SignatureFilter, SignatureFilterInput};
use undersigned_server::{
    config::Settings,
    format, open_store,
    services::export::{Export, ExportFormat},
};
use undersigned_store::DynStore;

#[derive(Args)]
pub struct ExportArgs {
    /// The letter's address (slug), as in /l/SLUG.
    #[arg(long)]
    letter: String,
    /// csv (UTF-8 with a byte order mark, formula cells neutralised) or json.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Write to this file (created or replaced once complete) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Only what the letter's page shows: public signers, initials-level signers as their
    /// initials, no private signer and no email address.
    #[arg(long, conflicts_with_all = ["category", "kind", "state", "verification", "from", "to"])]
    public: bool,
    /// Only this category (its name, as the letter spells it).
    #[arg(long)]
    category: Option<String>,
    /// Only individual or organisation signatures.
    #[arg(long)]
    kind: Option<String>,
    /// Only signatures in this state (pending, confirmed, held, published, hidden,
    /// rejected, withdrawn).
    #[arg(long)]
    state: Option<String>,
    /// Only organisation signatures verified this way: verified (either way), domain,
    /// organiser, or unverified (not verified yet; held ones wait for an organiser).
    #[arg(long)]
    verification: Option<String>,
    /// Only signatures signed on or after this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    from: Option<String>,
    /// Only signatures signed on or before this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    to: Option<String>,
}

pub async fn run(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let format: ExportFormat = args
        .format
        .parse()
        .map_err(|_| anyhow::anyhow!("--format {:?}: write csv or json", args.format))?;
    let keys = settings.data_keys_path();
    if !keys.exists() {
        bail!(
            "there is no keyring at {} (the server creates it when it first starts); the \
             export needs it to read signers' personal data",
            keys.display()
        );
    }
    let store = open_store(settings).await.context("opening the database")?;
    let result = export(&store, &args, format).await;
    store.close().await;
    result
}

async fn export(store: &DynStore, args: &ExportArgs, format: ExportFormat) -> anyhow::Result<()> {
    let letter = store
        .letter_by_slug(&args.letter)
        .await
        .context("reading the letter")?
        .with_context(|| format!("there is no letter with the address {:?}", args.letter))?;
    let (export, total) = if args.public {
        let erased = store
            .erasure(letter.id)
            .await
            .context("reading the letter")?
            .is_some();
        (Export::public(store.clone(), &letter, erased, format), None)
    } else {
        let input = SignatureFilterInput {
            category: args.category.clone().unwrap_or_default(),
            kind: args.kind.clone().unwrap_or_default(),
            state: args.state.clone().unwrap_or_default(),
            verification: args.verification.clone().unwrap_or_default(),
            from: args.from.clone().unwrap_or_default(),
            to: args.to.clone().unwrap_or_default(),
            q: String::new(),
        };
        let categories: Vec<(i64, &str)> = letter
            .categories
            .iter()
            .map(|c| (c.id.0, c.name.as_str()))
            .collect();
        let filter = SignatureFilter::parse(&input, &categories)?;
        let total = store
            .export_count(letter.id, &filter)
            .await
            .context("counting the signatures")?;
        let described = filter.describe();
        let detail = format!(
            "{} export from the command line, {}",
            format.extension(),
            if described.is_empty() {
                "every signature"
            } else {
                &described
            }
        );
        store
            .record_export(
                letter.workspace_id,
                None,
                &format!("letter {}", letter.slug),
                &detail,
                format::now(),
            )
            .await
            .context("recording the export in the audit trail")?;
        (
            Export::organisers(store.clone(), &letter, filter, format),
            Some(total),
        )
    };
    match &args.output {
        Some(path) => {
            let rows = to_file(export, path, total).await?;
            eprintln!("Wrote {rows} signatures to {}.", path.display());
        }
        None => {
            to_writer(
                export,
                &mut std::io::stdout().lock(),
                &ProgressBar::hidden(),
            )
            .await?;
        }
    }
    Ok(())
}

/// Streams `export` into `path`, through a temporary file beside it that replaces `path`
/// only once complete; shows a progress bar on standard error when the total is known.
async fn to_file(export: Export, path: &Path, total: Option<u64>) -> anyhow::Result<u64> {
    let partial = path.with_file_name(format!(
        ".{}.partial",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".to_owned())
    ));
    let bar = match total {
        Some(total) => {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} signatures ({eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        }
        None => ProgressBar::hidden(),
    };
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let written = match to_writer(export, &mut writer, &bar).await {
        Ok(rows) => writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .with_context(|| format!("writing {}", partial.display()))
            .map(|()| rows),
        Err(e) => Err(e),
    };
    bar.finish_and_clear();
    match written {
        Ok(rows) => {
            std::fs::rename(&partial, path)
                .with_context(|| format!("moving the export to {}", path.display()))?;
            Ok(rows)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Writes `export` chunk by chunk; returns how many rows it held.
async fn to_writer(
    mut export: Export,
    out: &mut impl Write,
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let mut rows = 0;
    while let Some(chunk) = export.next_chunk().await? {
        out.write_all(&chunk.bytes).context("writing the export")?;
        rows += chunk.rows;
        bar.inc(chunk.rows);
    }
    out.flush().context("writing the export")?;
    Ok(rows)
}
