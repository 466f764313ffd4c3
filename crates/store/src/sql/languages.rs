//! A letter's language and translations.

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::language::LanguageTag;

use super::{Conn, Ctx, SqlStore, moderation::audit_letter};
use crate::{
    LanguageStore, StoreError,
    languages::{NewTranslation, Translation},
    model::*,
};

/// The letter's original language and its slug (for the audit trail), after checking that
/// it is the actor's workspace's.
async fn letter_language(
    conn: &mut Conn,
    actor: Actor,
    letter: LetterId,
) -> Result<(String, String), StoreError> {
    let row = sqlx::query("SELECT workspace_id, lang, slug FROM letters WHERE id = $1")
        .bind(letter.0)
        .fetch_optional(&mut *conn)
        .await
        .ctx("reading a letter's language")?
        .ok_or(StoreError::NotFound)?;
    let workspace: i64 = row.try_get("workspace_id").ctx("reading a letter")?;
    if workspace != actor.workspace.0 {
        return Err(StoreError::NotFound);
    }
    Ok((
        row.try_get("lang").ctx("reading a letter's language")?,
        row.try_get("slug").ctx("reading a letter's language")?,
    ))
}

/// A letter's translations, by language.
pub(super) async fn translations(
    conn: &mut Conn,
    letter: LetterId,
) -> Result<Vec<Translation>, StoreError> {
    sqlx::query(
        "SELECT lang, title, subject, body_md, updated_at FROM letter_translations
         WHERE letter_id = $1 ORDER BY lang",
    )
    .bind(letter.0)
    .fetch_all(&mut *conn)
    .await
    .ctx("reading a letter's translations")?
    .iter()
    .map(|r| {
        Ok(Translation {
            lang: r.try_get("lang").ctx("reading a translation")?,
            title: r.try_get("title").ctx("reading a translation")?,
            subject: r.try_get("subject").ctx("reading a translation")?,
            body_md: r.try_get("body_md").ctx("reading a translation")?,
            updated_at: r.try_get("updated_at").ctx("reading a translation")?,
        })
    })
    .collect()
}

#[async_trait]
impl LanguageStore for SqlStore {
    async fn set_letter_language(
        &self,
        actor: Actor,
        letter: LetterId,
        lang: &LanguageTag,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (_, slug) = letter_language(&mut tx, actor, letter).await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM letter_translations WHERE letter_id = $1 AND lang = $2",
        )
        .bind(letter.0)
        .bind(lang.as_str())
        .fetch_one(&mut *tx)
        .await
        .ctx("setting a letter's language")?;
        if taken > 0 {
            return Err(StoreError::Conflict("lang"));
        }
        sqlx::query("UPDATE letters SET lang = $1, updated_at = $2 WHERE id = $3")
            .bind(lang.as_str())
            .bind(now)
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("setting a letter's language")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.language",
            &format!("letter {slug}"),
            lang.as_str(),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("setting a letter's language")?;
        Ok(())
    }

    async fn put_translation(
        &self,
        actor: Actor,
        letter: LetterId,
        translation: &NewTranslation,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (original, slug) = letter_language(&mut tx, actor, letter).await?;
        if original == translation.lang.as_str() {
            return Err(StoreError::Conflict("lang"));
        }
        sqlx::query(
            "INSERT INTO letter_translations (letter_id, lang, title, subject, body_md, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (letter_id, lang) DO UPDATE SET title = excluded.title,
                 subject = excluded.subject, body_md = excluded.body_md,
                 updated_at = excluded.updated_at",
        )
        .bind(letter.0)
        .bind(translation.lang.as_str())
        .bind(&translation.title)
        .bind(&translation.subject)
        .bind(&translation.body_md)
        .bind(now)
        .execute(&mut *tx)
        .await
        .ctx("saving a translation")?;
        sqlx::query("UPDATE letters SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("saving a translation")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.translation",
            &format!("letter {slug}"),
            translation.lang.as_str(),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("saving a translation")?;
        Ok(())
    }

    async fn delete_translation(
        &self,
        actor: Actor,
        letter: LetterId,
        lang: &LanguageTag,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (_, slug) = letter_language(&mut tx, actor, letter).await?;
        let deleted =
            sqlx::query("DELETE FROM letter_translations WHERE letter_id = $1 AND lang = $2")
                .bind(letter.0)
                .bind(lang.as_str())
                .execute(&mut *tx)
                .await
                .ctx("removing a translation")?
                .rows_affected();
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.translation.remove",
            &format!("letter {slug}"),
            lang.as_str(),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("removing a translation")?;
        Ok(())
    }
}
