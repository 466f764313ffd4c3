//! The hot path: signing and confirming, many commands to a transaction.

use std::collections::BTreeMap;

use sqlx::{Row, SqliteConnection};
use undersigned_core::{LetterState, SignatureState};

use super::{Ctx, SqliteStore, parse_stored};
use crate::{StoreError, model::*};

/// A signer is emailed about a letter at most once in this many seconds, however often the
/// form is posted with their address.
pub const EMAIL_THROTTLE_SECONDS: i64 = 120;

/// A change to a letter's public counts made by one command.
type CountDelta = Option<(LetterId, CategoryId)>;

impl SqliteStore {
    pub(super) async fn commit_batch(
        &self,
        commands: Vec<WriteCommand>,
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut results = Vec::with_capacity(commands.len());
        let mut deltas: BTreeMap<(LetterId, CategoryId), i64> = BTreeMap::new();
        for command in &commands {
            sqlx::query("SAVEPOINT command")
                .execute(&mut *tx)
                .await
                .ctx("starting a command")?;
            let applied = match command {
                WriteCommand::Sign(sign) => apply_sign(&mut tx, sign).await,
                WriteCommand::Confirm(confirm) => apply_confirm(&mut tx, confirm).await,
                WriteCommand::ImportPublished(import) => apply_import(&mut tx, import).await,
            };
            match applied {
                Ok((outcome, delta)) => {
                    sqlx::query("RELEASE command")
                        .execute(&mut *tx)
                        .await
                        .ctx("finishing a command")?;
                    if let Some(key) = delta {
                        *deltas.entry(key).or_default() += 1;
                    }
                    results.push(Ok(outcome));
                }
                // The whole batch fails: the transaction is rolled back when dropped.
                Err(e) if e.is_unavailable() => return Err(e),
                Err(e) => {
                    sqlx::query("ROLLBACK TO command")
                        .execute(&mut *tx)
                        .await
                        .ctx("undoing a command")?;
                    sqlx::query("RELEASE command")
                        .execute(&mut *tx)
                        .await
                        .ctx("undoing a command")?;
                    results.push(Err(e));
                }
            }
        }
        // One counter update per letter and category per batch, never one per signature.
        for ((letter, category), delta) in deltas {
            sqlx::query(
                "INSERT INTO letter_counts (letter_id, category_id, count) VALUES (?, ?, ?)
                 ON CONFLICT (letter_id, category_id) DO UPDATE SET count = count + excluded.count",
            )
            .bind(letter.0)
            .bind(category.0)
            .bind(delta)
            .execute(&mut *tx)
            .await
            .ctx("updating counts")?;
        }
        tx.commit().await.ctx("committing a batch")?;
        Ok(results)
    }
}

async fn letter_state(
    conn: &mut SqliteConnection,
    letter: LetterId,
) -> Result<Option<LetterState>, StoreError> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM letters WHERE id = ?")
        .bind(letter.0)
        .fetch_optional(conn)
        .await
        .ctx("reading a letter's state")?;
    state.map(|s| parse_stored(&s, "letter state")).transpose()
}

async fn check_category(
    conn: &mut SqliteConnection,
    letter: LetterId,
    category: i64,
) -> Result<(), StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM letter_categories WHERE id = ? AND letter_id = ?")
            .bind(category)
            .bind(letter.0)
            .fetch_optional(conn)
            .await
            .ctx("checking a category")?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

