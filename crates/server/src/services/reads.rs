//! The read model of the public pages: letters ready to show, their counts and their lists of
//! signatories, from the caches when they are fresh and from the store otherwise.
//!
//! A letter that goes viral is served from memory: the writer drops a letter's counts and
//! first page when it commits a batch that changes them, organisers' changes drop the letter,
//! and every entry expires after a short time so that changes made by another process show
//! up too.

use std::{sync::Arc, time::Duration};

use undersigned_core::{Slug, markdown};
use undersigned_store::{
    Branding, Counts, DayCount, Delivery, DeliveryStatus, DynStore, Erasure, GridKey, Letter,
    LetterId, LetterSummary, PublicListing, SignatoryPage, StoreError,
};

use super::cache::{Lead, TtlMap};
use crate::rendered::Rendered;

/// Why a read found nothing to show.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// No such letter, or one the public may not see.
    #[error("no such letter")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Signatories per page, on the letter page and in `signatories.json`.
pub const SIGNATORIES_PER_PAGE: u32 = 50;

/// Organisations on a page of the letter's grid.
pub const ORGANISATIONS_PER_PAGE: u32 = 60;

/// A letter ready to show: the record and its body rendered once.
#[derive(Debug)]
pub struct LetterView {
    pub letter: Letter,
    pub body_html: String,
    /// When its signers' personal data was erased (the workspace's retention), if it was.
    pub erasure: Option<Erasure>,
    /// The workspace that hosts it: its name, website and logo.
    pub host: Option<Branding>,
    /// Its updates, newest first.
    pub updates: Vec<crate::services::updates::UpdateView>,
    /// Its deliveries that were carried out, newest first.
    pub delivered: Vec<Delivery>,
    /// How many letters of its family (itself included) the public may see.
    pub family: usize,
    /// Its translations' bodies, rendered, in the order of `letter.translations`.
    pub translations_html: Vec<String>,
}

impl LetterView {
    /// Renders the letter's body.
    pub fn of(letter: Letter, erasure: Option<Erasure>, host: Option<Branding>) -> Self {
        let translations_html = letter
            .translations
            .iter()
            .map(|t| markdown::render(&t.body_md))
            .collect();
        Self {
            body_html: markdown::render(&letter.body_markdown),
            letter,
            erasure,
            host,
            updates: Vec::new(),
            delivered: Vec::new(),
            family: 1,
            translations_html,
        }
    }
}

/// The public pages' reads.
pub struct Reads {
    store: DynStore,
    caches: Arc<Caches>,
}

impl Reads {
    /// Reads from `store`, keeping what it read for `ttl`.
    pub fn new(store: DynStore, ttl: Duration) -> Self {
        Self {
            store,
            caches: Arc::new(Caches::new(ttl)),
        }
    }

    /// The caches, for the writer, which drops what a batch changed.
    pub fn caches(&self) -> Arc<Caches> {
        self.caches.clone()
    }

    /// Any letter by slug (drafts included), rendered once and cached. `NotFound` when the
    /// slug is malformed or unknown. When the cached view expires during a surge, one
    /// request reads it again and the others wait for that read, rather than each making
    /// the same reads at once.
    pub async fn letter(&self, slug: &str) -> Result<Arc<LetterView>, ReadError> {
        let slug = Slug::parse(slug).map_err(|_| ReadError::NotFound)?;
        let key = slug.as_str().to_owned();
        let lead = match self.caches.letters.get_or_lead(&key).await {
            Ok(view) => return Ok(view),
            Err(lead) => lead,
        };
        let letter = self
            .store
            .letter_by_slug(slug.as_str())
            .await?
            .ok_or(ReadError::NotFound)?;
        let erasure = self.store.erasure(letter.id).await?;
        let host = self.store.branding(letter.workspace_id).await?;
        let updates = self.store.letter_updates(letter.id).await?;
        // The letters of its family the public may see (its family page lists them).
        let family = self
            .store
            .family(letter.id)
            .await?
            .iter()
            .filter(|(_, state)| state.is_public())
            .count();
        let mut view = LetterView::of(letter, erasure, host);
        view.family = family;
        view.updates = updates
            .iter()
            .map(crate::services::updates::UpdateView::of)
            .collect();
        if view.letter.state.is_public() {
            view.delivered = self
                .store
                .deliveries(view.letter.id)
                .await?
                .into_iter()
                .filter(|d| d.status == DeliveryStatus::Delivered)
                .collect();
        }
        Ok(self.caches.letters.land(key, lead, Arc::new(view)))
    }

