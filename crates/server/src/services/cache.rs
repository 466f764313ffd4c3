//! A map whose entries expire, for the caches behind [`super::reads::Reads`]. Entries are
//! dropped when this process commits a change to them and expire after a short time, so
//! that changes made by another process show up quickly too.
//!
//! Each key has a generation that every invalidation bumps. A reader notes the generation
//! before it reads the database and stores its result only if the generation is unchanged,
//! so a read that started before a commit can never put stale data back after it.
//!
//! [`TtlMap::get_or_lead`] also lets one request read (or render) what is missing while the
//! others that miss at the same generation wait for its result, instead of each doing the
//! same work at once: after every commit during a surge, a letter page that takes a while to
//! render was rendered by every request that came in meanwhile.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::sync::watch;

struct Entry<T> {
    at: Instant,
    value: Arc<T>,
}

/// What the requests waiting for a value hear: nothing yet, then the value.
type Landing<T> = watch::Receiver<Option<Arc<T>>>;

struct Slots<K, T> {
    entries: HashMap<K, Entry<T>>,
    generations: HashMap<K, u64>,
    /// The reads under way, and the generation each started at.
    flights: HashMap<K, (Generation, Landing<T>)>,
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

/// A miss that is this request's to fill: hand it back to [`TtlMap::land`] with the value.
/// Dropped without landing (the read failed, the request went away), the requests waiting
/// on it try again, and one of them leads.
pub struct Lead<T> {
    generation: Generation,
    sender: watch::Sender<Option<Arc<T>>>,
}

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
                flights: HashMap::new(),
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

    /// The cached value if there is one, fresh; nothing else (no generation, no lead). For
    /// a caller that has another way to the value when it is not there.
    pub fn peek<Q>(&self, key: &Q) -> Option<Arc<T>>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let slots = self.lock();
        slots
            .entries
            .get(key)
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| e.value.clone())
    }

    /// The cached value; or, when a read of it started at the current generation is under
    /// way, that read's value once it lands; or else the lead: this caller reads the value
    /// and lands it, and whoever misses meanwhile waits for it. A read that started at the
    /// current generation began after the last change this process made, so its value is
    /// as fresh as the waiter's own read would be.
    pub async fn get_or_lead(&self, key: &K) -> Result<Arc<T>, Lead<T>> {
        loop {
            let mut landing = {
                let mut slots = self.lock();
                if let Some(e) = slots.entries.get(key)
                    && e.at.elapsed() < self.ttl
                {
                    return Ok(e.value.clone());
                }
                let generation = slots.generation(key);
                match slots.flights.get(key) {
                    // A lead that went away closes its channel: take over.
                    Some((at, landing)) if *at == generation && landing.has_changed().is_ok() => {
                        landing.clone()
                    }
                    _ => {
                        let (sender, landing) = watch::channel(None);
                        slots.flights.insert(key.clone(), (generation, landing));
                        return Err(Lead { generation, sender });
                    }
                }
            };
            // Closed once landed too: what counts is whether a value came.
            let _ = landing.wait_for(Option::is_some).await;
            if let Some(value) = landing.borrow().clone() {
                return Ok(value);
            }
        }
    }

    /// Keeps the value a lead read (unless the key was invalidated since it started), and
    /// hands it to the requests waiting for it.
    pub fn land(&self, key: K, lead: Lead<T>, value: Arc<T>) -> Arc<T> {
        self.put(key.clone(), lead.generation, value.clone());
        {
            let mut slots = self.lock();
            if slots
                .flights
                .get(&key)
                .is_some_and(|(_, landing)| landing.same_channel(&lead.sender.subscribe()))
            {
                slots.flights.remove(&key);
            }
        }
        lead.sender.send_replace(Some(value.clone()));
        value
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
            // Leads that went away without landing.
            slots
                .flights
                .retain(|_, (_, landing)| landing.has_changed().is_ok());
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn map() -> Arc<TtlMap<u8, String>> {
        Arc::new(TtlMap::new(Duration::from_secs(60)))
    }

    #[tokio::test]
    async fn who_misses_while_a_read_is_under_way_gets_its_value() {
        let map = map();
        let lead = map.get_or_lead(&1).await.expect_err("the first miss leads");
        let waiting = tokio::spawn({
            let map = map.clone();
            async move { map.get_or_lead(&1).await.ok().map(|v| (*v).clone()) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the second miss waits");
        map.land(1, lead, Arc::new("read once".to_owned()));
        assert_eq!(waiting.await.unwrap().as_deref(), Some("read once"));
        // And it is kept for whoever comes next.
        assert_eq!(*map.get(&1).unwrap(), "read once");
    }

    #[tokio::test]
    async fn a_change_during_a_read_makes_the_next_miss_read_again() {
        let map = map();
        let first = map.get_or_lead(&1).await.expect_err("the first miss leads");
        map.invalidate(&1);
        // The read under way started before the change: a later miss does not wait for it.
        let second = map
            .get_or_lead(&1)
            .await
            .expect_err("a miss after a change leads");
        map.land(1, first, Arc::new("before".to_owned()));
        assert!(
            map.get(&1).is_err(),
            "a read from before the change is not kept"
        );
        map.land(1, second, Arc::new("after".to_owned()));
        assert_eq!(*map.get(&1).unwrap(), "after");
    }

    #[tokio::test]
    async fn when_the_lead_goes_away_a_waiting_request_leads() {
        let map = map();
        let lead = map.get_or_lead(&1).await.expect_err("the first miss leads");
        let waiting = tokio::spawn({
            let map = map.clone();
            async move {
                match map.get_or_lead(&1).await {
                    Ok(_) => "waited".to_owned(),
                    Err(lead) => {
                        map.land(1, lead, Arc::new("second".to_owned()));
                        "led".to_owned()
                    }
                }
            }
        });
        tokio::task::yield_now().await;
        drop(lead);
        assert_eq!(waiting.await.unwrap(), "led");
        assert_eq!(*map.get(&1).unwrap(), "second");
    }
}
