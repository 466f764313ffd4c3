//! Retention: erasing signers' personal data a workspace's chosen number of days after each
//! of its letters closes. What stays is what the public count rests on: the signatures' rows
//! (state, category, display level, times, the keyed hash that tells repeat signers apart),
//! the counts, and the log's entries with their commitments. What goes: names, addresses,
//! titles, affiliations, cities, countries, comments, the openings of the log's format 2
//! entries, every confirmation link and the submissions they carry, and pending signatures
//! altogether.

use async_trait::async_trait;
use sqlx::Row;

use super::{Ctx, SqlStore, dialect, organisers::audit};
use crate::{RetentionStore, StoreError, model::*};

/// Seconds in a day, for retention counted in days.
const DAY: i64 = 86_400;

#[async_trait]
impl RetentionStore for SqlStore {
    async fn retention(&self, workspace: WorkspaceId) -> Result<Option<RetentionDays>, StoreError> {
        let days: Option<i64> =
            sqlx::query_scalar("SELECT days FROM workspace_retention WHERE workspace_id = $1")
                .bind(workspace.0)
                .fetch_optional(&self.pool)
                .await
                .ctx("reading the retention")?;
        days.map(|d| {
            u32::try_from(d)
                .ok()
                .and_then(RetentionDays::new)
                .ok_or_else(|| StoreError::Corrupt(format!("retention of {d} days")))
        })
        .transpose()
    }

    async fn set_retention(
        &self,
        actor: Actor,
        days: Option<RetentionDays>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        match days {
            Some(days) => sqlx::query(
                "INSERT INTO workspace_retention (workspace_id, days) VALUES ($1, $2)
                 ON CONFLICT (workspace_id) DO UPDATE SET days = EXCLUDED.days",
            )
            .bind(actor.workspace.0)
            .bind(i64::from(days.get())),
            None => sqlx::query("DELETE FROM workspace_retention WHERE workspace_id = $1")
                .bind(actor.workspace.0),
        }
        .execute(&mut *tx)
        .await
        .ctx("setting the retention")?;
        let detail = match days {
            Some(days) => format!(
                "signers' personal data is erased {} days after a letter closes",
                days.get()
            ),
            None => "signers' personal data is kept until a letter is deleted".to_owned(),
        };
        audit(
            &mut tx,
            Some(actor),
            None,
            "workspace.retention",
            "retention",
            &detail,
            now,
        )
        .await?;
        tx.commit().await.ctx("setting the retention")
    }

    async fn erasure(&self, letter: LetterId) -> Result<Option<Erasure>, StoreError> {
        let row = sqlx::query(
            "SELECT e.letter_id, l.workspace_id, e.erased_at, e.signatures, e.retention_days
             FROM letter_erasures e JOIN letters l ON l.id = e.letter_id
             WHERE e.letter_id = $1",
        )
        .bind(letter.0)
        .fetch_optional(&self.pool)
        .await
        .ctx("reading an erasure")?;
        row.map(|row| {
            Ok(Erasure {
                letter: LetterId(row.try_get("letter_id").ctx("reading an erasure")?),
                workspace: WorkspaceId(row.try_get("workspace_id").ctx("reading an erasure")?),
                erased_at: row.try_get("erased_at").ctx("reading an erasure")?,
                signatures: row
                    .try_get::<i64, _>("signatures")
                    .ctx("reading an erasure")?
                    .try_into()
                    .unwrap_or(0),
                retention_days: row
                    .try_get::<i64, _>("retention_days")
                    .ctx("reading an erasure")?
                    .try_into()
                    .unwrap_or(0),
            })
        })
        .transpose()
    }

    async fn erase_due(&self, now: Timestamp) -> Result<Vec<Erasure>, StoreError> {
        let due = sqlx::query(
            "SELECT l.id, l.workspace_id, l.slug, r.days FROM letters l
             JOIN workspace_retention r ON r.workspace_id = l.workspace_id
             WHERE l.state IN ('closed', 'delivered', 'archived')
               AND COALESCE(l.closed_at, l.updated_at) + r.days * $1 <= $2
               AND NOT EXISTS (SELECT 1 FROM letter_erasures e WHERE e.letter_id = l.id)
             ORDER BY l.id",
        )
        .bind(DAY)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .ctx("finding letters whose retention ran out")?;
        let mut erased = Vec::new();
        for row in due {
            let letter = LetterId(row.try_get("id").ctx("reading a letter")?);
            let workspace = WorkspaceId(row.try_get("workspace_id").ctx("reading a letter")?);
            let slug: String = row.try_get("slug").ctx("reading a letter")?;
            let days: i64 = row.try_get("days").ctx("reading a letter")?;
            if let Some(erasure) = self.erase(letter, workspace, &slug, days, now).await? {
                erased.push(erasure);
            }
        }
        if !erased.is_empty() {
            dialect::after_erase(&self.pool)
                .await
                .ctx("clearing erased data from the write-ahead log")?;
        }
        Ok(erased)
    }
}

impl SqlStore {
    /// Erases one letter's signers' personal data in one transaction; None when another
    /// process did it first.
    async fn erase(
        &self,
        letter: LetterId,
        workspace: WorkspaceId,
        slug: &str,
        days: i64,
        now: Timestamp,
    ) -> Result<Option<Erasure>, StoreError> {
        let mut tx = self.begin_write().await?;
        let kept: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signatures WHERE letter_id = $1 AND state <> 'pending'",
        )
        .bind(letter.0)
        .fetch_one(&mut *tx)
        .await
        .ctx("erasing personal data")?;
        let claimed = sqlx::query(
            "INSERT INTO letter_erasures (letter_id, erased_at, signatures, retention_days)
             VALUES ($1, $2, $3, $4) ON CONFLICT (letter_id) DO NOTHING",
        )
        .bind(letter.0)
        .bind(now)
        .bind(kept)
        .bind(days)
        .execute(&mut *tx)
        .await
        .ctx("erasing personal data")?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        // Never confirmed, never counted: nothing of them needs to stay (their links go with
        // them).
        sqlx::query("DELETE FROM signatures WHERE letter_id = $1 AND state = 'pending'")
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("erasing pending signatures")?;
        sqlx::query(
            "DELETE FROM confirmation_tokens
             WHERE signature_id IN (SELECT id FROM signatures WHERE letter_id = $1)",
        )
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("erasing confirmation links")?;
        sqlx::query(
            "DELETE FROM manage_tokens
             WHERE signature_id IN (SELECT id FROM signatures WHERE letter_id = $1)",
        )
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("erasing manage links")?;
        // The openings of the log's format 2 entries: the entries keep their commitments.
        sqlx::query("DELETE FROM log_openings WHERE letter_id = $1")
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("erasing the log's openings")?;
        sqlx::query(
            "UPDATE signatures SET name = '', email = '', title = NULL, affiliation = NULL,
                 city = NULL, country = NULL, comment = NULL, lang = NULL, undo_until = NULL
             WHERE letter_id = $1",
        )
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("erasing personal data")?;
        super::moderation::audit_letter(
            &mut tx,
            None,
            Some(workspace),
            letter,
            "letter.erased",
            slug,
            &format!(
                "personal data of {kept} signatures erased, {days} days after the letter closed"
            ),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("erasing personal data")?;
        Ok(Some(Erasure {
            letter,
            workspace,
            erased_at: now,
            signatures: u64::try_from(kept).unwrap_or(0),
            retention_days: u32::try_from(days).unwrap_or(0),
        }))
    }
}