    /// A letter the public may see (open, closed or delivered): `NotFound` for drafts too.
    pub async fn public_letter(&self, slug: &str) -> Result<Arc<LetterView>, ReadError> {
        let view = self.letter(slug).await?;
        if view.letter.state.is_public() {
            Ok(view)
        } else {
            Err(ReadError::NotFound)
        }
    }

    /// A letter's published signatures per category, and the log size they were counted at.
    /// When they are missing (changed or expired), one request counts and the others that
    /// miss meanwhile wait for it: at a million signatures a count takes some milliseconds,
    /// and every request of a surge making its own would add up.
    pub async fn counts(&self, letter: LetterId) -> Result<Arc<Counts>, StoreError> {
        let lead = match self.caches.counts.get_or_lead(&letter).await {
            Ok(counts) => return Ok(counts),
            Err(lead) => lead,
        };
        let counts = self.store.counts(letter).await?;
        Ok(self.caches.counts.land(letter, lead, Arc::new(counts)))
    }

    /// A letter's published signatures per UTC day, for its chart: one grouped read per
    /// change, kept like the counts.
    ///
    /// The read costs time in proportion to the letter's signatures (about 0.1 s at a
    /// million on SQLite), and a surge changes the letter every few milliseconds. When the
    /// last read of a large letter's chart took [`SLOW_DAYS`] or more, its result is shown
    /// for twenty times as long as it took; then it is read again in the background while
    /// the old one is still shown (for as long again at most): at a million signatures the
    /// chart lags by a few seconds and no request waits for it, while the counts and the
    /// list stay fresh. Otherwise one request reads it and the others that miss meanwhile
    /// wait for that read.
    pub async fn signatures_by_day(
        &self,
        letter: LetterId,
    ) -> Result<Arc<Vec<DayCount>>, StoreError> {
        match self.caches.slow_days.recent(letter) {
            Slow::Show(days) => return Ok(days),
            Slow::ReadAgain(days) => {
                let (store, caches) = (self.store.clone(), self.caches.clone());
                tokio::spawn(async move {
                    if let Err(e) = read_days(&store, &caches, letter).await {
                        tracing::warn!(error = %e, "reading the chart again failed");
                        // The next request takes the turn.
                        caches.slow_days.give_up(letter);
                    }
                });
                return Ok(days);
            }
            Slow::None => {}
        }
        let lead = match self.caches.days.get_or_lead(&letter).await {
            Ok(days) => return Ok(days),
            Err(lead) => lead,
        };
        let days = read_days(&self.store, &self.caches, letter).await?;
        Ok(self.caches.days.land(letter, lead, days))
    }

    /// A page of the public signatories who are people (organisations have their grid),
    /// newest in the log first: those logged before the entry `before` (the newest when
    /// None), with one row more than a page to tell whether another page follows. Keyset
    /// pages: each costs one index range, however deep, and stays put while the log grows.
    /// The first page, the one everybody sees, comes from the cache.
    pub async fn people(
        &self,
        letter: LetterId,
        before: Option<u64>,
    ) -> Result<Arc<SignatoryPage>, StoreError> {
        let read = || {
            self.store.public_signatures(
                letter,
                PublicListing::PeopleBefore(before),
                SIGNATORIES_PER_PAGE + 1,
            )
        };
        if before.is_some() {
            return read().await.map(Arc::new);
        }
        let lead = match self.caches.first_pages.get_or_lead(&letter).await {
            Ok(rows) => return Ok(rows),
            Err(lead) => lead,
        };
        let rows = read().await?;
        Ok(self.caches.first_pages.land(letter, lead, Arc::new(rows)))
    }

    /// A page of the letter's organisations in the grid's order (pinned, verified, the
    /// rest), those after `after` (from the first when None), with one row more than a page.
    /// The first page comes from the cache.
    pub async fn organisations(
        &self,
        letter: LetterId,
        after: Option<GridKey>,
    ) -> Result<Arc<SignatoryPage>, StoreError> {
        let read = || {
            self.store.public_signatures(
                letter,
                PublicListing::Organisations(after),
                ORGANISATIONS_PER_PAGE + 1,
            )
        };
        if after.is_some() {
            return read().await.map(Arc::new);
        }
        let generation = match self.caches.first_grids.get(&letter) {
            Ok(rows) => return Ok(rows),
            Err(generation) => generation,
        };
        let rows = Arc::new(read().await?);
        self.caches
            .first_grids
            .put(letter, generation, rows.clone());
        Ok(rows)
    }

