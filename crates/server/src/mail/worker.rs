//! The outbox worker: leases due emails, sends them, and records the result.
//!
//! A row is leased before it is sent, so two workers (in one process or several) never send
//! the same row. A send that fails for a reason that may pass (a refused connection, a 4xx
//! answer) is retried with exponential backoff; a permanent refusal is recorded and given up.
//! Leases are short, and the worker renews its round's leases every [`RENEW_EVERY`] until
//! every email of the round is recorded: when a
//! process dies, the emails it had taken are free again within [`LEASE_SECONDS`], and
//! another process (or the same one restarted) sends them. If the process dies between
//! sending and recording, the email is sent again with the same Message-ID: SMTP cannot
//! offer more than that.

use std::{sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};
use undersigned_store::{
    DeliveryId, DynStore, OutboxClaimCommand, OutboxDoneCommand, OutboxEmail, WriteCommand,
    WriteOutcome,
};

use super::{MailError, Mailer, messages::DeliveryParams};
use crate::{
    clock::Clock,
    services::writer::{WriteError, Writer},
};

/// How long a leased email is reserved for the worker that took it, unless renewed: short
/// enough that a dead process's emails go out again well within a minute of its restart.
pub const LEASE_SECONDS: i64 = 45;
/// How often the worker renews the leases of the round it is working through, whatever its
/// sends and records take: well within [`LEASE_SECONDS`].
const RENEW_EVERY: Duration = Duration::from_secs(10);
/// How many emails one round takes. Leasing a round waits for one of the writer's batches,
/// which during a surge of sign-ups takes tens of milliseconds: rounds of 1,024 instead of
/// 256 sent about 0.85 of the signing rate during a surge instead of 0.5 (BENCHMARKS.md).
const ROUND: u32 = 1024;
/// After this many attempts an email is given up.
pub const MAX_ATTEMPTS: u32 = 8;
/// How often the worker looks for due emails when nothing wakes it.
const POLL: Duration = Duration::from_secs(2);
/// How often the worker forgets the limits on email that have run out.
const PRUNE_SECONDS: i64 = 3600;
/// How many groups' records may wait for the writer while the worker sends the next ones.
const RECORDS_IN_FLIGHT: usize = 8;
/// Sent emails are recorded (one command through the writer) once this many have gone out,
/// and at the end of a round.
const RECORD_AT_ONCE: usize = 64;

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min … capped at one hour.
pub fn backoff(attempts: u32) -> i64 {
    let exp = attempts.saturating_sub(1).min(7);
    (30_i64 << exp).min(3600)
}

