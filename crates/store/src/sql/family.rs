//! Letter families: draft copies for new targets, and the invitations to the family's past
//! signers (see `crate::family`).
//!
//! The invitations' fan-out is exactly-once per signer, as the updates' is (`updates.rs`):
//! each batch, in one transaction, locks its run, picks past signers with no invitation to
//! the letter yet (one per duplicate key, which `family_invitations` makes unique), inserts
//! the invitation and its outbox row, and commits; a retry starts after what committed.

use std::collections::HashSet;

use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use sqlx::Row;
use undersigned_core::{LetterState, Slug};

use super::{Ctx, SqlStore, is_unique_violation, moderation::audit_letter, personal};
use crate::{
    FamilyStore, StoreError,
    family::{FamilyInvitation, InvitationRun, InvitationRunId},
    model::*,
    parse_stored,
    sealed::Field,
    updates::FanoutProgress,
};

/// A random invitation token (32 bytes, URL-safe base64) and its SHA-256, which is stored.
fn invitation_token() -> Result<(String, Hash32), StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Unavailable {
        context: "drawing a random token",
        source: Box::new(std::io::Error::other(e.to_string())),
    })?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash: Hash32 = Sha256::digest(token.as_bytes()).into();
    Ok((token, hash))
}

/// The invitation email's parameters with the recipient's token added.
fn params_with_token(base: &str, token: &str, lang: Option<&str>) -> Result<String, StoreError> {
    let mut value: serde_json::Value = serde_json::from_str(base)
        .map_err(|e| StoreError::Corrupt(format!("an invitation's email: {e}")))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| StoreError::Corrupt("an invitation's email is not an object".into()))?;
    object.insert("token".into(), serde_json::Value::String(token.to_owned()));
    // The recipient's language, as they signed in (none: the email is in English).
    if let Some(lang) = lang {
        object.insert("lang".into(), serde_json::Value::String(lang.to_owned()));
    }
    Ok(value.to_string())
}

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

    async fn invite_batch(
        &self,
        run: InvitationRunId,
        limit: u32,
        now: Timestamp,
    ) -> Result<FanoutProgress, StoreError> {
        let mut tx = self.begin_write().await?;
        // Locks the run until the batch commits: no other batch of it runs meanwhile.
        let held = sqlx::query(
            "UPDATE family_invitation_runs SET invited = invited
             WHERE id = $1 AND done_at IS NULL
             RETURNING letter_id, email_params",
        )
        .bind(run.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("continuing invitations")?;
        let Some(held) = held else {
            return Ok(FanoutProgress::Lost);
        };
        let letter: i64 = held.try_get("letter_id").ctx("reading a run")?;
        let base: String = held.try_get("email_params").ctx("reading a run")?;
        let signers = sqlx::query(
            "SELECT s.id, s.email, s.email_hash, s.lang FROM letters l
             JOIN letters p ON (p.id = l.family_id OR p.family_id = l.family_id) AND p.id <> l.id
             JOIN signatures s ON s.letter_id = p.id
             WHERE l.id = $1 AND s.state = 'published' AND s.updates = 1
               AND NOT EXISTS (SELECT 1 FROM letter_erasures e WHERE e.letter_id = p.id)
               AND NOT EXISTS (SELECT 1 FROM signatures n
                               WHERE n.letter_id = l.id AND n.email_hash = s.email_hash)
               AND NOT EXISTS (SELECT 1 FROM family_invitations i
                               WHERE i.letter_id = l.id AND i.email_hash = s.email_hash)
             ORDER BY s.id LIMIT $2",
        )
        .bind(letter)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .ctx("finding past signers to invite")?;
        let mut queued = 0u64;
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        for row in &signers {
            let key: Vec<u8> = row.try_get("email_hash").ctx("reading a signature")?;
            if !seen.insert(key.clone()) {
                continue;
            }
            let signature: i64 = row.try_get("id").ctx("reading a signature")?;
            let email = personal::open(&self.keyring, row, "email", Field::Email)?;
            let lang = personal::lang(&self.keyring, row)?;
            let (token, token_hash) = invitation_token()?;
            sqlx::query(
                "INSERT INTO family_invitations (letter_id, signature_id, email_hash, run_id,
                                                 token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(letter)
            .bind(signature)
            .bind(&key)
            .bind(run.0)
            .bind(&token_hash[..])
            .bind(now)
            .execute(&mut *tx)
            .await
            .ctx("recording an invitation")?;
            sqlx::query(
                "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                                     next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            )
            .bind(format!("family:{letter}:{signature}"))
            .bind(EmailKind::FamilyInvitation.as_str())
            .bind(self.keyring.seal(Field::Recipient, &email))
            .bind(self.keyring.seal(
                Field::EmailParams,
                &params_with_token(&base, &token, lang.as_deref())?,
            ))
            .bind(now)
            .execute(&mut *tx)
            .await
            .ctx("queueing an invitation's email")?;
            queued += 1;
        }
        let done = signers.len() < limit as usize;
        sqlx::query(
            "UPDATE family_invitation_runs
             SET invited = invited + $1, done_at = CASE WHEN $2 THEN $3 ELSE done_at END
             WHERE id = $4",
        )
        .bind(queued as i64)
        .bind(done)
        .bind(now)
        .bind(run.0)
        .execute(&mut *tx)
        .await
        .ctx("recording invitations' progress")?;
        tx.commit().await.ctx("queueing invitations")?;
        Ok(if done {
            FanoutProgress::Done(queued)
        } else {
            FanoutProgress::More(queued)
        })
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
