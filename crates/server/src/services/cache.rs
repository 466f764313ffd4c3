//! The caches behind [`super::reads::Reads`]. Entries are dropped when this process commits
//! a change to them and expire after a short time, so that changes made by another process
//! show up quickly too.
//!
//! Each key has a generation that every invalidation bumps. A reader notes the generation
//! before it reads the database and stores its result only if the generation is unchanged,
//! so a read that started before a commit can never put stale data back after it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use undersigned_store::{Counts, LetterId, SignatoryPage};

use super::reads::LetterView;

struct Entry<T> {
    at: Instant,
    value: Arc<T>,
}

struct Slots<K, T> {
    entries: HashMap<K, Entry<T>>,
    generations: HashMap<K, u64>,
}

/// A cache miss: the generation to hand back to [`TtlMap::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

struct TtlMap<K, T> {
    ttl: Duration,
    slots: Mutex<Slots<K, T>>,
}

impl<K: std::hash::Hash + Eq + Clone, T> TtlMap<K, T> {
    fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::new(Slots {
                entries: HashMap::new(),
                generations: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots<K, T>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached value, or the generation a fresh read must carry.
    fn get(&self, key: &K) -> Result<Arc<T>, Generation> {
        let slots = self.lock();
        match slots.entries.get(key) {
            Some(e) if e.at.elapsed() < self.ttl => Ok(e.value.clone()),
            _ => Err(Generation(
                slots.generations.get(key).copied().unwrap_or_default(),
            )),
        }
    }

    /// Stores a value read at `generation`, unless the key was invalidated since.
    fn put(&self, key: K, generation: Generation, value: Arc<T>) {
        let mut slots = self.lock();
        if slots.generations.get(&key).copied().unwrap_or_default() != generation.0 {
            return;
        }
        if slots.entries.len() > 10_000 {
            let ttl = self.ttl;
            slots.entries.retain(|_, e| e.at.elapsed() < ttl);
        }
        slots.entries.insert(
            key,
            Entry {
                at: Instant::now(),
                value,
            },
        );
    }

    fn invalidate(&self, key: &K) {
        let mut slots = self.lock();
        slots.entries.remove(key);
        *slots.generations.entry(key.clone()).or_default() += 1;
    }

    fn invalidate_all(&self) {
        let mut slots = self.lock();
        slots.entries.clear();
        for generation in slots.generations.values_mut() {
            *generation += 1;
        }
    }
}

pub struct Caches {
    letters: TtlMap<String, LetterView>,
    counts: TtlMap<LetterId, Counts>,
    /// The newest signatories (the first page of the list) per letter.
    first_pages: TtlMap<LetterId, SignatoryPage>,
}

impl Caches {
    pub fn new(ttl: Duration) -> Self {
        Self {
            letters: TtlMap::new(ttl),
            counts: TtlMap::new(ttl),
            first_pages: TtlMap::new(ttl),
        }
    }

    pub fn letter(&self, slug: &str) -> Result<Arc<LetterView>, Generation> {
        self.letters.get(&slug.to_owned())
    }

    pub fn put_letter(&self, generation: Generation, view: Arc<LetterView>) {
        self.letters.put(view.letter.slug.clone(), generation, view);
    }

    pub fn counts(&self, letter: LetterId) -> Result<Arc<Counts>, Generation> {
        self.counts.get(&letter)
    }

    pub fn put_counts(&self, letter: LetterId, generation: Generation, counts: Arc<Counts>) {
        self.counts.put(letter, generation, counts);
    }

    pub fn first_page(&self, letter: LetterId) -> Result<Arc<SignatoryPage>, Generation> {
        self.first_pages.get(&letter)
    }

    pub fn put_first_page(
        &self,
        letter: LetterId,
        generation: Generation,
        rows: Arc<SignatoryPage>,
    ) {
        self.first_pages.put(letter, generation, rows);
    }

    /// Called after a batch commits: these letters' counts and lists changed.
    pub fn invalidate_signatures(&self, letters: &[LetterId]) {
        for letter in letters {
            self.counts.invalidate(letter);
            self.first_pages.invalidate(letter);
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
    fn a_read_that_started_before_an_invalidation_is_not_stored() {
        let caches = Caches::new(Duration::from_secs(60));
        let letter = LetterId(1);
        let Err(generation) = caches.counts(letter) else {
            panic!("empty cache")
        };
        // A batch commits while the read is under way…
        caches.invalidate_signatures(&[letter]);
        // …so the stale result is dropped.
        caches.put_counts(letter, generation, Arc::new(Counts::default()));
        let Err(fresh) = caches.counts(letter) else {
            panic!("stale counts were stored")
        };
        caches.put_counts(
            letter,
            fresh,
            Arc::new(Counts {
                total: 1,
                by_category: vec![],
                log_size: 1,
            }),
        );
        assert_eq!(caches.counts(letter).map(|c| c.total), Ok(1));
    }

    #[test]
    fn entries_expire() {
        let caches = Caches::new(Duration::from_millis(0));
        let Err(generation) = caches.counts(LetterId(1)) else {
            panic!("empty cache")
        };
        caches.put_counts(LetterId(1), generation, Arc::new(Counts::default()));
        assert!(caches.counts(LetterId(1)).is_err());
    }
}
