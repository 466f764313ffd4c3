//! The outbox worker: leases due emails, sends them, and records the result.
//!
//! A row is leased before it is sent, so two workers (in one process or several) never send
//! the same row. A send that fails for a reason that may pass (a refused connection, a 4xx
//! answer) is retried with exponential backoff; a permanent refusal is recorded and given up.
//! If the process dies between sending and recording, the lease expires and the email is
//! sent again with the same Message-ID: SMTP cannot offer more than that.

use std::{sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};
use undersigned_store::DynStore;

use super::Mailer;
use crate::format::now;

/// How long a leased email is reserved for the worker that took it.
const LEASE_SECONDS: i64 = 300;
/// How many emails one round takes.
const ROUND: u32 = 20;
/// After this many attempts an email is given up.
pub const MAX_ATTEMPTS: u32 = 8;
/// How often the worker looks for due emails when nothing wakes it.
const POLL: Duration = Duration::from_secs(2);

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min … capped at one hour.
pub fn backoff(attempts: u32) -> i64 {
    let exp = attempts.saturating_sub(1).min(7);
    (30_i64 << exp).min(3600)
}

pub async fn run(
    store: DynStore,
    mailer: Mailer,
    wakeup: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match send_due(&store, &mailer).await {
            // A full round: there may be more waiting.
            Ok(n) if n == ROUND as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox round failed"),
        }
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => break,
        }
    }
    tracing::info!("mail worker stopped");
}

/// Sends the emails that are due now; returns how many it took.
pub async fn send_due(
    store: &DynStore,
    mailer: &Mailer,
) -> Result<usize, undersigned_store::StoreError> {
    let started = now();
    let emails = store
        .claim_outbox(started, started + LEASE_SECONDS, ROUND)
        .await?;
    let taken = emails.len();
    for email in emails {
        match mailer.send(&email).await {
            Ok(()) => store.outbox_sent(email.id, now()).await?,
            Err(e) => {
                let retry = (e.is_retryable() && email.attempts < MAX_ATTEMPTS)
                    .then(|| now() + backoff(email.attempts));
                tracing::warn!(
                    outbox_id = email.id,
                    attempts = email.attempts,
                    retrying = retry.is_some(),
                    error = %e,
                    "email not sent"
                );
                store
                    .outbox_failed(email.id, &error_chain(&e), retry)
                    .await?;
            }
        }
    }
    Ok(taken)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), 30);
        assert_eq!(backoff(2), 60);
        assert_eq!(backoff(3), 120);
        assert_eq!(backoff(8), 3600);
        assert_eq!(backoff(100), 3600);
    }
}
