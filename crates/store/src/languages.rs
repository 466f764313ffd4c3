//! The language of a letter's text, and its translations: the same letter in other
//! languages, sharing its one count and one log. The original text is the one signatures
//! are counted on, and the one whose versions the log records.

use async_trait::async_trait;
use undersigned_core::language::LanguageTag;

use crate::{Actor, LetterId, Result, Timestamp};

/// A letter's text in another language than its original's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub lang: String,
    pub title: String,
    pub subject: String,
    pub body_md: String,
    pub updated_at: Timestamp,
}

/// A translation as the organisers' form gives it (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTranslation {
    pub lang: LanguageTag,
    pub title: String,
    pub subject: String,
    pub body_md: String,
}

/// Setting a letter's language and keeping its translations. Each change is in the audit
/// trail. `NotFound` when the letter is not the actor's workspace's.
#[async_trait]
pub trait LanguageStore: Send + Sync {
    /// Sets the language of the letter's original text. `Conflict("lang")` when a
    /// translation has that language.
    async fn set_letter_language(
        &self,
        actor: Actor,
        letter: LetterId,
        lang: &LanguageTag,
        now: Timestamp,
    ) -> Result<()>;
    /// Adds a translation or replaces the one in its language. `Conflict("lang")` when it
    /// is the original's language.
    async fn put_translation(
        &self,
        actor: Actor,
        letter: LetterId,
        translation: &NewTranslation,
        now: Timestamp,
    ) -> Result<()>;
    /// Removes a translation; `NotFound` when there is none in that language.
    async fn delete_translation(
        &self,
        actor: Actor,
        letter: LetterId,
        lang: &LanguageTag,
        now: Timestamp,
    ) -> Result<()>;
}