    /// The public signatories by log index, highest first, those below `before` (all when
    /// None), with one row more than a page: pages that stay put while the log grows.
    pub async fn signatories_by_index(
        &self,
        letter: LetterId,
        before: Option<u64>,
        per_page: u32,
    ) -> Result<SignatoryPage, StoreError> {
        self.store
            .public_signatures(
                letter,
                PublicListing::LogIndexBefore(before),
                per_page.saturating_add(1),
            )
            .await
    }

    /// The letters the public can see, newest first.
    pub async fn public_letters(&self) -> Result<Vec<LetterSummary>, StoreError> {
        self.store.public_letters(100).await
    }

    /// An organiser changed a letter (its slug, text or state).
    pub fn letter_changed(&self, letter: LetterId) {
        self.caches.invalidate_letter(letter);
    }

    /// A workspace's name, website or logo changed: every letter page names its host.
    pub fn hosts_changed(&self) {
        self.caches.letters.invalidate_all();
        self.caches.rendered.invalidate_all();
    }

    /// A response of the letter's rendered earlier (or being rendered for another request
    /// since the letter last changed: then once it is), or the lead to render one.
    pub async fn rendered(
        &self,
        letter: LetterId,
        which: Cached,
    ) -> Result<Arc<Rendered>, Lead<Rendered>> {
        self.caches.rendered.get_or_lead(&(letter, which)).await
    }

    /// The response of a public letter's (by its slug) rendered earlier, if both the letter
    /// and the response are in the caches and fresh: the same bytes [`Reads::rendered`]
    /// would give, without waiting for anything. `None` says nothing about the letter.
    pub fn rendered_ready(&self, slug: &str, which: Cached) -> Option<Arc<Rendered>> {
        let view = self.caches.letters.peek(slug)?;
        if !view.letter.state.is_public() {
            return None;
        }
        self.caches.rendered.peek(&(view.letter.id, which))
    }

    /// Keeps a response rendered under `lead` (unless the letter changed since it started)
    /// and hands it to the requests waiting for it.
    pub fn keep_rendered(
        &self,
        letter: LetterId,
        which: Cached,
        lead: Lead<Rendered>,
        rendered: Rendered,
    ) -> Arc<Rendered> {
        self.caches
            .rendered
            .land((letter, which), lead, Arc::new(rendered))
    }
}

/// What [`Reads`] keeps: letters by slug, counts and first pages of signatories by letter.
pub struct Caches {
    letters: TtlMap<String, LetterView>,
    counts: TtlMap<LetterId, Counts>,
    /// Published signatures per day, for the chart.
    days: TtlMap<LetterId, Vec<DayCount>>,
    /// The last of them that took long to read, kept across changes for a while.
    slow_days: SlowReads<LetterId, Vec<DayCount>>,
    /// The newest signatories (the first page of the list) per letter.
    first_pages: TtlMap<LetterId, SignatoryPage>,
    /// The first page of the organisations' grid per letter.
    first_grids: TtlMap<LetterId, SignatoryPage>,
    /// Responses rendered once per change: the letter page as most visitors see it, and
    /// `counts.json`.
    rendered: TtlMap<(LetterId, Cached), Rendered>,
}

/// A read that took [`SLOW_DAYS`] or more is shown again, whatever changed, for this many
/// times as long as it took.
const SLOW_KEPT_FOR: u32 = 20;
/// How long a read of the chart must take to be kept across changes.
pub const SLOW_DAYS: Duration = Duration::from_millis(50);
/// How many signatures a letter's chart must count to be kept across changes: a small
/// letter's chart that was slow to read because the machine was busy is read again at the
/// next change, as it is quick to read.
const SLOW_DAYS_FROM: u64 = 10_000;

/// Reads `letter`'s chart, and keeps it across changes if that was slow.
async fn read_days(
    store: &DynStore,
    caches: &Caches,
    letter: LetterId,
) -> Result<Arc<Vec<DayCount>>, StoreError> {
    let started = std::time::Instant::now();
    let days = Arc::new(store.signatures_by_day(letter).await?);
    let slow = is_slow(&days, started.elapsed());
    caches.slow_days.keep(letter, days.clone(), slow);
    Ok(days)
}

/// Whether a read of the chart `days` that took `took` is one to keep across changes.
fn is_slow(days: &[DayCount], took: Duration) -> Option<Duration> {
    let signatures: u64 = days.iter().map(|d| d.signatures).sum();
    (took >= SLOW_DAYS && signatures >= SLOW_DAYS_FROM).then_some(took)
}

