//! Updates on published letters, their fan-out to opted-in signers, and unsubscribing.
//!
//! The fan-out (see `fanout.rs`) is exactly-once per signer: each opted-in signer gets an
//! `update_recipients` row and an outbox row whose `event_key` is
//! `update:{update}:{signature}`.

use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use sqlx::Row;
use undersigned_core::{
    LetterState,
    update::{Source, UpdateContent},
};

use super::{Conn, Ctx, DbRow, SqlStore, fanout, moderation::audit_letter};
use crate::{
    StoreError, UpdateStore,
    model::*,
    parse_stored,
    updates::{Fanout, FanoutJob, FanoutProgress, LetterUpdate, Subscription, UpdateId},
};

fn sources_json(sources: &[Source]) -> Result<String, StoreError> {
    serde_json::to_string(sources).map_err(|e| StoreError::Corrupt(format!("sources: {e}")))
}

/// The letter's workspace and state, share-locked until the transaction ends.
async fn letter_for_update(
    conn: &mut Conn,
    actor: Actor,
    letter: LetterId,
) -> Result<LetterState, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT state, workspace_id FROM letters WHERE id = $1",
        lock!(FOR SHARE)
    ))
    .bind(letter.0)
    .fetch_optional(conn)
    .await
    .ctx("reading a letter")?
    .ok_or(StoreError::NotFound)?;
    let workspace: i64 = row.try_get("workspace_id").ctx("reading a letter")?;
    if workspace != actor.workspace.0 {
        return Err(StoreError::NotFound);
    }
    let state: String = row.try_get("state").ctx("reading a letter")?;
    parse_stored(&state, "letter state")
}

fn update_from_row(row: &DbRow) -> Result<LetterUpdate, StoreError> {
    let sources: String = row.try_get("sources").ctx("reading an update")?;
    let recipients: i64 = row.try_get("recipients").ctx("reading an update")?;
    Ok(LetterUpdate {
        id: UpdateId(row.try_get("id").ctx("reading an update")?),
        letter: LetterId(row.try_get("letter_id").ctx("reading an update")?),
        title: row.try_get("title").ctx("reading an update")?,
        body_md: row.try_get("body_md").ctx("reading an update")?,
        sources: serde_json::from_str(&sources)
            .map_err(|e| StoreError::Corrupt(format!("an update's sources: {e}")))?,
        created_at: row.try_get("created_at").ctx("reading an update")?,
        edited_at: row.try_get("edited_at").ctx("reading an update")?,
        fanout_done: row
            .try_get::<Option<i64>, _>("fanout_done_at")
            .ctx("reading an update")?
            .is_some(),
        recipients: recipients.max(0) as u64,
    })
}

/// A random unsubscribe token (as the server's links carry them: 32 bytes, URL-safe base64)
/// and its SHA-256, which is what is stored.
pub(super) fn unsubscribe_token() -> Result<(String, Hash32), StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Unavailable {
        context: "drawing a random token",
        source: Box::new(std::io::Error::other(e.to_string())),
    })?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash: Hash32 = Sha256::digest(token.as_bytes()).into();
    Ok((token, hash))
}

/// The update's email parameters with the recipient's unsubscribe token added.
pub(super) fn params_with_token(
    base: &str,
    key: &str,
    token: &str,
    lang: Option<&str>,
) -> Result<String, StoreError> {
    let mut value: serde_json::Value = serde_json::from_str(base)
        .map_err(|e| StoreError::Corrupt(format!("an update's email: {e}")))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| StoreError::Corrupt("an update's email is not an object".into()))?;
    object.insert(key.into(), serde_json::Value::String(token.to_owned()));
    // The recipient's language, as they signed in (none: the email is in English).
    if let Some(lang) = lang {
        object.insert("lang".into(), serde_json::Value::String(lang.to_owned()));
    }
    Ok(value.to_string())
}

