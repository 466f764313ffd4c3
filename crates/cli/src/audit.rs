//! `undersigned audit URL`: the audit itself is `undersigned_verify::audit`; this prints its
//! report, and fails with the problems it found.

use std::path::PathBuf;

use undersigned_verify::{audit, entry::LogVersion};

use crate::terminal_safe;

pub async fn run(url: &str, state: Option<PathBuf>) -> anyhow::Result<()> {
    let report = audit::run(url, state).await?;
    println!("Audited {}", report.page);
    println!(
        "  key         {}{}",
        report.key,
        if report.first_seen {
            " (first seen now: trusted from now on)"
        } else {
            " (as first seen)"
        }
    );
    println!(
        "  log         {} entries, root {}, checkpoint signed by the key",
        report.size, report.root
    );
    println!("  history     {}", report.history);
    println!("  signatures  {}", terminal_safe(&report.counts.describe()));
    println!(
        "  public      {} listed in signatories.json (at log size {})",
        report.listed, report.listed_at
    );
    if let Some(at) = report.erased_at {
        println!(
            "  erased      the host erased the signatories' names and details at {} (its \
             retention): the counts are checked, the names can no longer be",
            undersigned_verify::entry::minute(at)
        );
    }
    match report.version {
        Some(LogVersion::V2) => println!(
            "  names       format 2: {} openings served open their entries' commitments",
            report.opened
        ),
        Some(LogVersion::V1) => println!("  names       format 1: in the entries, in clear"),
        None => {}
    }
    let state = report.finish()?;
    println!(
        "Everything matches. Saved this checkpoint to {}.",
        state.display()
    );
    Ok(())
}