/// A slow read's result, when it was read, how long it took, and since when a request has
/// been reading it again (if one is).
struct SlowRead<T> {
    value: Arc<T>,
    at: std::time::Instant,
    took: Duration,
    refreshing: Option<std::time::Instant>,
}

/// Results of slow reads, shown again for a while after a change instead of being read again
/// each time: for a view that may lag a little (the chart), not for one that must be exact.
/// Once one is too old, one caller reads it again while every caller (that one too) is
/// shown the old one, rather than any waiting for a slow read; one twice too old (the letter
/// was not looked at meanwhile) is not shown.
pub struct SlowReads<K, T> {
    kept: std::sync::Mutex<std::collections::HashMap<K, SlowRead<T>>>,
}

impl<K, T> Default for SlowReads<K, T> {
    fn default() -> Self {
        Self {
            kept: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

/// What [`SlowReads::recent`] has for a key.
#[derive(Debug)]
enum Slow<T> {
    /// A slow read recent enough to show again, or an older one while another caller reads
    /// it again.
    Show(Arc<T>),
    /// An older one to show, and the caller's turn to read it again (and to
    /// [`SlowReads::keep`] what it reads).
    ReadAgain(Arc<T>),
    /// No slow read: read as usual.
    None,
}

impl<K: std::hash::Hash + Eq, T> SlowReads<K, T> {
    fn recent(&self, key: K) -> Slow<T> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let Some(read) = kept.get_mut(&key) else {
            return Slow::None;
        };
        let kept_for = read.took * SLOW_KEPT_FOR;
        let age = read.at.elapsed();
        if age < kept_for {
            return Slow::Show(read.value.clone());
        }
        if age >= kept_for * 2 {
            kept.remove(&key);
            return Slow::None;
        }
        // A caller whose read failed or never ended hands the turn on after as long again.
        match read.refreshing {
            Some(since) if since.elapsed() < kept_for => Slow::Show(read.value.clone()),
            _ => {
                read.refreshing = Some(std::time::Instant::now());
                Slow::ReadAgain(read.value.clone())
            }
        }
    }

    /// The caller whose turn it was to read `key` again could not: the next one may.
    fn give_up(&self, key: K) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(read) = kept.get_mut(&key) {
            read.refreshing = None;
        }
    }

    /// Keeps a read of `key` if it was slow (`took`, as [`is_slow`] says); forgets the last
    /// one if not.
    fn keep(&self, key: K, value: Arc<T>, slow: Option<Duration>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(took) = slow {
            kept.insert(
                key,
                SlowRead {
                    value,
                    at: std::time::Instant::now(),
                    took,
                    refreshing: None,
                },
            );
        } else {
            kept.remove(&key);
        }
    }
}

/// Which rendered response of a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cached {
    /// `/l/{slug}` without a query, in a language: the first page of signatories, an empty
    /// form.
    Page(crate::i18n::Lang),
    CountsJson,
}

impl Caches {
    pub fn new(ttl: Duration) -> Self {
        Self {
            letters: TtlMap::new(ttl),
            counts: TtlMap::new(ttl),
            days: TtlMap::new(ttl),
            slow_days: SlowReads::default(),
            first_pages: TtlMap::new(ttl),
            first_grids: TtlMap::new(ttl),
            rendered: TtlMap::new(ttl),
        }
    }

    /// Called after a batch commits: these letters' counts and lists changed.
    pub fn invalidate_signatures(&self, letters: &[LetterId]) {
        for letter in letters {
            self.counts.invalidate(letter);
            self.days.invalidate(letter);
            self.first_pages.invalidate(letter);
            self.first_grids.invalidate(letter);
            for lang in crate::i18n::Lang::ALL {
                self.rendered.invalidate(&(*letter, Cached::Page(lang)));
            }
            self.rendered.invalidate(&(*letter, Cached::CountsJson));
        }
    }

