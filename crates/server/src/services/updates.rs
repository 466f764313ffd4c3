//! Updates' emails: the parameters an update's email is rendered from, and the fan-out job
//! that queues one email per opted-in signer, a batch per transaction (see the store's
//! `UpdateStore::fan_out_batch`).
//!
//! The job runs in every process. It leases one update's fan-out at a time (the lease is
//! renewed by each batch), so that processes sharing a PostgreSQL database split the work,
//! and a fan-out whose worker died is taken over when its lease runs out: the store's
//! per-signer record makes the rest start where the dead worker's last commit stopped.

use std::{sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};
use undersigned_core::{markdown, update::UpdateContent};
use undersigned_store::{DynStore, FanoutProgress, Letter, StoreError};

use crate::{clock::Clock, config::PublicUrl, mail::messages::UpdateParams, secrets::Token};

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

/// Runs fan-outs until `shutdown`: whenever `wake` is notified (an update was posted) and
/// every `every` (to take over fan-outs left unfinished by a crash or another process).
pub async fn run(
    store: DynStore,
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
        match fan_out_due(&store, &clock, &worker, batch, &mail_wakeup, &shutdown).await {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "queued updates' emails"),
            Err(e) => tracing::warn!(error = %e, "fanning out an update failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// Finishes every fan-out that is due (one update at a time); returns how many emails it
/// queued.
pub async fn fan_out_due(
    store: &DynStore,
    clock: &Clock,
    worker: &str,
    batch: u32,
    mail_wakeup: &Notify,
    shutdown: &watch::Receiver<bool>,
) -> Result<u64, StoreError> {
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
            match store
                .fan_out_batch(job.update, worker, batch.max(1), now, now + LEASE_SECONDS)
                .await?
            {
                FanoutProgress::More(n) => {
                    queued += n;
                    mail_wakeup.notify_one();
                }
                FanoutProgress::Done(n) => {
                    queued += n;
                    mail_wakeup.notify_one();
                    tracing::info!(update = job.update.0, "update fan-out done");
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
