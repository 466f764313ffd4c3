//! Delivery: the document a letter's targets receive, and the job that closes letters on
//! their closing date and carries out scheduled deliveries.
//!
//! A delivery is carried out by whichever process finds it due first: it reads the log's
//! head, lists the signatures in the log up to that head, typesets the PDF (on a blocking
//! thread), and records the delivery with one email per target in one transaction. Two
//! processes may both typeset it; only one records it (`complete_delivery` returns false for
//! the other), so a target never gets it twice.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};
use undersigned_core::{email::EmailAddress, logo::LogoRef};
use undersigned_delivery::{Checkpoint, Document, Group, OrganisationEntry, Target};
use undersigned_store::{
    CompletedDelivery, DeliveryEmail, DueDelivery, DynStore, Letter, LetterId, LogHead,
    PublicListing, StoreError,
};
use undersigned_verify::entry::LogEntry;

use crate::{
    clock::Clock,
    config::PublicUrl,
    format,
    mail::messages::DeliveryParams,
    services::{
        logs::{LogError, Logs},
        reads::Caches,
    },
};

/// How many signatures are read from the store at a time while the document is built.
const PAGE: u32 = 1_000;
/// How long a failed delivery waits before it is tried again.
const RETRY_SECONDS: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Document(#[from] undersigned_delivery::DeliveryError),
    #[error("the letter to deliver is gone")]
    NoLetter,
    #[error("the delivery email's parameters could not be written")]
    Params(#[from] serde_json::Error),
    #[error("typesetting stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("the log's entry {0} cannot be read")]
    Entry(u64),
}

impl DeliveryError {
    /// A short code for the delivery's record (no personal data, no server reply text).
    fn code(&self) -> &'static str {
        match self {
            DeliveryError::Store(e) if e.is_unavailable() => "database unavailable",
            DeliveryError::Store(_) => "database error",
            DeliveryError::Log(_) | DeliveryError::Entry(_) => "log unreadable",
            DeliveryError::Document(_) => "typesetting failed",
            DeliveryError::NoLetter => "letter gone",
            DeliveryError::Params(_) => "email parameters",
            DeliveryError::Join(_) => "typesetting stopped",
        }
    }
}

/// Builds delivery documents and carries out deliveries.
#[derive(Clone)]
pub struct Deliveries {
    store: DynStore,
    logs: Arc<Logs>,
    public: PublicUrl,
}

impl Deliveries {
    pub fn new(store: DynStore, logs: Arc<Logs>, public: PublicUrl) -> Self {
        Self {
            store,
            logs,
            public,
        }
    }

    /// The letter's document as it would be delivered at `now`: its signatures up to the
    /// log's current head, and the checkpoint of that head. Returns the head and the
    /// number of signatures too.
    pub async fn document(
        &self,
        letter: &Letter,
        now: i64,
    ) -> Result<(Vec<u8>, LogHead, u64, String), DeliveryError> {
        let head = self.logs.head(letter.id).await?;
        let checkpoint = self.logs.checkpoint(&letter.slug, &head)?;
        let (document, total) = self.gather(letter, &head, &checkpoint, now).await?;
        let pdf =
            tokio::task::spawn_blocking(move || undersigned_delivery::render(&document)).await??;
        Ok((pdf, head, total, checkpoint))
    }