pub async fn run(
    store: DynStore,
    writer: Writer,
    mailer: Mailer,
    wakeup: Arc<Notify>,
    clock: Clock,
    mut shutdown: watch::Receiver<bool>,
) {
    // Leases carry this worker's id, so that a worker whose lease ran out cannot mark an
    // email that another worker has taken over.
    let worker = crate::secrets::Token::generate().as_str()[..16].to_owned();
    let mut pruned_at: Option<i64> = None;
    // Rounds sent whose records are still on their way through the writer.
    let mut finishing = tokio::task::JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = clock.now();
        if pruned_at.is_none_or(|at| now - at >= PRUNE_SECONDS) {
            pruned_at = Some(now);
            match store.prune_mail_limits(now).await {
                Ok(rows) => tracing::debug!(rows, "forgot spent limits on email"),
                Err(e) => tracing::warn!(error = %e, "could not forget spent limits on email"),
            }
        }
        while finishing.try_join_next().is_some() {}
        let round = send_due(&store, &writer, &mailer, &worker, &clock, &shutdown);
        match round.await.map(|sent| sent.finish_in(&mut finishing)) {
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
    // What was sent is recorded before the worker stops, or it would be sent again.
    while finishing.join_next().await.is_some() {}
    tracing::info!("mail worker stopped");
}

/// The file an email attaches: a delivery's document.
async fn attachment(
    store: &DynStore,
    email: &OutboxEmail,
) -> Result<Option<super::Attached>, MailError> {
    let Some(delivery) = DeliveryParams::of(email.kind, &email.params)? else {
        return Ok(None);
    };
    match store
        .delivery_document(DeliveryId(delivery.delivery))
        .await
        .map_err(MailError::Document)?
    {
        Some((_, pdf)) => Ok(Some((delivery.file_name, pdf))),
        None => Err(MailError::NoDocument),
    }
}

/// The records of sent emails on their way through the writer, while the worker goes on
/// sending: a record waits for one of the writer's batches, which during a surge of sign-ups
/// takes as long as sending a group, and the next group need not wait for it.
#[derive(Default)]
struct Recording(tokio::task::JoinSet<()>);

impl Recording {
    async fn record(
        &mut self,
        writer: &Writer,
        worker: &str,
        sent: Vec<i64>,
        withheld: Vec<i64>,
        clock: &Clock,
    ) {
        while self.0.len() >= RECORDS_IN_FLIGHT {
            self.0.join_next().await;
        }
        let (writer, worker, clock) = (writer.clone(), worker.to_owned(), clock.clone());
        self.0
            .spawn(async move { record_done(&writer, &worker, sent, withheld, &clock).await });
    }

    async fn finish(&mut self) {
        while self.0.join_next().await.is_some() {}
    }
}

/// A round sent: how many emails it took, and its records still on their way through the
/// writer, with the renewal of its leases, which lasts until they have landed.
struct Sent {
    taken: usize,
    recording: Recording,
    renewal: Option<Renewal>,
}

impl Sent {
    /// Leaves the round's records to finish in `finishing`, keeping its leases renewed until
    /// they do; answers how many emails it took.
    fn finish_in(self, finishing: &mut tokio::task::JoinSet<()>) -> usize {
        let Sent {
            taken,
            mut recording,
            renewal,
        } = self;
        if !recording.0.is_empty() {
            finishing.spawn(async move {
                recording.finish().await;
                drop(renewal);
            });
        }
        taken
    }
}

/// Renews a round's leases every [`RENEW_EVERY`] until dropped. Renewing an email already
/// recorded changes nothing (only pending emails are renewed).
struct Renewal(tokio::task::JoinHandle<()>);

impl Renewal {
    fn start(store: &DynStore, worker: &str, ids: Vec<i64>, clock: &Clock) -> Self {
        let (store, worker, clock) = (store.clone(), worker.to_owned(), clock.clone());
        Self(tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                let until = clock.now() + LEASE_SECONDS;
                if let Err(e) = store.renew_outbox_leases(&worker, &ids, until).await {
                    tracing::warn!(error = %e, "could not renew leases on emails");
                }
            }
        }))
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends the emails that are due now; answers the round: how many it took, and its records
/// still on their way ([`Sent`]).
///
/// The round is leased, and its results are recorded a few dozen at a time (one command for
/// the withheld ones, one per [`RECORD_AT_ONCE`] sent ones), through the batching writer,
/// not one transaction per email: they ride the writer's batches, so the worker never waits
/// for the database's single writer while a surge of sign-ups holds it, and costs it a
/// statement a record. The worker does not wait for a record before it sends the next group,
/// nor for the round's last records before it leases the next round ([`Sent::finish_in`]);
/// the round's leases stay renewed until its records have landed. Once the process is
/// stopping it sends no further group and lets go of the emails left, for the next process
/// (or this one restarted) to send.
async fn send_due(
    store: &DynStore,
    writer: &Writer,
    mailer: &Mailer,
    worker: &str,
    clock: &Clock,
    shutdown: &watch::Receiver<bool>,
) -> Result<Sent, WriteError> {
    let started = clock.now();
    let claim = WriteCommand::OutboxClaim(OutboxClaimCommand {
        worker: worker.to_owned(),
        now: started,
        lease_until: started + LEASE_SECONDS,
        limit: ROUND,
    });
    let emails = match writer.submit(claim).await? {
        WriteOutcome::OutboxClaimed(emails) => emails,
        _ => {
            return Ok(Sent {
                taken: 0,
                recording: Recording::default(),
                renewal: None,
            });
        }
    };
    let taken = emails.len();
    let renewal = Renewal::start(store, worker, emails.iter().map(|e| e.id).collect(), clock);
    let mut recording = Recording::default();
    // Withheld by a limit: recorded as such, nothing sent.
    let (withheld, to_send): (Vec<OutboxEmail>, Vec<OutboxEmail>) =
        emails.into_iter().partition(|e| e.withheld.is_some());
    let withheld: Vec<i64> = withheld.iter().map(|e| e.id).collect();
    if !withheld.is_empty() {
        recording
            .record(writer, worker, Vec::new(), withheld, clock)
            .await;
    }
    // Sent, not yet handed to `recording`.
    let mut sent = Vec::with_capacity(RECORD_AT_ONCE);
    let at_once = mailer.sends_at_once().max(1);
    for (n, group) in to_send.chunks(at_once).enumerate() {
        if *shutdown.borrow() {
            // Stopping: the emails not sent are let go now, for the next process (or this
            // one restarted) to send at once rather than when their leases run out.
            let left: Vec<i64> = to_send[n * at_once..].iter().map(|e| e.id).collect();
            if let Err(e) = store.renew_outbox_leases(worker, &left, clock.now()).await {
                tracing::warn!(error = %e, "could not let go of emails on stopping");
            }
            break;
        }
        let files =
            futures_util::future::join_all(group.iter().map(|email| attachment(store, email)))
                .await;
        let mut results = Vec::with_capacity(group.len());
        let mut ready = Vec::with_capacity(group.len());
        for (email, file) in group.iter().zip(files) {
            match file {
                Ok(file) => ready.push((email, file)),
                Err(e) => results.push((email, Err(e))),
            }
        }
        let sending: Vec<&OutboxEmail> = ready.iter().map(|(email, _)| *email).collect();
        results.extend(sending.into_iter().zip(mailer.send_all(ready).await));
        for (email, result) in results {
            match result {
                Ok(()) => sent.push(email.id),
                Err(e) => record_failure(store, email, worker, &e, clock).await,
            }
        }
        if sent.len() >= RECORD_AT_ONCE {
            let sent = std::mem::take(&mut sent);
            recording
                .record(writer, worker, sent, Vec::new(), clock)
                .await;
        }
    }
    if !sent.is_empty() {
        recording
            .record(writer, worker, sent, Vec::new(), clock)
            .await;
    }
    Ok(Sent {
        taken,
        recording,
        renewal: Some(renewal),
    })
}

