//! `undersigned copy --from URL --to URL`: moves a whole instance between backends (SQLite to
//! PostgreSQL and back), then checks that every table and every letter's counts match.

use std::time::Instant;

use anyhow::{Context, bail};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use undersigned_server::{Backend, Statements, config::Settings, open_backend};
use undersigned_store::{
    LetterId,
    copy::{Progress, TABLES, Value, copy_instance, verify},
};

/// What a finished copy moved and checked.
pub struct Report {
    pub rows: u64,
    pub letters: usize,
    pub seconds: f64,
}

async fn open(settings: &Settings, url: &str, side: &str) -> anyhow::Result<Backend> {
    let mut settings = settings.clone();
    settings.database_url = Some(url.to_owned());
    open_backend(&settings, Statements::Bulk)
        .await
        .with_context(|| format!("opening the {side} database"))
}

pub async fn run(settings: &Settings, from: &str, to: &str) -> anyhow::Result<()> {
    let report = copy(settings, from, to).await?;
    println!(
        "Copied {} rows in {:.1} s; every table matches, and so do the counts of every letter ({}).",
        report.rows, report.seconds, report.letters
    );
    println!(
        "Keep using the same instance key ({}): it recognises duplicate signers.",
        settings.data_dir.join("keys/instance.key").display()
    );
    Ok(())
}

pub async fn copy(settings: &Settings, from: &str, to: &str) -> anyhow::Result<Report> {
    let started = Instant::now();
    let source = open(settings, from, "source").await?;
    let target = open(settings, to, "target").await?;
    println!(
        "Copying {} to {}.",
        source.tables().describe(),
        target.tables().describe()
    );

    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left) {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |p: Progress| {
        bar.set_length(p.all_rows);
        bar.set_position(p.all_done);
        bar.set_message(p.table);
    };
    let rows = copy_instance(source.tables(), target.tables(), &progress).await;
    bar.finish_and_clear();
    let rows = rows.context("copying")?;

    println!("Checking the copy…");
    let mismatches = verify(source.tables(), target.tables())
        .await
        .context("checking the copy")?;
    for m in &mismatches {
        eprintln!(
            "table {}: {} rows in the source, {} in the target{}",
            m.table,
            m.source_rows,
            m.target_rows,
            if m.same_content {
                ""
            } else {
                ", different content"
            }
        );
    }
    let letters = letter_ids(&source).await?;
    let mut wrong_counts = 0;
    for letter in &letters {
        let (a, b) = (
            source.store().counts(*letter).await?,
            target.store().counts(*letter).await?,
        );
        if a != b {
            wrong_counts += 1;
            eprintln!("letter {letter}: counts {a:?} in the source, {b:?} in the target");
        }
    }
    source.store().close().await;
    target.store().close().await;
    if !mismatches.is_empty() || wrong_counts > 0 {
        bail!(
            "the copy differs from the source ({} tables, {wrong_counts} letters' counts)",
            mismatches.len()
        );
    }
    Ok(Report {
        rows,
        letters: letters.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every letter's id, from the letters table.
async fn letter_ids(backend: &Backend) -> anyhow::Result<Vec<LetterId>> {
    let table = TABLES
        .iter()
        .find(|t| t.name == "letters")
        .context("the letters table is missing from the copy's list")?;
    let mut rows = backend.tables().rows(table);
    let mut ids = Vec::new();
    while let Some(row) = rows.next().await {
        if let Some(Value::Int(id)) = row?.first() {
            ids.push(LetterId(*id));
        }
    }
    Ok(ids)
}
