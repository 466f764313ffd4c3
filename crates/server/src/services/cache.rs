//! A map whose entries expire, for the caches behind [`super::reads::Reads`]. Entries are
//! dropped when this process commits a change to them and expire after a short time, so
//! that changes made by another process show up quickly too.
//!
//! Each key has a generation that every invalidation bumps. A reader notes the generation
//! before it reads the database and stores its result only if the generation is unchanged,
//! so a read that started before a commit can never put stale data back after it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

struct Entry<T> {
    at: Instant,
    value: Arc<T>,
}

struct Slots<K, T> {
    entries: HashMap<K, Entry<T>>,
    generations: HashMap<K, u64>,
    /// Bumped by [`TtlMap::invalidate_all`], for the keys it has no generation for yet.
    epoch: u64,
}

impl<K: std::hash::Hash + Eq, T> Slots<K, T> {
    fn generation(&self, key: &K) -> Generation {
        Generation(
            self.epoch,
            self.generations.get(key).copied().unwrap_or_default(),
        )
    }
}

/// A cache miss: the generation to hand back to [`TtlMap::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64, u64);

pub struct TtlMap<K, T> {
    ttl: Duration,
    slots: Mutex<Slots<K, T>>,
}

impl<K: std::hash::Hash + Eq + Clone, T> TtlMap<K, T> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::new(Slots {
                entries: HashMap::new(),
                generations: HashMap::new(),
                epoch: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots<K, T>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached value, or the generation a fresh read must carry.
    pub fn get(&self, key: &K) -> Result<Arc<T>, Generation> {
        let slots = self.lock();
        match slots.entries.get(key) {
            Some(e) if e.at.elapsed() < self.ttl => Ok(e.value.clone()),
            _ => Err(slots.generation(key)),
        }
    }

    /// Stores a value read at `generation`, unless the key was invalidated since.
    pub fn put(&self, key: K, generation: Generation, value: Arc<T>) {
        let mut slots = self.lock();
        if slots.generation(&key) != generation {
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

    pub fn invalidate(&self, key: &K) {
        let mut slots = self.lock();
        slots.entries.remove(key);
        *slots.generations.entry(key.clone()).or_default() += 1;
    }

    pub fn invalidate_all(&self) {
        let mut slots = self.lock();
        slots.entries.clear();
        slots.epoch += 1;
    }
}