    /// The document's content: the letter, and every signature whose add entry is in the
    /// log below `head`, by category, organisations with their logos first.
    async fn gather(
        &self,
        letter: &Letter,
        head: &LogHead,
        checkpoint: &str,
        now: i64,
    ) -> Result<(Document, u64), DeliveryError> {
        let host = self.store.branding(letter.workspace_id).await?;
        let host_logo = match host.as_ref().and_then(|h| h.logo) {
            Some(logo) => self.store.logo(logo).await?,
            None => None,
        };
        let mut groups: Vec<Group> = letter
            .categories
            .iter()
            .map(|c| Group {
                category: c.name.clone(),
                ..Group::default()
            })
            .collect();
        let mut logos: BTreeMap<String, Option<Vec<u8>>> = BTreeMap::new();
        let mut below = Some(head.size);
        while let Some(before) = below {
            let page = self
                .store
                .public_signatures(letter.id, PublicListing::LogIndexBefore(Some(before)), PAGE)
                .await?;
            below = page
                .rows
                .last()
                .and_then(|row| row.log_index)
                .filter(|_| page.rows.len() == PAGE as usize);
            for row in page.rows {
                let Some(group) = groups.iter_mut().find(|g| g.category == row.category) else {
                    continue;
                };
                match (row.shown(), &row.organisation) {
                    (None, _) => {}
                    (Some(shown), Some(organisation)) => {
                        let logo = match &organisation.logo {
                            Some(hex) => match logos.get(hex) {
                                Some(bytes) => bytes.clone(),
                                None => {
                                    let bytes = match hex.parse::<LogoRef>() {
                                        Ok(logo) => self.store.logo(logo).await?,
                                        Err(_) => None,
                                    };
                                    logos.insert(hex.clone(), bytes.clone());
                                    bytes
                                }
                            },
                            None => None,
                        };
                        group.organisations.push(OrganisationEntry {
                            name: shown.shown_name,
                            verified: organisation.verified.is_some(),
                            signer: shown.details.unwrap_or_default(),
                            logo,
                        });
                    }
                    (Some(shown), None) => group.people.push(match shown.details {
                        Some(details) => format!("{}, {details}", shown.shown_name),
                        None => shown.shown_name,
                    }),
                }
            }
        }
        // The totals are the log's at `head` (add entries less the ones removed), private
        // signers included: the list above only ever holds the ones shown.
        let counted = self.counted_at(letter.id, head).await?;
        let mut total = 0u64;
        for (category, n) in counted {
            let group = match groups.iter_mut().position(|g| g.category == category) {
                Some(at) => &mut groups[at],
                None => {
                    groups.push(Group {
                        category,
                        ..Group::default()
                    });
                    groups.last_mut().ok_or(DeliveryError::NoLetter)?
                }
            };
            let shown = (group.people.len() + group.organisations.len()) as u64;
            group.count = n.max(shown);
            group.withheld = group.count - shown;
            total += group.count;
        }
        // The list was read newest first; the document lists in the order they signed,
        // verified organisations first.
        for group in &mut groups {
            group.people.reverse();
            group.organisations.reverse();
            group.organisations.sort_by_key(|o| !o.verified);
        }
        let url = self.public.url(&format!("/l/{}", letter.slug));
        let document = Document {
            host: host
                .as_ref()
                .map(|h| h.name.clone())
                .unwrap_or_else(|| self.public.host.clone()),
            host_website: host.as_ref().and_then(|h| h.website.clone()),
            host_logo,
            date: format::date(now),
            title: letter.title.clone(),
            subject: letter.subject.clone(),
            targets: letter
                .targets
                .iter()
                .map(|t| Target {
                    name: t.name.clone(),
                    title: t.title.clone(),
                    organisation: t.organisation.clone(),
                })
                .collect(),
            body: Document::body_from_markdown(&letter.body_markdown),
            url,
            groups,
            total,
            log: Checkpoint {
                origin: checkpoint.lines().next().unwrap_or_default().to_owned(),
                size: head.size,
                root: base64_root(&head.root),
                note: checkpoint.to_owned(),
            },
        };
        Ok((document, total))
    }

    /// How many signatures of each category the log counts at `head`: its add entries, less
    /// those a later entry below `head` removes.
    async fn counted_at(
        &self,
        letter: LetterId,
        head: &LogHead,
    ) -> Result<BTreeMap<String, u64>, DeliveryError> {
        const CHUNK: u64 = 1024;
        let mut categories: Vec<String> = Vec::new();
        // The category (as an index into `categories`) of each entry; removes hold none.
        let mut category_of: Vec<Option<u32>> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        let mut start = 0;
        while start < head.size {
            let end = (start + CHUNK).min(head.size);
            let entries = self.store.log_entries(letter, start, end).await?;
            for (offset, bytes) in entries.iter().enumerate() {
                let index = start + offset as u64;
                match LogEntry::decode(bytes).map_err(|_| DeliveryError::Entry(index))? {
                    LogEntry::Add(add) => {
                        let at = match categories.iter().position(|c| *c == add.category) {
                            Some(at) => at,
                            None => {
                                categories.push(add.category);
                                counts.push(0);
                                categories.len() - 1
                            }
                        };
                        counts[at] += 1;
                        category_of.push(Some(at as u32));
                    }
                    LogEntry::Remove(remove) => {
                        let removed = usize::try_from(remove.removes)
                            .ok()
                            .and_then(|i| category_of.get(i).copied().flatten())
                            .ok_or(DeliveryError::Entry(index))?;
                        counts[removed as usize] = counts[removed as usize].saturating_sub(1);
                        category_of.push(None);
                    }
                    LogEntry::Text(_) => category_of.push(None),
                }
            }
            if entries.is_empty() {
                return Err(DeliveryError::Entry(start));
            }
            start += entries.len() as u64;
        }
        Ok(categories.into_iter().zip(counts).collect())
    }

