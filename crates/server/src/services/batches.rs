//! Sensitive letters' batches: publishes the private and initials signatures each such
//! letter holds once its batch boundary has passed, through the writer (so the log, the
//! counts and the caches move as for any confirmation). Several processes on one database
//! may run it at once: a batch's signatures are published by whichever commits first, the
//! other finds none left.

use std::time::Duration;

use tokio::sync::watch;
use undersigned_store::{DynStore, WriteCommand, WriteOutcome};

use crate::{clock::Clock, services::writer::Writer};

pub async fn run(
    store: DynStore,
    writer: Writer,
    clock: Clock,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match store.due_releases(clock.now()).await {
            Ok(due) => {
                for release in due {
                    match writer.submit(WriteCommand::Release(release)).await {
                        Ok(WriteOutcome::Released { letter, published }) => {
                            tracing::info!(letter = letter.0, published, "published a batch");
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "publishing a batch failed"),
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "looking for batches failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
    }
}
