//! `undersigned backup --to DIR`: a copy of a running SQLite instance that `serve --data DIR`
//! starts from (the database through SQLite's online backup API, and the instance key).

use std::path::Path;

use anyhow::{Context, bail};
use undersigned_server::config::{DatabaseChoice, Settings};

pub async fn run(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    let source = match settings.database()? {
        DatabaseChoice::Sqlite(path) => path,
        DatabaseChoice::Postgres(_) => bail!(
            "this instance runs on PostgreSQL: back it up with pg_dump (see README, \"Backups\"), \
             and keep a copy of {}",
            settings.data_dir.join("keys/instance.key").display()
        ),
    };
    if !source.exists() {
        bail!("there is no database at {}", source.display());
    }
    let target = to.join("undersigned.db");
    // A backup holds what the instance holds: its owner's alone.
    undersigned_store::files::private_dir(to)
        .with_context(|| format!("creating {}", to.display()))?;
    let started = std::time::Instant::now();
    undersigned_store::sqlite::backup(&source, &target)
        .await
        .context("backing up the database")?;
    copy_keys(settings, to)?;
    println!(
        "Backed up {} to {} in {:.1} s (database, instance key and data keys).",
        source.display(),
        to.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "Start from it with: undersigned serve --data {}",
        to.display()
    );
    Ok(())
}

/// Copies the instance key (without it, duplicate signers are not recognised) and the data
/// keys (without them, signers' personal data cannot be read) into the backup's `keys/`, mode
/// 0600.
fn copy_keys(settings: &Settings, to_data: &Path) -> anyhow::Result<()> {
    let folder = to_data.join("keys");
    undersigned_store::files::private_dir(&folder)
        .with_context(|| format!("creating {}", folder.display()))?;
    for (key, name) in [
        (settings.data_dir.join("keys/instance.key"), "instance.key"),
        (settings.data_keys_path(), "data.keys"),
    ] {
        if !key.exists() {
            continue;
        }
        let target = folder.join(name);
        let mut copy = undersigned_store::files::new_private_file(&target).with_context(|| {
            format!(
                "creating {} (a backup never replaces a key)",
                target.display()
            )
        })?;
        let mut original =
            std::fs::File::open(&key).with_context(|| format!("reading {}", key.display()))?;
        std::io::copy(&mut original, &mut copy)
            .with_context(|| format!("copying {}", key.display()))?;
        copy.sync_all()
            .with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(())
}