    /// Carries out one due delivery. False when another process did it first, or it was
    /// cancelled meanwhile.
    pub async fn deliver(&self, due: DueDelivery, now: i64) -> Result<bool, DeliveryError> {
        let letter = self
            .store
            .letter(due.letter)
            .await?
            .ok_or(DeliveryError::NoLetter)?;
        let (pdf, head, signatures, checkpoint) = self.document(&letter, now).await?;
        let addresses = self.store.delivery_addresses(letter.id).await?;
        let url = self.public.url(&format!("/l/{}", letter.slug));
        let host = self
            .store
            .branding(letter.workspace_id)
            .await?
            .map(|b| b.name)
            .unwrap_or_else(|| self.public.host.clone());
        let mut emails = Vec::new();
        for (position, (target, address)) in letter.targets.iter().zip(addresses).enumerate() {
            let Some(address) = address.and_then(|a| EmailAddress::parse(&a).ok()) else {
                continue;
            };
            let params = DeliveryParams {
                host: host.clone(),
                target: target.name.clone(),
                letter_title: letter.title.clone(),
                subject: letter.subject.clone(),
                letter_url: url.clone(),
                signatures,
                date: now,
                delivery: due.id.0,
                file_name: format!("{}.pdf", letter.slug),
                lang: delivery_language(&letter.lang),
            };
            emails.push(DeliveryEmail {
                position: u32::try_from(position).unwrap_or(u32::MAX),
                name: target.name.clone(),
                title: target.title.clone(),
                organisation: target.organisation.clone(),
                email: address,
                params: serde_json::to_string(&params)?,
                message_id_host: crate::mail::message_id_host(&self.public.host),
            });
        }
        Ok(self
            .store
            .complete_delivery(CompletedDelivery {
                delivery: due.id,
                letter: letter.id,
                now,
                signatures,
                head,
                checkpoint,
                pdf,
                emails,
            })
            .await?)
    }
}

fn base64_root(root: &[u8; 32]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(root)
}

/// The schedule job: closes letters on their closing date and carries out due deliveries,
/// every `every` or when woken (an organiser asked to deliver now).
pub async fn run(
    deliveries: Deliveries,
    caches: Arc<Caches>,
    mail_wakeup: Arc<Notify>,
    wakeup: Arc<Notify>,
    clock: Clock,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        let store = &deliveries.store;
        match store.close_due(clock.now()).await {
            Ok(closed) => {
                for letter in closed {
                    tracing::info!(letter = letter.0, "closed signing on its closing date");
                    caches.invalidate_letter(letter);
                }
            }
            Err(e) => tracing::warn!(error = %e, "closing letters on schedule failed"),
        }
        match store.due_deliveries(clock.now()).await {
            Ok(due) => {
                for delivery in due {
                    match deliveries.deliver(delivery, clock.now()).await {
                        Ok(true) => {
                            tracing::info!(
                                letter = delivery.letter.0,
                                delivery = delivery.id.0,
                                "delivered a letter"
                            );
                            caches.invalidate_letter(delivery.letter);
                            mail_wakeup.notify_one();
                        }
                        Ok(false) => {}
                        Err(e) => {
                            tracing::warn!(
                                letter = delivery.letter.0,
                                delivery = delivery.id.0,
                                error = %e,
                                "a delivery failed; trying again later"
                            );
                            if let Err(e) = store
                                .delivery_failed(delivery.id, e.code(), clock.now() + RETRY_SECONDS)
                                .await
                            {
                                tracing::warn!(error = %e, "recording a failed delivery failed");
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "looking for due deliveries failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = wakeup.notified() => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// The language of a delivery email: the letter's original text's, when the interface has
/// it; English otherwise (the letter itself is attached in its own language).
fn delivery_language(letter_lang: &str) -> String {
    crate::i18n::Lang::from_tag(letter_lang)
        .unwrap_or_default()
        .code()
        .to_owned()
}