async fn insert_signature(
    conn: &mut SqliteConnection,
    letter: LetterId,
    sig: &undersigned_core::signature::NewSignature,
    duplicate_key: &[u8],
    state: SignatureState,
    now: Timestamp,
) -> Result<Option<SignatureId>, StoreError> {
    let published = (state == SignatureState::Published).then_some(now);
    let last_emailed = (state == SignatureState::Pending).then_some(now);
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO signatures (letter_id, category_id, name, title, affiliation, city, country,
                                 comment, email, email_hash, display_level, state, created_at,
                                 confirmed_at, published_at, last_emailed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (letter_id, email_hash) DO NOTHING
         RETURNING id",
    )
    .bind(letter.0)
    .bind(sig.category_id)
    .bind(sig.name.as_str())
    .bind(&sig.details.title)
    .bind(&sig.details.affiliation)
    .bind(&sig.details.city)
    .bind(&sig.details.country)
    .bind(&sig.details.comment)
    .bind(sig.email.to_string())
    .bind(duplicate_key)
    .bind(sig.display.as_str())
    .bind(state.as_str())
    .bind(now)
    .bind(published)
    .bind(published)
    .bind(last_emailed)
    .fetch_optional(conn)
    .await
    .ctx("saving a signature")?;
    Ok(id.map(SignatureId))
}

async fn insert_token(
    conn: &mut SqliteConnection,
    signature: SignatureId,
    command: &SignCommand,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(&command.token_hash[..])
    .bind(signature.0)
    .bind(command.now)
    .bind(command.token_expires_at)
    .execute(conn)
    .await
    .ctx("saving a confirmation link")?;
    Ok(())
}

