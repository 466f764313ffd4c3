//! Organiser passwords: Argon2id with explicit parameters, hashed off the async threads.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::{Semaphore, SemaphorePermit};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {min} characters.", min = NewPassword::MIN_CHARS)]
    TooShort,
    #[error("Use at most {max} characters.", max = NewPassword::MAX_CHARS)]
    TooLong,
    #[error("the Argon2 parameters are not valid")]
    Params,
    #[error("could not hash the password")]
    Hash,
    #[error("the hashing task failed")]
    Task,
    #[error("too many passwords are being checked at once")]
    Busy,
}

/// A password an organiser chose: 12 to 256 characters.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let n = input.chars().count();
        if n < Self::MIN_CHARS {
            Err(PasswordError::TooShort)
        } else if n > Self::MAX_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Self(input.to_owned()))
        }
    }
}

/// Hashes and verifies passwords with the instance's Argon2id parameters.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// A hash to verify against when the account does not exist, so that the answer takes
    /// as long as for an account that does.
    dummy: Arc<OnceLock<String>>,
    /// At most one hash per core at a time: each takes tens of MiB, and a burst of login
    /// posts must not exhaust memory.
    slots: Arc<Semaphore>,
}

/// How long a password check waits for a free slot before the answer is "busy" (503).
const SLOT_WAIT: Duration = Duration::from_secs(5);

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self, PasswordError> {
        let params =
            Params::new(memory_kib, iterations, 1, None).map_err(|_| PasswordError::Params)?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            params,
            dummy: Arc::new(OnceLock::new()),
            slots: Arc::new(Semaphore::new(cores)),
        })
    }

    async fn slot(&self) -> Result<SemaphorePermit<'_>, PasswordError> {
        tokio::time::timeout(SLOT_WAIT, self.slots.acquire())
            .await
            .map_err(|_| PasswordError::Busy)?
            .map_err(|_| PasswordError::Busy)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub async fn hash(&self, password: NewPassword) -> Result<String, PasswordError> {
        let _slot = self.slot().await?;
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.0.as_bytes())
                .map(|h| h.to_string())
                .map_err(|_| PasswordError::Hash)
        })
        .await
        .map_err(|_| PasswordError::Task)?
    }

    /// Whether `password` matches `hash`. With no hash (unknown account) it checks against a
    /// dummy hash and answers false, taking the same time.
    pub async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, PasswordError> {
        let known = hash.is_some();
        let hash = match hash {
            Some(h) => h,
            None => match self.dummy_hash().await {
                Some(h) => h,
                None => return Ok(false),
            },
        };
        let _slot = self.slot().await?;
        let argon2 = self.argon2();
        let matched = tokio::task::spawn_blocking(move || {
            argon2
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .unwrap_or(false);
        Ok(known && matched)
    }

    async fn dummy_hash(&self) -> Option<String> {
        if let Some(h) = self.dummy.get() {
            return Some(h.clone());
        }
        let password = NewPassword(crate::secrets::Token::generate().as_str().to_owned());
        let hash = self.hash(password).await.ok()?;
        Some(self.dummy.get_or_init(|| hash).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let p = Passwords::new(1024, 1).unwrap();
        let hash = p
            .hash(NewPassword::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let verify = |password: &str, hash: Option<String>| p.verify(password.into(), hash);
        assert!(
            verify("correct horse battery", Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery", Some(hash)).await.unwrap());
        assert!(!verify("anything at all", None).await.unwrap());
    }

    #[test]
    fn length_rules() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse(&"x".repeat(257)).is_err());
        assert!(NewPassword::parse("twelve chars").is_ok());
    }
}
