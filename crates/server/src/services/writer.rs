//! The writer: one task per database that commits signing and confirming in batches.
//!
//! Handlers send a command and wait. The task takes every command that is waiting (up to
//! `max_batch`), commits them in one transaction, then answers each handler. While one batch
//! commits, the next one queues up, so under load a batch holds many commands and the cost of
//! a commit (one fsync) is shared; when idle a command is committed at once. A handler hears
//! "done" only after its batch is on disk.
//!
//! On PostgreSQL several tasks (`writer_concurrency`) take batches from the one queue and
//! commit them side by side: a batch spends much of its time waiting for the database's
//! answers, and the store orders every batch's locks as it does for two processes' writers.
//! On SQLite one task commits, since one transaction writes at a time there.

use std::sync::Arc;

use tokio::sync::{Mutex, Notify, mpsc, oneshot, watch};
use undersigned_store::{DynStore, LetterId, StoreError, WriteCommand, WriteOutcome};

use super::reads::Caches;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The database is busy or full, or the server is shutting down: try again shortly.
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    #[error("the write failed")]
    Failed(#[source] StoreError),
}

type Reply = oneshot::Sender<Result<WriteOutcome, WriteError>>;

/// The handlers' side of the writer.
#[derive(Clone)]
pub struct Writer {
    /// For [`undersigned_store::BatchStore::prepare`], on the handler's thread.
    store: DynStore,
    sender: mpsc::Sender<(WriteCommand, Reply)>,
    /// Wakes the mail worker (for emails queued outside a batch: invitations, resets).
    mail_wakeup: Arc<Notify>,
}

impl Writer {
    /// Starts `tasks` writer tasks on one queue (at least one). They stop, after committing
    /// what is queued, when `shutdown` becomes true; the handle returned ends when all have.
    pub fn spawn(
        store: DynStore,
        caches: Arc<Caches>,
        mail_wakeup: Arc<Notify>,
        max_batch: usize,
        tasks: usize,
        shutdown: watch::Receiver<bool>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(max_batch.max(1) * 8);
        let receiver = Arc::new(Mutex::new(receiver));
        let handles: Vec<_> = (0..tasks.max(1))
            .map(|_| {
                tokio::spawn(run(
                    store.clone(),
                    caches.clone(),
                    mail_wakeup.clone(),
                    max_batch.max(1),
                    receiver.clone(),
                    shutdown.clone(),
                ))
            })
            .collect();
        let task = tokio::spawn(async move {
            for handle in handles {
                if let Err(e) = handle.await {
                    tracing::error!(error = %e, "a writer task failed");
                }
            }
            tracing::info!("writer stopped");
        });
        (
            Self {
                store,
                sender,
                mail_wakeup,
            },
            task,
        )
    }

    /// Tells the mail worker that an email was queued outside a batch.
    pub fn wake_mail(&self) {
        self.mail_wakeup.notify_one();
    }

    /// Commits `command` and returns what it did, once it is on disk.
    pub async fn submit(&self, mut command: WriteCommand) -> Result<WriteOutcome, WriteError> {
        self.store.prepare(&mut command);
        let (reply, answer) = oneshot::channel();
        self.sender
            .send((command, reply))
            .await
            .map_err(|_| WriteError::Unavailable)?;
        answer.await.map_err(|_| WriteError::Unavailable)?
    }

    /// Commits `commands` (queued together, so the writer takes them into as few batches as
    /// its batch size allows) and returns what each did, in order, once on disk.
    pub async fn submit_all(
        &self,
        commands: Vec<WriteCommand>,
    ) -> Vec<Result<WriteOutcome, WriteError>> {
        let mut answers = Vec::with_capacity(commands.len());
        for mut command in commands {
            self.store.prepare(&mut command);
            let (reply, answer) = oneshot::channel();
            match self.sender.send((command, reply)).await {
                Ok(()) => answers.push(Some(answer)),
                Err(_) => answers.push(None),
            }
        }
        let mut results = Vec::with_capacity(answers.len());
        for answer in answers {
            results.push(match answer {
                Some(answer) => answer.await.unwrap_or(Err(WriteError::Unavailable)),
                None => Err(WriteError::Unavailable),
            });
        }
        results
    }
}

type Queue = Arc<Mutex<mpsc::Receiver<(WriteCommand, Reply)>>>;

/// One writer task: takes what is queued (one task at a time holds the queue, waiting for
/// commands; the others wait for it, or commit), lets go of the queue, commits.
async fn run(
    store: DynStore,
    caches: Arc<Caches>,
    mail_wakeup: Arc<Notify>,
    max_batch: usize,
    queue: Queue,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut batch = Vec::with_capacity(max_batch);
    loop {
        let mut receiver = queue.lock().await;
        // A change (to true) or the sender gone: either way, stop. Another task may have
        // seen the change first, so the value counts too.
        let stopping = *shutdown.borrow()
            || tokio::select! {
                n = receiver.recv_many(&mut batch, max_batch) => {
                    if n == 0 {
                        break;
                    }
                    false
                }
                _ = shutdown.changed() => true,
            };
        if stopping {
            // Take nothing new; commit what is already queued, then stop.
            receiver.close();
            while receiver.recv_many(&mut batch, max_batch).await > 0 {
                commit(&store, &caches, &mail_wakeup, &mut batch).await;
            }
            break;
        }
        drop(receiver);
        commit(&store, &caches, &mail_wakeup, &mut batch).await;
    }
}

async fn commit(
    store: &DynStore,
    caches: &Caches,
    mail_wakeup: &Notify,
    batch: &mut Vec<(WriteCommand, Reply)>,
) {
    let (commands, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
    let size = commands.len();
    // The mail worker's own leases and records queue no email: waking it for them would
    // have it look again for ever.
    let mail = commands
        .iter()
        .filter(|c| {
            matches!(
                c,
                WriteCommand::OutboxClaim(_) | WriteCommand::OutboxDone(_)
            )
        })
        .count();
    let may_queue_mail = mail < size;
    match store.commit_batch(commands).await {
        Ok(results) => {
            let changed: Vec<LetterId> = results
                .iter()
                .filter_map(|r| r.as_ref().ok().and_then(WriteOutcome::changed_letter))
                .collect();
            caches.invalidate_signatures(&changed);
            if may_queue_mail {
                mail_wakeup.notify_one();
            }
            // `size` counts the handlers' writes; `mail` the mail worker's leases and records.
            tracing::debug!(size = size - mail, mail, "batch committed");
            for (reply, result) in replies.into_iter().zip(results) {
                // A handler that gave up waiting is gone; its write still stands.
                let _ = reply.send(result.map_err(WriteError::Failed));
            }
        }
        Err(e) => {
            let unavailable = e.is_unavailable();
            tracing::warn!(size, error = %e, "batch rolled back");
            for reply in replies {
                let _ = reply.send(Err(if unavailable {
                    WriteError::Unavailable
                } else {
                    WriteError::Failed(StoreError::Corrupt("batch failed".into()))
                }));
            }
        }
    }
}
