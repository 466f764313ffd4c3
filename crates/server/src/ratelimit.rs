//! In-memory fixed-window rate limits, keyed by a client address or an account.
//!
//! Keys are hashed before they are kept, so the limiter holds no addresses in clear. Each
//! process keeps its own counts; several processes behind one proxy each allow the limit.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

pub struct RateLimiter {
    max: u32,
    window: Duration,
    windows: Mutex<Windows>,
}

struct Windows {
    by_key: HashMap<[u8; 16], (Instant, u32)>,
    swept: Instant,
}

/// Past this many keys, expired ones are swept (at most once a second).
const SWEEP_ABOVE: usize = 50_000;

/// The caller must wait this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            windows: Mutex::new(Windows {
                by_key: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    fn key(key: &str) -> [u8; 16] {
        let digest = Sha256::digest(key.as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        out
    }

    /// Counts one attempt for `key`; refuses it when the window's allowance is used up.
    pub fn check(&self, key: &str) -> Result<(), RetryAfter> {
        self.check_at(key, Instant::now())
    }

    /// [`RateLimiter::check`] at the moment `now`.
    fn check_at(&self, key: &str, now: Instant) -> Result<(), RetryAfter> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.by_key.len() > SWEEP_ABOVE
            && now.duration_since(windows.swept) >= Duration::from_secs(1)
        {
            let window = self.window;
            windows
                .by_key
                .retain(|_, (start, _)| now.duration_since(*start) < window);
            windows.swept = now;
        }
        let entry = windows.by_key.entry(Self::key(key)).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            return Err(RetryAfter(
                self.window.saturating_sub(now.duration_since(entry.0)),
            ));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Whether `key` has attempts left, without counting one.
    pub fn allows(&self, key: &str) -> Result<(), RetryAfter> {
        let now = Instant::now();
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.by_key.get(&Self::key(key)) {
            Some((start, n)) if now.duration_since(*start) < self.window && *n >= self.max => Err(
                RetryAfter(self.window.saturating_sub(now.duration_since(*start))),
            ),
            _ => Ok(()),
        }
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_key
            .remove(&Self::key(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.check("a").is_ok());
        assert!(l.check("a").is_ok());
        assert!(l.allows("a").is_err());
        let wait = l.check("a").unwrap_err();
        assert!(wait.0 <= Duration::from_secs(60) && wait.0 > Duration::from_secs(50));
        assert!(l.check("b").is_ok());
        l.reset("a");
        assert!(l.check("a").is_ok());
    }

    #[test]
    fn window_expires() {
        let window = Duration::from_secs(60);
        let l = RateLimiter::new(1, window);
        let start = Instant::now();
        assert!(l.check_at("a", start).is_ok());
        assert_eq!(
            l.check_at("a", start + window - Duration::from_secs(1)),
            Err(RetryAfter(Duration::from_secs(1)))
        );
        assert!(l.check_at("a", start + window).is_ok());
    }
}
