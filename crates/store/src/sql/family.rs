//! Letter families: draft copies for new targets, and the invitations to the family's past
//! signers (see `crate::family`).
//!
//! A run of invitations is a fan-out, queued a batch at a time by the fan-out job as an
//! update's is (`fanout.rs`): exactly once per duplicate key, which `family_invitations`
//! makes unique.

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::{LetterState, Slug};

use super::{Ctx, SqlStore, is_unique_violation, moderation::audit_letter};
use crate::{
    FamilyStore, StoreError,
    family::{FamilyInvitation, InvitationRun, InvitationRunId},
    model::*,
    parse_stored,
};

#[async_trait]
impl FamilyStore for SqlStore {
    async fn copy_letter(
        &self,
        actor: Actor,
        from: LetterId,
        slug: &Slug,
        now: Timestamp,
    ) -> Result<LetterId, StoreError> {
        let mut tx = self.begin_write().await?;
        let source: Option<String> =
            sqlx::query_scalar("SELECT slug FROM letters WHERE id = $1 AND workspace_id = $2")
                .bind(from.0)
                .bind(actor.workspace.0)
                .fetch_optional(&mut *tx)
                .await
                .ctx("reading a letter to copy")?;
        let source = source.ok_or(StoreError::NotFound)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letters (workspace_id, slug, title, subject, body_md, signer_fields,
                                  state, created_at, updated_at, batch_minutes, moderation,
                                  organisation_category, family_id, lang)
             SELECT workspace_id, $1, title, subject, body_md, signer_fields, 'draft', $2, $2,
                    batch_minutes, moderation, organisation_category, COALESCE(family_id, id),
                    lang
             FROM letters WHERE id = $3
             RETURNING id",
        )
        .bind(slug.as_str())
        .bind(now)
        .bind(from.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict("slug")
            } else {
                super::classify(e, "copying a letter")
            }
        })?;
        sqlx::query(
            "INSERT INTO letter_translations (letter_id, lang, title, subject, body_md, updated_at)
             SELECT $1, lang, title, subject, body_md, $2
             FROM letter_translations WHERE letter_id = $3",
        )
        .bind(id)
        .bind(now)
        .bind(from.0)
        .execute(&mut *tx)
        .await
        .ctx("copying a letter's translations")?;
        sqlx::query(
            "INSERT INTO letter_categories (letter_id, position, name, display_levels, city_shown)
             SELECT $1, position, name, display_levels, city_shown
             FROM letter_categories WHERE letter_id = $2 ORDER BY position",
        )
        .bind(id)
        .bind(from.0)
        .execute(&mut *tx)
        .await
        .ctx("copying a letter's categories")?;
        sqlx::query(
            "INSERT INTO letter_asks (letter_id, position, text, condition, created_at,
                                      updated_at)
             SELECT $1, position, text, condition, $2, $2
             FROM letter_asks WHERE letter_id = $3 ORDER BY position",
        )
        .bind(id)
        .bind(now)
        .bind(from.0)
        .execute(&mut *tx)
        .await
        .ctx("copying a letter's asks")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            LetterId(id),
            "letter.copy",
            &format!("letter {}", slug.as_str()),
            &format!("copied from letter {source}"),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("copying a letter")?;
        Ok(LetterId(id))
    }

    async fn family(&self, letter: LetterId) -> Result<Vec<(LetterId, LetterState)>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.state FROM letters l
             JOIN letters m ON m.id = COALESCE(l.family_id, l.id)
                            OR m.family_id = COALESCE(l.family_id, l.id)
             WHERE l.id = $1
             ORDER BY m.id",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("reading a letter's family")?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state").ctx("reading a letter")?;
                Ok((
                    LetterId(row.try_get("id").ctx("reading a letter")?),
                    parse_stored(&state, "letter state")?,
                ))
            })
            .collect()
    }

    async fn start_invitations(
        &self,
        actor: Actor,
        letter: LetterId,
        email_params: &str,
        now: Timestamp,
    ) -> Result<InvitationRunId, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(concat!(
            "SELECT slug, state, workspace_id, family_id FROM letters WHERE id = $1",
            lock!(FOR UPDATE)
        ))
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("reading a letter")?
        .ok_or(StoreError::NotFound)?;
        let workspace: i64 = row.try_get("workspace_id").ctx("reading a letter")?;
        if workspace != actor.workspace.0 {
            return Err(StoreError::NotFound);
        }
        let state: String = row.try_get("state").ctx("reading a letter")?;
        let state: LetterState = parse_stored(&state, "letter state")?;
        if state != LetterState::Open {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: state.as_str().to_owned(),
            });
        }
        let family: Option<i64> = row.try_get("family_id").ctx("reading a letter")?;
        if family.is_none() {
            // The first letter of a family has no earlier signers to invite.
            return Err(StoreError::WrongState {
                what: "family",
                actual: "first".to_owned(),
            });
        }
        let slug: String = row.try_get("slug").ctx("reading a letter")?;
        let unfinished: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM family_invitation_runs
             WHERE letter_id = $1 AND done_at IS NULL ORDER BY id LIMIT 1",
        )
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("reading invitation runs")?;
        let run = match unfinished {
            Some(run) => run,
            None => sqlx::query_scalar(
                "INSERT INTO family_invitation_runs (letter_id, email_params, created_by,
                                                     created_at)
                 VALUES ($1, $2, $3, $4)
                 RETURNING id",
            )
            .bind(letter.0)
            .bind(email_params)
            .bind(actor.user.0)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .ctx("starting invitations")?,
        };
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.invite_family",
            &format!("letter {slug}"),
            &format!("invitation run {run}"),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("starting invitations")?;
        Ok(InvitationRunId(run))
    }

    async fn invitation_runs(&self, letter: LetterId) -> Result<Vec<InvitationRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, created_at, invited, done_at FROM family_invitation_runs
             WHERE letter_id = $1 ORDER BY id DESC",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("reading invitation runs")?;
        rows.iter()
            .map(|row| {
                let invited: i64 = row.try_get("invited").ctx("reading a run")?;
                Ok(InvitationRun {
                    id: InvitationRunId(row.try_get("id").ctx("reading a run")?),
                    created_at: row.try_get("created_at").ctx("reading a run")?,
                    invited: invited.max(0) as u64,
                    done: row
                        .try_get::<Option<i64>, _>("done_at")
                        .ctx("reading a run")?
                        .is_some(),
                })
            })
            .collect()
    }

    async fn family_invitation(
        &self,
        token_hash: Hash32,
    ) -> Result<Option<FamilyInvitation>, StoreError> {
        let row = sqlx::query(
            "SELECT i.letter_id, i.used_at, s.display_level, s.kind, old.name AS category_name,
                    (SELECT c.id FROM letter_categories c
                     WHERE c.letter_id = i.letter_id AND c.name = old.name) AS category_id
             FROM family_invitations i
             JOIN signatures s ON s.id = i.signature_id
             JOIN letter_categories old ON old.id = s.category_id
             WHERE i.token_hash = $1",
        )
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await
        .ctx("reading an invitation")?;
        row.map(|row| {
            let display: String = row.try_get("display_level").ctx("reading an invitation")?;
            let kind: String = row.try_get("kind").ctx("reading an invitation")?;
            Ok(FamilyInvitation {
                letter: LetterId(row.try_get("letter_id").ctx("reading an invitation")?),
                category: row
                    .try_get::<Option<i64>, _>("category_id")
                    .ctx("reading an invitation")?
                    .map(CategoryId),
                category_name: row.try_get("category_name").ctx("reading an invitation")?,
                display: parse_stored(&display, "display level")?,
                organisation: kind == "organisation",
                used: row
                    .try_get::<Option<i64>, _>("used_at")
                    .ctx("reading an invitation")?
                    .is_some(),
            })
        })
        .transpose()
    }
}
