//! The retention job: erases signers' personal data once a workspace's retention has run out
//! for a letter (see `undersigned_store::RetentionStore`). Runs when the server starts and
//! then every `every`; several processes on one database may run it at once (each letter is
//! erased by one of them). Each round also erases the text of hidden signatures whose undo
//! window has ended.

use std::{sync::Arc, time::Duration};

use tokio::sync::watch;
use undersigned_store::DynStore;

use crate::{clock::Clock, services::reads::Caches};

pub async fn run(
    store: DynStore,
    caches: Arc<Caches>,
    clock: Clock,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match store.erase_due(clock.now()).await {
            Ok(erased) => {
                for erasure in erased {
                    // Counts only: which letter, how many; never whose.
                    tracing::info!(
                        letter = erasure.letter.0,
                        signatures = erasure.signatures,
                        days = erasure.retention_days,
                        "erased signers' personal data (retention)"
                    );
                    caches.invalidate_letter(erasure.letter);
                }
            }
            Err(e) => tracing::warn!(error = %e, "retention round failed"),
        }
        // Hidden signatures whose undo window ended lose their sealed text.
        match store.erase_expired_hides(clock.now()).await {
            Ok(erased) => {
                for (letter, signatures) in erased {
                    tracing::info!(
                        letter = letter.0,
                        signatures,
                        "erased hidden signatures' text (undo window over)"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "erasing hidden signatures' text failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
    }
}