/// Records a failed send: retried later with backoff when the failure may pass, otherwise
/// given up.
async fn record_failure(
    store: &DynStore,
    email: &OutboxEmail,
    worker: &str,
    error: &MailError,
    clock: &Clock,
) {
    let retry = (error.is_retryable() && email.attempts < MAX_ATTEMPTS)
        .then(|| clock.now() + backoff(email.attempts));
    tracing::warn!(
        outbox_id = email.id,
        attempts = email.attempts,
        retrying = retry.is_some(),
        error = %error.code(),
        "email not sent"
    );
    if let Err(e) = store
        .outbox_failed(email.id, worker, &error.code(), retry)
        .await
    {
        // The lease runs out and the email is tried again later.
        tracing::warn!(outbox_id = email.id, error = %e, "could not record a failed email");
    }
}

/// Records finished emails (sent, or withheld by a limit), trying a few times: if this fails
/// they would be sent (or recorded) again when their leases run out.
async fn record_done(
    writer: &Writer,
    worker: &str,
    sent: Vec<i64>,
    withheld: Vec<i64>,
    clock: &Clock,
) {
    let emails = sent.len();
    for attempt in 0..5u32 {
        let command = WriteCommand::OutboxDone(OutboxDoneCommand {
            worker: worker.to_owned(),
            sent: sent.clone(),
            withheld: withheld.clone(),
            now: clock.now(),
        });
        match writer.submit(command).await {
            Ok(WriteOutcome::OutboxDone { sent: marked }) => {
                if marked < emails as u64 {
                    tracing::warn!(
                        lost = emails as u64 - marked,
                        "leases lost before emails were marked sent"
                    );
                }
                return;
            }
            Ok(_) => {
                tracing::warn!("unexpected answer to recording emails");
                return;
            }
            Err(e) => {
                tracing::warn!(emails, attempt, error = %e, "could not record finished emails");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
        }
    }
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
