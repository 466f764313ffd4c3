//! What every handler can reach.

use std::{ops::Deref, sync::Arc};

use tokio::sync::Notify;

use undersigned_store::DynStore;

use crate::{
    clock::Clock,
    config::{PublicUrl, Settings},
    ratelimit::RateLimiter,
    secrets::InstanceKeys,
    services::{
        delivery::Deliveries, logs::Logs, passwords::Passwords, reads::Reads, writer::Writer,
    },
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: DynStore,
    pub writer: Writer,
    /// The public pages' reads and their caches.
    pub reads: Reads,
    /// Where the application reads the time.
    pub clock: Clock,
    pub keys: InstanceKeys,
    pub public: PublicUrl,
    pub settings: Settings,
    pub passwords: Passwords,
    /// The letters' logs: checkpoints, tiles, proofs and receipts.
    pub logs: Logs,
    /// Delivery documents and deliveries.
    pub deliveries: Deliveries,
    /// Wakes the schedule job (an organiser asked to deliver now).
    pub schedule_wakeup: Arc<Notify>,
    pub sign_limiter: RateLimiter,
    /// Login attempts per account and client.
    pub login_limiter: RateLimiter,
    /// Login attempts per client, whatever the account.
    pub login_client_limiter: RateLimiter,
    /// Wakes the updates' fan-out job (an update was posted).
    pub updates_wakeup: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }

    pub fn instance(&self) -> &str {
        &self.settings.instance_name
    }

    /// Whether cookies get the Secure attribute and the `__Host-` prefix.
    pub fn secure_cookies(&self) -> bool {
        self.public.secure
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
