//! `undersigned keys`: the data keys that seal signers' personal data in the database (see
//! `undersigned_store::sealed`). The keyring is a file in the data folder (`keys/data.keys`,
//! or the `data_keys_file` setting); the server may run meanwhile.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use undersigned_server::{config::Settings, open_store};
use undersigned_store::{
    DynStore,
    sealed::{KeyId, Keyring},
};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Put a new data key in use and reseal all personal data under it, while the server
    /// runs. Older keys stay in the keyring (to open what another server process may still
    /// seal with them) until `keys prune`.
    Rotate,
    /// Reseal under the current key what is not sealed under it yet (to finish an
    /// interrupted rotation; the server also does it when it starts).
    Reseal,
    /// Remove from the keyring the keys that no stored value uses any more.
    Prune,
}

/// How long running servers may take to notice a new keyring (they look every 2 seconds).
const SERVERS_NOTICE: Duration = Duration::from_secs(3);

pub async fn run(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let path = settings.data_keys_path();
    if !path.exists() {
        bail!(
            "there is no keyring at {} (the server creates it when it first starts)",
            path.display()
        );
    }
    let keyring = Keyring::load(&path).with_context(|| format!("reading {}", path.display()))?;
    match command {
        KeysCommand::Rotate => {
            let old = keyring.current_key();
            let new = keyring.rotate().context("adding a new data key")?;
            println!(
                "New data key {new:08x} seals new personal data from now on (the previous one, \
                 {old:08x}, stays to open older data)."
            );
            // Servers seal with the new key once they notice the file changed; resealing
            // before that would leave their last values for another pass.
            tokio::time::sleep(SERVERS_NOTICE).await;
            reseal(settings, new).await
        }
        KeysCommand::Reseal => reseal(settings, keyring.current_key()).await,
        KeysCommand::Prune => {
            let store = open_store(settings).await.context("opening the database")?;
            let used = store
                .keys_in_use()
                .await
                .context("reading the sealed data")?;
            store.close().await;
            let current = keyring.current_key();
            let removed = keyring
                .prune(&used.iter().copied().collect::<Vec<KeyId>>())
                .context("writing the keyring")?;
            let still: Vec<String> = used
                .iter()
                .filter(|k| **k != current)
                .map(|k| format!("{k:08x}"))
                .collect();
            if removed.is_empty() {
                println!("No key to remove.");
            } else {
                let ids: Vec<String> = removed.iter().map(|k| format!("{k:08x}")).collect();
                println!("Removed data keys no value uses: {}.", ids.join(", "));
            }
            if !still.is_empty() {
                println!(
                    "Kept older keys still in use ({}): run `undersigned keys reseal` first.",
                    still.join(", ")
                );
            }
            println!(
                "Copy {} to every other server process's data folder.",
                path.display()
            );
            Ok(())
        }
    }
}

async fn reseal(settings: &Settings, key: KeyId) -> anyhow::Result<()> {
    let started = Instant::now();
    let store: DynStore = open_store(settings).await.context("opening the database")?;
    let rows = store
        .sealed_rows()
        .await
        .context("counting personal data")?;
    let bar = ProgressBar::new(rows);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64| {
        // A later pass starts again from zero over rows that changed meanwhile.
        bar.set_length(rows.max(done));
        bar.set_position(done);
    };
    let resealed = store.reseal(&progress).await;
    bar.finish_and_clear();
    store.close().await;
    let resealed = resealed.context("resealing personal data (run the command again to go on)")?;
    println!(
        "Resealed {resealed} values under data key {key:08x} in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    println!(
        "Older keys stay in the keyring until `undersigned keys prune`: run it once every \
         server process uses this keyring ({}).",
        settings.data_keys_path().display()
    );
    Ok(())
}
