//! The hot path: signing and confirming, many commands to a transaction.

use std::collections::BTreeMap;

use sqlx::{Row, SqliteConnection};
use undersigned_core::{LetterState, SignatureState};

use super::{Ctx, SqliteStore, parse_stored};
use crate::{StoreError, model::*, rules::may_email_again};

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

/// The letter's state, and whether `category` is one of its categories, in one query.
async fn letter_and_category(
    conn: &mut SqliteConnection,
    letter: LetterId,
    category: i64,
) -> Result<(Option<LetterState>, bool), StoreError> {
    let row = sqlx::query(
        "SELECT l.state,
                EXISTS (SELECT 1 FROM letter_categories c WHERE c.id = ? AND c.letter_id = l.id)
                    AS has_category
         FROM letters l WHERE l.id = ?",
    )
    .bind(category)
    .bind(letter.0)
    .fetch_optional(conn)
    .await
    .ctx("reading a letter's state")?;
    match row {
        None => Ok((None, false)),
        Some(row) => {
            let state: String = row.try_get("state").ctx("reading a letter")?;
            let has: bool = row.try_get("has_category").ctx("reading a letter")?;
            Ok((Some(parse_stored(&state, "letter state")?), has))
        }
    }
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
                                 confirmed_at, published_at, last_emailed_at, emails_sent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
    .bind(i64::from(last_emailed.is_some()))
    .fetch_optional(conn)
    .await
    .ctx("saving a signature")?;
    Ok(id.map(SignatureId))
}

/// Stores a confirmation link with the submission it was sent for.
async fn insert_token(
    conn: &mut SqliteConnection,
    signature: SignatureId,
    command: &SignCommand,
) -> Result<(), StoreError> {
    let sig = &command.signature;
    sqlx::query(
        "INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at,
             category_id, name, title, affiliation, city, country, comment, display_level)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&command.token_hash[..])
    .bind(signature.0)
    .bind(command.now)
    .bind(command.token_expires_at)
    .bind(sig.category_id)
    .bind(sig.name.as_str())
    .bind(&sig.details.title)
    .bind(&sig.details.affiliation)
    .bind(&sig.details.city)
    .bind(&sig.details.country)
    .bind(&sig.details.comment)
    .bind(sig.display.as_str())
    .execute(conn)
    .await
    .ctx("saving a confirmation link")?;
    Ok(())
}

/// Queues an email. The event key (kind, signature, the request's token) is unique per
/// event, so one event can never queue two emails.
async fn enqueue(
    conn: &mut SqliteConnection,
    kind: EmailKind,
    signature: SignatureId,
    command: &SignCommand,
) -> Result<(), StoreError> {
    let token_prefix: String = command.token_hash[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    sqlx::query(
        "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                             next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
    )
    .bind(format!("{}:{signature}:{token_prefix}", kind.as_str()))
    .bind(kind.as_str())
    .bind(command.signature.email.to_string())
    .bind(&command.email_params)
    .bind(command.now)
    .bind(command.now)
    .execute(conn)
    .await
    .ctx("queueing an email")?;
    Ok(())
}

/// Records that a signature was emailed again (the first email is counted on insert).
async fn count_email(
    conn: &mut SqliteConnection,
    signature: SignatureId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE signatures SET last_emailed_at = ?, emails_sent = emails_sent + 1 WHERE id = ?",
    )
    .bind(now)
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
    match letter_and_category(conn, command.letter, command.signature.category_id).await? {
        (Some(LetterState::Open), true) => {}
        (Some(LetterState::Open), false) => return Err(StoreError::NotFound),
        _ => return done(SignOutcome::LetterNotOpen),
    }
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
        enqueue(conn, EmailKind::Confirm, id, command).await?;
        return done(SignOutcome::Created);
    }

    // The same mailbox signed this letter before. The page says the same either way; only the
    // email differs. A confirmed signature is never changed by a new submission; a pending
    // one gets a new link that carries the new submission, and confirming a link publishes
    // exactly what that link was sent for.
    let row = sqlx::query(
        "SELECT id, state, last_emailed_at, emails_sent FROM signatures
         WHERE letter_id = ? AND email_hash = ?",
    )
    .bind(command.letter.0)
    .bind(&key[..])
    .fetch_one(&mut *conn)
    .await
    .ctx("finding an earlier signature")?;
    let id = SignatureId(row.try_get("id").ctx("reading a signature")?);
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let last_emailed: Option<i64> = row.try_get("last_emailed_at").ctx("reading a signature")?;
    let emails_sent: i64 = row.try_get("emails_sent").ctx("reading a signature")?;
    if !may_email_again(last_emailed, emails_sent, command.now) {
        return done(SignOutcome::EmailThrottled);
    }
    count_email(conn, id, command.now).await?;
    if parse_stored::<SignatureState>(&state, "signature state")? == SignatureState::Pending {
        insert_token(conn, id, command).await?;
        enqueue(conn, EmailKind::Confirm, id, command).await?;
        done(SignOutcome::ConfirmationResent)
    } else {
        enqueue(conn, EmailKind::AlreadySigned, id, command).await?;
        done(SignOutcome::AlreadySigned)
    }
}

async fn apply_confirm(
    conn: &mut SqliteConnection,
    command: &ConfirmCommand,
) -> Result<(WriteOutcome, CountDelta), StoreError> {
    let done = |outcome, delta| Ok((WriteOutcome::Confirm(outcome), delta));
    let Some(row) = sqlx::query(
        "SELECT t.signature_id, t.expires_at, t.used_at, t.category_id, s.letter_id,
                s.state AS signature_state, l.state AS letter_state, l.slug, l.title
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
    let letter = LetterRef {
        id: LetterId(row.try_get("letter_id").ctx("reading a link")?),
        slug: row.try_get("slug").ctx("reading a link")?,
        title: row.try_get("title").ctx("reading a link")?,
    };
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
    // Publish exactly the submission this link was sent for. The state condition makes a
    // concurrent confirmation (another link, another process) count once.
    let published = sqlx::query(
        "UPDATE signatures SET state = 'published', confirmed_at = ?, published_at = ?,
             category_id = t.category_id, name = t.name, title = t.title,
             affiliation = t.affiliation, city = t.city, country = t.country,
             comment = t.comment, display_level = t.display_level
         FROM (SELECT * FROM confirmation_tokens WHERE token_hash = ?) AS t
         WHERE signatures.id = t.signature_id AND signatures.state = 'pending'",
    )
    .bind(command.now)
    .bind(command.now)
    .bind(&command.token_hash[..])
    .execute(&mut *conn)
    .await
    .ctx("confirming a signature")?;
    if published.rows_affected() != 1 {
        return done(ConfirmOutcome::AlreadyUsed { letter }, None);
    }
    // Every link sent for this signature is spent now.
    sqlx::query(
        "UPDATE confirmation_tokens SET used_at = ? WHERE signature_id = ? AND used_at IS NULL",
    )
    .bind(command.now)
    .bind(signature.0)
    .execute(&mut *conn)
    .await
    .ctx("confirming a signature")?;
    let id = letter.id;
    done(
        ConfirmOutcome::Confirmed { letter, signature },
        Some((id, category)),
    )
}

async fn apply_import(
    conn: &mut SqliteConnection,
    command: &ImportCommand,
) -> Result<(WriteOutcome, CountDelta), StoreError> {
    match letter_and_category(conn, command.letter, command.signature.category_id).await? {
        (None, _) | (_, false) => return Err(StoreError::NotFound),
        (Some(LetterState::Draft), _) => {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: LetterState::Draft.to_string(),
            });
        }
        (Some(_), true) => {}
    }
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