    /// Called after an organiser changes a letter (its slug may have changed too).
    pub fn invalidate_letter(&self, letter: LetterId) {
        self.letters.invalidate_all();
        self.invalidate_signatures(&[letter]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_started_before_a_batch_committed_is_not_stored() {
        let caches = Caches::new(Duration::from_secs(60));
        let letter = LetterId(1);
        let Err(generation) = caches.counts.get(&letter) else {
            panic!("empty cache")
        };
        // A batch commits while the read is under way…
        caches.invalidate_signatures(&[letter]);
        // …so the stale result is dropped.
        caches
            .counts
            .put(letter, generation, Arc::new(Counts::default()));
        let Err(fresh) = caches.counts.get(&letter) else {
            panic!("stale counts were stored")
        };
        caches.counts.put(
            letter,
            fresh,
            Arc::new(Counts {
                total: 1,
                log_size: 1,
                ..Counts::default()
            }),
        );
        assert_eq!(caches.counts.get(&letter).map(|c| c.total), Ok(1));
    }

    #[test]
    fn entries_expire() {
        let caches = Caches::new(Duration::from_millis(0));
        let Err(generation) = caches.counts.get(&LetterId(1)) else {
            panic!("empty cache")
        };
        caches
            .counts
            .put(LetterId(1), generation, Arc::new(Counts::default()));
        assert!(caches.counts.get(&LetterId(1)).is_err());
    }

    /// What `recent` says, as (the value to show, whether it is the caller's turn to read
    /// it again).
    fn seen(slow: &SlowReads<LetterId, u32>, letter: i64) -> Option<(u32, bool)> {
        match slow.recent(LetterId(letter)) {
            Slow::Show(v) => Some((*v, false)),
            Slow::ReadAgain(v) => Some((*v, true)),
            Slow::None => None,
        }
    }

    /// A chart that took long to read is shown again after a change; one read quickly is
    /// not, and a quick read replaces a slow one.
    #[test]
    fn only_slow_reads_are_kept_across_changes() {
        let slow = SlowReads::<LetterId, u32>::default();
        slow.keep(LetterId(1), Arc::new(7), None);
        assert_eq!(seen(&slow, 1), None);
        slow.keep(LetterId(1), Arc::new(8), Some(SLOW_DAYS));
        assert_eq!(seen(&slow, 1), Some((8, false)));
        assert_eq!(seen(&slow, 2), None);
        slow.keep(LetterId(1), Arc::new(9), None);
        assert_eq!(seen(&slow, 1), None);
    }

    /// Once a slow read is too old, one caller gets the turn to read it again; every caller
    /// is shown the old one meanwhile; a caller that fails or never comes back hands the turn
    /// on; one twice too old is not shown at all.
    #[test]
    fn one_caller_reads_a_slow_read_again_while_all_see_the_old_one() {
        let slow = SlowReads::<LetterId, u32>::default();
        let long_ago = |secs| {
            std::time::Instant::now()
                .checked_sub(Duration::from_secs(secs))
                .expect("the clock is past a few minutes")
        };
        // Took 2 s: shown for 40 s, then read again, and not shown once 80 s old.
        let old = |age, refreshing| SlowRead {
            value: Arc::new(8),
            at: long_ago(age),
            took: Duration::from_secs(2),
            refreshing,
        };
        let put = |read| {
            slow.kept
                .lock()
                .expect("not poisoned")
                .insert(LetterId(1), read);
        };
        put(old(30, None));
        assert_eq!(seen(&slow, 1), Some((8, false)), "recent enough");
        put(old(60, None));
        assert_eq!(seen(&slow, 1), Some((8, true)), "the first caller reads");
        assert_eq!(seen(&slow, 1), Some((8, false)));
        assert_eq!(seen(&slow, 1), Some((8, false)));
        slow.keep(LetterId(1), Arc::new(9), Some(SLOW_DAYS));
        assert_eq!(seen(&slow, 1), Some((9, false)));
        // The caller whose turn it was could not read: the next one does.
        put(old(60, None));
        assert_eq!(seen(&slow, 1), Some((8, true)));
        slow.give_up(LetterId(1));
        assert_eq!(seen(&slow, 1), Some((8, true)));
        assert_eq!(seen(&slow, 1), Some((8, false)));
        // The caller whose turn it was went away long ago: the next one reads.
        put(old(60, Some(long_ago(50))));
        assert_eq!(seen(&slow, 1), Some((8, true)));
        // Nobody looked for long: read as usual.
        put(old(100, None));
        assert_eq!(seen(&slow, 1), None);
    }

    /// Only a large letter's slow chart is kept: a small one was slow because the machine was
    /// busy, and is quick to read again.
    #[test]
    fn only_a_large_letters_slow_chart_is_kept() {
        let day = |signatures| DayCount {
            day: 20_000,
            signatures,
        };
        let slow = Duration::from_millis(120);
        assert_eq!(is_slow(&[day(9_999)], slow), None);
        assert_eq!(is_slow(&[day(6_000), day(4_000)], slow), Some(slow));
        assert_eq!(is_slow(&[day(1_000_000)], Duration::from_millis(5)), None);
    }
}
