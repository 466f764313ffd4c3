//! Read caches for the public letter page, so that a letter that goes viral is served from
//! memory. Entries are dropped when this process commits a change to them and expire after a
//! short time, so that changes made by another process show up quickly too.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use undersigned_store::{Counts, Letter, LetterId};

/// A letter ready to show: the record and its body rendered once.
#[derive(Debug)]
pub struct LetterView {
    pub letter: Letter,
    pub body_html: String,
}

struct Entry<T> {
    at: Instant,
    value: Arc<T>,
}

struct TtlMap<K, T> {
    ttl: Duration,
    entries: Mutex<HashMap<K, Entry<T>>>,
}

impl<K: std::hash::Hash + Eq + Clone, T> TtlMap<K, T> {
    fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &K) -> Option<Arc<T>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| e.value.clone())
    }

    fn put(&self, key: K, value: Arc<T>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 10_000 {
            let ttl = self.ttl;
            entries.retain(|_, e| e.at.elapsed() < ttl);
        }
        entries.insert(
            key,
            Entry {
                at: Instant::now(),
                value,
            },
        );
    }

    fn remove(&self, key: &K) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

pub struct Caches {
    letters: TtlMap<String, LetterView>,
    counts: TtlMap<LetterId, Counts>,
}

impl Caches {
    pub fn new(ttl: Duration) -> Self {
        Self {
            letters: TtlMap::new(ttl),
            counts: TtlMap::new(ttl),
        }
    }

    pub fn letter(&self, slug: &str) -> Option<Arc<LetterView>> {
        self.letters.get(&slug.to_owned())
    }

    pub fn put_letter(&self, view: Arc<LetterView>) {
        self.letters.put(view.letter.slug.clone(), view);
    }

    pub fn counts(&self, letter: LetterId) -> Option<Arc<Counts>> {
        self.counts.get(&letter)
    }

    pub fn put_counts(&self, letter: LetterId, counts: Arc<Counts>) {
        self.counts.put(letter, counts);
    }

    /// Called after a batch commits.
    pub fn invalidate_counts(&self, letters: &[LetterId]) {
        for letter in letters {
            self.counts.remove(letter);
        }
    }

    /// Called after an organiser changes a letter (its slug may have changed too).
    pub fn invalidate_letter(&self, letter: LetterId) {
        self.letters.clear();
        self.counts.remove(&letter);
    }
}