#[async_trait]
impl UpdateStore for SqlStore {
    async fn post_update(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &UpdateContent,
        email_params: &str,
        now: Timestamp,
    ) -> Result<UpdateId, StoreError> {
        let mut tx = self.begin_write().await?;
        let state = letter_for_update(&mut tx, actor, letter).await?;
        if !matches!(
            state,
            LetterState::Open | LetterState::Closed | LetterState::Delivered
        ) {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: state.as_str().to_owned(),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letter_updates (letter_id, title, body_md, sources, email_params,
                                         created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id",
        )
        .bind(letter.0)
        .bind(&content.title)
        .bind(&content.body_md)
        .bind(sources_json(&content.sources)?)
        .bind(email_params)
        .bind(actor.user.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .ctx("posting an update")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "update.post",
            &format!("update {id}"),
            &content.title,
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("posting an update")?;
        Ok(UpdateId(id))
    }

    async fn edit_update(
        &self,
        actor: Actor,
        letter: LetterId,
        update: UpdateId,
        content: &UpdateContent,
        email_params: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        letter_for_update(&mut tx, actor, letter).await?;
        let done = sqlx::query(
            "UPDATE letter_updates SET title = $1, body_md = $2, sources = $3,
                 email_params = $4, edited_at = $5
             WHERE id = $6 AND letter_id = $7 AND deleted_at IS NULL",
        )
        .bind(&content.title)
        .bind(&content.body_md)
        .bind(sources_json(&content.sources)?)
        .bind(email_params)
        .bind(now)
        .bind(update.0)
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("editing an update")?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "update.edit",
            &format!("update {update}"),
            &content.title,
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("editing an update")?;
        Ok(())
    }

    async fn delete_update(
        &self,
        actor: Actor,
        letter: LetterId,
        update: UpdateId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        letter_for_update(&mut tx, actor, letter).await?;
        let deleted: Option<String> = sqlx::query_scalar(
            "UPDATE letter_updates SET title = '', body_md = '', sources = '[]',
                 email_params = '{}', deleted_at = $1,
                 fanout_done_at = COALESCE(fanout_done_at, $1),
                 fanout_claimed_by = NULL, fanout_claimed_until = NULL
             WHERE id = $2 AND letter_id = $3 AND deleted_at IS NULL
             RETURNING id",
        )
        .bind(now)
        .bind(update.0)
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("deleting an update")?
        .map(|id: i64| id.to_string());
        if deleted.is_none() {
            return Err(StoreError::NotFound);
        }
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "update.delete",
            &format!("update {update}"),
            "",
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("deleting an update")?;
        Ok(())
    }

    async fn letter_updates(&self, letter: LetterId) -> Result<Vec<LetterUpdate>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.letter_id, u.title, u.body_md, u.sources, u.created_at,
                    u.edited_at, u.fanout_done_at,
                    (SELECT COUNT(*) FROM update_recipients r WHERE r.update_id = u.id)
                        AS recipients
             FROM letter_updates u
             WHERE u.letter_id = $1 AND u.deleted_at IS NULL
             ORDER BY u.created_at DESC, u.id DESC",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("reading a letter's updates")?;
        rows.iter().map(update_from_row).collect()
    }

    async fn claim_fanout(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<FanoutJob>, StoreError> {
        fanout::claim(self, worker, now, lease_until).await
    }

    async fn fan_out_batch(
        &self,
        fanout: Fanout,
        worker: &str,
        limit: u32,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<FanoutProgress, StoreError> {
        let mut tx = self.begin_write().await?;
        let keys = &self.keyring;
        let progress =
            fanout::apply(&mut tx, keys, fanout, worker, limit, now, lease_until).await?;
        tx.commit().await.ctx("queueing a fan-out's emails")?;
        Ok(progress)
    }

    async fn subscription(&self, token_hash: Hash32) -> Result<Option<Subscription>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id, s.letter_id, s.updates, l.slug, l.title
             FROM update_recipients r
             JOIN signatures s ON s.id = r.signature_id
             JOIN letters l ON l.id = s.letter_id
             WHERE r.token_hash = $1",
        )
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await
        .ctx("reading an unsubscribe link")?;
        row.map(|row| {
            let updates: i64 = row.try_get("updates").ctx("reading a signature")?;
            Ok(Subscription {
                letter: LetterId(row.try_get("letter_id").ctx("reading a signature")?),
                signature: SignatureId(row.try_get("id").ctx("reading a signature")?),
                letter_slug: row.try_get("slug").ctx("reading a letter")?,
                letter_title: row.try_get("title").ctx("reading a letter")?,
                subscribed: updates == 1,
            })
        })
        .transpose()
    }

    async fn unsubscribe(&self, token_hash: Hash32) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let signature: Option<i64> =
            sqlx::query_scalar("SELECT signature_id FROM update_recipients WHERE token_hash = $1")
                .bind(&token_hash[..])
                .fetch_optional(&mut *tx)
                .await
                .ctx("reading an unsubscribe link")?;
        let Some(signature) = signature else {
            return Ok(false);
        };
        sqlx::query("UPDATE signatures SET updates = 0 WHERE id = $1")
            .bind(signature)
            .execute(&mut *tx)
            .await
            .ctx("unsubscribing")?;
        tx.commit().await.ctx("unsubscribing")?;
        Ok(true)
    }
}
