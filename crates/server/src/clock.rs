//! Where the application reads the time. The server runs on the system clock; tests run it on
//! a clock they move, so that link expiry and cache lifetimes are checked without waiting.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use undersigned_store::Timestamp;

/// The time the application goes by, in Unix seconds.
#[derive(Debug, Clone, Default)]
pub struct Clock(Source);

#[derive(Debug, Clone, Default)]
enum Source {
    #[default]
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock that stands at `now` until it is moved with [`Clock::advance`]. Clones share
    /// it: the test keeps one, the application another.
    pub fn manual(now: Timestamp) -> Self {
        Self(Source::Manual(Arc::new(AtomicI64::new(now))))
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> Timestamp {
        match &self.0 {
            Source::System => crate::format::now(),
            Source::Manual(now) => now.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward by `seconds` (the system clock cannot be moved: nothing
    /// happens).
    pub fn advance(&self, seconds: i64) {
        if let Source::Manual(now) = &self.0 {
            now.fetch_add(seconds, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = Clock::manual(1_000);
        let app = clock.clone();
        assert_eq!(app.now(), 1_000);
        clock.advance(61);
        assert_eq!(app.now(), 1_061);
    }

    #[test]
    fn the_system_clock_is_now() {
        let before = crate::format::now();
        let read = Clock::system().now();
        assert!(read >= before && read <= crate::format::now());
    }
}