/// Queues an email. `event` names what caused it; with the signature and the request's token
/// it makes a key that is unique per event, so one event can never queue two emails.
async fn enqueue(
    conn: &mut SqliteConnection,
    event: &str,
    signature: SignatureId,
    command: &SignCommand,
    email: &OutgoingEmail,
) -> Result<(), StoreError> {
    let token_prefix: String = command.token_hash[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    sqlx::query(
        "INSERT INTO outbox (event_key, recipient, subject, text_body, html_body, status,
                             attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
    )
    .bind(format!("{event}:{signature}:{token_prefix}"))
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(command.now)
    .bind(command.now)
    .execute(&mut *conn)
    .await
    .ctx("queueing an email")?;
    sqlx::query("UPDATE signatures SET last_emailed_at = ? WHERE id = ?")
        .bind(command.now)
        .bind(signature.0)
        .execute(conn)
        .await
        .ctx("queueing an email")?;
    Ok(())
}

async fn apply_sign(
    conn: &mut SqliteConnection,
    command: &SignCommand,
) -> Result<(WriteOutcome, CountDelta), StoreError> {
    let done = |outcome| Ok((WriteOutcome::Sign(outcome), None));
    if letter_state(conn, command.letter).await? != Some(LetterState::Open) {
        return done(SignOutcome::LetterNotOpen);
    }
    check_category(conn, command.letter, command.signature.category_id).await?;
    let key = command.duplicate_key.0;
    let inserted = insert_signature(
        conn,
        command.letter,
        &command.signature,
        &key,
        SignatureState::Pending,
        command.now,
    )
    .await?;
    if let Some(id) = inserted {
        insert_token(conn, id, command).await?;
        enqueue(conn, "confirm", id, command, &command.confirmation_email).await?;
        return done(SignOutcome::Created);
    }

    // The same mailbox signed this letter before. The page says the same either way; only the
    // email differs, and the earlier signature's details are never overwritten.
    let row = sqlx::query(
        "SELECT id, state, last_emailed_at FROM signatures WHERE letter_id = ? AND email_hash = ?",
    )
    .bind(command.letter.0)
    .bind(&key[..])
    .fetch_one(&mut *conn)
    .await
    .ctx("finding an earlier signature")?;
    let id = SignatureId(row.try_get("id").ctx("reading a signature")?);
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let last_emailed: Option<i64> = row.try_get("last_emailed_at").ctx("reading a signature")?;
    if last_emailed.is_some_and(|at| command.now - at < EMAIL_THROTTLE_SECONDS) {
        return done(SignOutcome::EmailThrottled);
    }
    if parse_stored::<SignatureState>(&state, "signature state")? == SignatureState::Pending {
        insert_token(conn, id, command).await?;
        enqueue(conn, "confirm", id, command, &command.confirmation_email).await?;
        done(SignOutcome::ConfirmationResent)
    } else {
        enqueue(
            conn,
            "already-signed",
            id,
            command,
            &command.already_signed_email,
        )
        .await?;
        done(SignOutcome::AlreadySigned)
    }
}

async fn apply_confirm(
    conn: &mut SqliteConnection,
    command: &ConfirmCommand,
) -> Result<(WriteOutcome, CountDelta), StoreError> {
    let done = |outcome, delta| Ok((WriteOutcome::Confirm(outcome), delta));
    let Some(row) = sqlx::query(
        "SELECT t.signature_id, t.expires_at, t.used_at, s.letter_id, s.category_id,
                s.state AS signature_state, l.state AS letter_state
         FROM confirmation_tokens t
         JOIN signatures s ON s.id = t.signature_id
         JOIN letters l ON l.id = s.letter_id
         WHERE t.token_hash = ?",
    )
    .bind(&command.token_hash[..])
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a confirmation link")?
    else {
        return done(ConfirmOutcome::UnknownToken, None);
    };
    let letter = LetterId(row.try_get("letter_id").ctx("reading a link")?);
    let signature = SignatureId(row.try_get("signature_id").ctx("reading a link")?);
    let category = CategoryId(row.try_get("category_id").ctx("reading a link")?);
    let expires_at: i64 = row.try_get("expires_at").ctx("reading a link")?;
    let used_at: Option<i64> = row.try_get("used_at").ctx("reading a link")?;
    let signature_state: String = row.try_get("signature_state").ctx("reading a link")?;
    let letter_state: String = row.try_get("letter_state").ctx("reading a link")?;
    let signature_state: SignatureState = parse_stored(&signature_state, "signature state")?;
    let letter_state: LetterState = parse_stored(&letter_state, "letter state")?;

    if used_at.is_some() || signature_state != SignatureState::Pending {
        return done(ConfirmOutcome::AlreadyUsed { letter }, None);
    }
    if expires_at <= command.now {
        return done(ConfirmOutcome::Expired { letter }, None);
    }
    if letter_state != LetterState::Open {
        return done(ConfirmOutcome::LetterNotOpen { letter }, None);
    }
    sqlx::query(
        "UPDATE signatures SET state = 'published', confirmed_at = ?, published_at = ?
         WHERE id = ? AND state = 'pending'",
    )
    .bind(command.now)
    .bind(command.now)
    .bind(signature.0)
    .execute(&mut *conn)
    .await
    .ctx("confirming a signature")?;
    // Every link sent for this signature is spent now.
    sqlx::query(
        "UPDATE confirmation_tokens SET used_at = ? WHERE signature_id = ? AND used_at IS NULL",
    )
    .bind(command.now)
    .bind(signature.0)
    .execute(&mut *conn)
    .await
    .ctx("confirming a signature")?;
    done(
        ConfirmOutcome::Confirmed { letter, signature },
        Some((letter, category)),
    )
}

async fn apply_import(
    conn: &mut SqliteConnection,
    command: &ImportCommand,
) -> Result<(WriteOutcome, CountDelta), StoreError> {
    match letter_state(conn, command.letter).await? {
        None => return Err(StoreError::NotFound),
        Some(LetterState::Draft) => {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: LetterState::Draft.to_string(),
            });
        }
        Some(_) => {}
    }
    check_category(conn, command.letter, command.signature.category_id).await?;
    let inserted = insert_signature(
        conn,
        command.letter,
        &command.signature,
        &command.duplicate_key.0,
        SignatureState::Published,
        command.now,
    )
    .await?;
    let outcome = WriteOutcome::Imported {
        letter: command.letter,
        duplicate: inserted.is_none(),
    };
    let delta = inserted.map(|_| (command.letter, CategoryId(command.signature.category_id)));
    Ok((outcome, delta))
}
