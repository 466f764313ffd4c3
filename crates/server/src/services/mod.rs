//! What the routes build on, none of it web-specific: the read model of the public pages
//! and its caches, the letters' logs (checkpoints, tiles, proofs), and the writer that
//! commits signing and confirming in batches. Mail (`crate::mail`) is the other service.
//!
//! Layers, bottom up: services, then [`crate::state::AppState`] that holds them, then the
//! view models and page frame (`crate::views`, `crate::pages`), then `crate::routes`.

pub mod batches;
pub mod cache;
pub mod delivery;
pub mod export;
pub mod logs;
pub mod passwords;
pub mod reads;
pub mod retention;
pub mod totp;
pub mod updates;
pub mod writer;
