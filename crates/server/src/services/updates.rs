//! Updates' emails: the parameters an update's email is rendered from, and the fan-out job
//! that queues one email per opted-in signer, a batch per transaction (see the store's
//! `UpdateStore::fan_out_batch`). The same job queues a change of substance's requests to
//! re-confirm, one per earlier signer, and a run of invitations to a letter's copy, one per
//! past signer of its family.
//!
//! The job runs in every process. It leases one update's fan-out at a time (the lease is
//! renewed by each batch), so that processes sharing a PostgreSQL database split the work,
//! and a fan-out whose worker died is taken over when its lease runs out: the store's
//! per-signer record makes the rest start where the dead worker's last commit stopped.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::sync::{Notify, watch};
use undersigned_core::{markdown, update::UpdateContent};
use undersigned_store::{
    DynStore, FanOutCommand, Fanout, FanoutProgress, Letter, StoreError, WriteCommand, WriteOutcome,
};

use crate::{
    clock::Clock,
    config::PublicUrl,
    mail::messages::UpdateParams,
    secrets::Token,
    services::writer::{WriteError, Writer},
};

/// How long a fan-out lease lasts without a batch renewing it.
const LEASE_SECONDS: i64 = 60;

/// The JSON the update's emails are rendered from, less each recipient's token.
pub fn email_params(
    instance: &str,
    public: &PublicUrl,
    letter: &Letter,
    content: &UpdateContent,
    posted_at: i64,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(&UpdateParams {
        instance: instance.to_owned(),
        letter_title: letter.title.clone(),
        letter_url: public.url(&format!("/l/{}", letter.slug)),
        title: content.title.clone(),
        body_text: content.body_md.clone(),
        body_html: markdown::render(&content.body_md),
        sources: content.sources.clone(),
        posted_at,
        unsubscribe_base: public.url("/u/"),
        unsubscribe_token: String::new(),
        // The store writes in each recipient's language, as they signed.
        lang: String::new(),
    })
}

/// Runs fan-outs until `shutdown`: whenever `wake` is notified (an update was posted, a
/// letter's text changed in substance, or an organiser invited past signers) and
/// every `every` (to take over fan-outs left unfinished by a crash or another process).
#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: DynStore,
    writer: Writer,
    clock: Clock,
    every: Duration,
    batch: u32,
    wake: Arc<Notify>,
    mail_wakeup: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let worker = format!("fanout-{}", Token::generate().as_str());
    loop {
        if *shutdown.borrow() {
            break;
        }
        let due = fan_out_due(
            &store,
            &writer,
            &clock,
            &worker,
            batch,
            &mail_wakeup,
            &shutdown,
        );
        match due.await {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "queued a fan-out's emails"),
            Err(e) => tracing::warn!(error = %e, "a fan-out failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// Why a round of fan-outs stopped (the next round takes up where it stopped).
#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    #[error("claiming a fan-out: {0}")]
    Claim(#[from] StoreError),
    #[error("queueing a fan-out's batch: {0}")]
    Batch(#[from] WriteError),
    #[error("the writer answered a fan-out's batch with {0}")]
    Unexpected(String),
}

/// Finishes every fan-out that is due (one at a time); returns how many emails it queued.
pub async fn fan_out_due(
    store: &DynStore,
    writer: &Writer,
    clock: &Clock,
    worker: &str,
    batch: u32,
    mail_wakeup: &Notify,
    shutdown: &watch::Receiver<bool>,
) -> Result<u64, FanoutError> {
    let mut queued = 0;
    while let Some(job) = store
        .claim_fanout(worker, clock.now(), clock.now() + LEASE_SECONDS)
        .await?
    {
        loop {
            if *shutdown.borrow() {
                return Ok(queued);
            }
            let now = clock.now();
            // Through the writer: on SQLite a transaction of its own would wait for, and
            // make wait, the sign-ups' batches for the database's single write lock.
            let command = WriteCommand::FanOut(FanOutCommand {
                fanout: job.fanout,
                worker: worker.to_owned(),
                limit: batch.max(1),
                now,
                lease_until: now + LEASE_SECONDS,
            });
            let started = Instant::now();
            let progress = match writer.submit(command).await? {
                WriteOutcome::FannedOut(progress) => progress,
                other => return Err(FanoutError::Unexpected(format!("{other:?}"))),
            };
            match progress {
                FanoutProgress::More(n) => {
                    queued += n;
                    mail_wakeup.notify_one();
                    // Half the writer's time at most, whatever else it has to do: sign-ups
                    // during a fan-out to a million signers still commit every other cycle,
                    // and the emails are still queued faster than they are sent.
                    tokio::time::sleep(started.elapsed()).await;
                }
                FanoutProgress::Done(n) => {
                    queued += n;
                    mail_wakeup.notify_one();
                    match job.fanout {
                        Fanout::Update(update) => {
                            tracing::info!(update = update.0, "update fan-out done");
                        }
                        Fanout::Reconfirm { letter, number } => tracing::info!(
                            letter = letter.0,
                            version = number,
                            "re-confirmation fan-out done"
                        ),
                        Fanout::Invite(run) => tracing::info!(
                            letter = job.letter.0,
                            run = run.0,
                            "invitations to past signers done"
                        ),
                    }
                    break;
                }
                FanoutProgress::Lost => break,
            }
        }
    }
    Ok(queued)
}

/// An update as the letter page and the feed show it, its Markdown rendered once.
#[derive(Debug, Clone)]
pub struct UpdateView {
    pub id: i64,
    pub title: String,
    /// Sanitised HTML (see `undersigned_core::markdown`).
    pub body_html: String,
    /// "2 Dec 2026", and the same for `<time datetime>`.
    pub posted: String,
    pub posted_iso: String,
    pub posted_at: i64,
    /// "Edited on 3 Dec 2026", when it was.
    pub edited: Option<String>,
    /// When it last changed (posted or edited), for the feed.
    pub changed_at: i64,
    pub sources: Vec<undersigned_core::update::Source>,
}

impl UpdateView {
    pub fn of(update: &undersigned_store::LetterUpdate) -> Self {
        Self {
            id: update.id.0,
            title: update.title.clone(),
            body_html: markdown::render(&update.body_md),
            posted: crate::format::date(update.created_at),
            posted_iso: crate::format::iso_date(update.created_at),
            posted_at: update.created_at,
            edited: update
                .edited_at
                .map(|at| format!("Edited on {}", crate::format::date(at))),
            changed_at: update.edited_at.unwrap_or(update.created_at),
            sources: update.sources.clone(),
        }
    }
}
