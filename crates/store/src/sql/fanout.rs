//! Fan-outs: one email to each of many signers (an update's, or a change of substance's
//! request to re-confirm), queued a batch per transaction.
//!
//! Exactly once per signer: each batch, in one transaction, renews the worker's lease (which
//! locks the fan-out's row until the batch commits), reads the next signers after the last
//! one queued, in the order of the index `signatures_letter_created`, inserts a record per
//! signer (an update recipient or a re-confirmation request, unique per fan-out and signer)
//! and, for each record it inserted, an outbox row (whose `event_key` is unique too), moves
//! the fan-out's cursor to the last signer read, and commits. A worker that dies after a
//! commit leaves its rows and its cursor behind, so whoever takes the fan-out over (after the
//! lease runs out) starts after them; one that dies before leaves nothing. Leases work as the
//! outbox's do (`outbox.rs`).
//!
//! A batch reads a range of the index from the cursor and writes its rows a statement per
//! table, so its cost does not grow with the signers queued before it: a fan-out to a million
//! signers is a million rows' work, not a million batches each reading the letter's signers
//! from the first.

use std::collections::HashSet;

use sqlx::{QueryBuilder, Row};

use super::{
    Conn, Ctx, Db, DbRow, SqlStore, execute_built, fetch_built, personal,
    updates::{params_with_token, unsubscribe_token},
};
use crate::{
    StoreError,
    model::*,
    sealed::{Field, Keyring},
    updates::{Fanout, FanoutJob, FanoutProgress, UpdateId},
};

/// Rows per multi-row statement (six values each, well under both backends' limits).
const CHUNK: usize = 500;

/// Leases the oldest due update's fan-out, else the oldest due re-confirmation's.
pub(super) async fn claim(
    store: &SqlStore,
    worker: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Option<FanoutJob>, StoreError> {
    // As `claim_outbox`: SKIP LOCKED passes over a row another worker is claiming, and a
    // claim that committed meanwhile is re-checked and left out.
    let update = sqlx::query(concat!(
        "WITH due AS MATERIALIZED (
             SELECT id AS due_id FROM letter_updates
             WHERE fanout_done_at IS NULL
               AND (fanout_claimed_until IS NULL OR fanout_claimed_until <= $3)
             ORDER BY id LIMIT 1",
        lock!(FOR UPDATE SKIP LOCKED),
        ")
         UPDATE letter_updates SET fanout_claimed_by = $1, fanout_claimed_until = $2
         FROM due WHERE letter_updates.id = due.due_id
           AND letter_updates.fanout_done_at IS NULL
           AND (letter_updates.fanout_claimed_until IS NULL
                OR letter_updates.fanout_claimed_until <= $3)
         RETURNING id, letter_id",
    ))
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .fetch_optional(&store.pool)
    .await
    .ctx("claiming an update's fan-out")?;
    if let Some(row) = update {
        return Ok(Some(FanoutJob {
            fanout: Fanout::Update(UpdateId(row.try_get("id").ctx("reading an update")?)),
            letter: LetterId(row.try_get("letter_id").ctx("reading an update")?),
        }));
    }
    let version = sqlx::query(concat!(
        "WITH due AS MATERIALIZED (
             SELECT letter_id AS due_letter, number AS due_number FROM letter_versions
             WHERE fanout_done_at IS NULL
               AND (fanout_claimed_until IS NULL OR fanout_claimed_until <= $3)
             ORDER BY created_at, letter_id LIMIT 1",
        lock!(FOR UPDATE SKIP LOCKED),
        ")
         UPDATE letter_versions SET fanout_claimed_by = $1, fanout_claimed_until = $2
         FROM due WHERE letter_versions.letter_id = due.due_letter
           AND letter_versions.number = due.due_number
           AND letter_versions.fanout_done_at IS NULL
           AND (letter_versions.fanout_claimed_until IS NULL
                OR letter_versions.fanout_claimed_until <= $3)
         RETURNING letter_id, number",
    ))
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .fetch_optional(&store.pool)
    .await
    .ctx("claiming a re-confirmation's fan-out")?;
    version
        .map(|row| {
            let letter = LetterId(row.try_get("letter_id").ctx("reading a version")?);
            let number: i64 = row.try_get("number").ctx("reading a version")?;
            let number = u64::try_from(number)
                .map_err(|_| StoreError::Corrupt(format!("version number {number}")))?;
            Ok(FanoutJob {
                fanout: Fanout::Reconfirm { letter, number },
                letter,
            })
        })
        .transpose()
}

/// A fan-out as its row stands once the lease is renewed.
struct Held {
    letter: i64,
    /// The email's JSON, less each recipient's link.
    params: String,
    /// The last signer queued, as (created_at, id); (0, 0) before the first batch.
    after: (i64, i64),
}

/// A signer a batch asks, with the record and email to write for them.
struct Recipient {
    signature: i64,
    token_hash: Hash32,
    sealed_email: Vec<u8>,
    sealed_params: Vec<u8>,
}

/// One batch of `fanout` (see `UpdateStore::fan_out_batch`) in the transaction `conn` is
/// in: the writer's (see `WriteCommand::FanOut`), or one of its own.
pub(super) async fn apply(
    conn: &mut Conn,
    keys: &Keyring,
    fanout: Fanout,
    worker: &str,
    limit: u32,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<FanoutProgress, StoreError> {
    let Some(held) = renew(conn, fanout, worker, lease_until).await? else {
        return Ok(FanoutProgress::Lost);
    };
    let signers = next_signers(conn, fanout, &held, limit).await?;
    let recipients = signers
        .iter()
        .map(|row| recipient(keys, fanout, &held.params, row))
        .collect::<Result<Vec<_>, _>>()?;
    let queued = queue(conn, fanout, &recipients, now).await?;
    let last = match signers.last() {
        Some(row) => (
            row.try_get("created_at").ctx("reading a signature")?,
            row.try_get("id").ctx("reading a signature")?,
        ),
        None => held.after,
    };
    let done = signers.len() < limit as usize;
    advance(conn, fanout, last, done.then_some(now)).await?;
    Ok(if done {
        FanoutProgress::Done(queued)
    } else {
        FanoutProgress::More(queued)
    })
}

/// Extends the worker's lease, if it still holds it, and reads the fan-out's row.
async fn renew(
    conn: &mut Conn,
    fanout: Fanout,
    worker: &str,
    lease_until: Timestamp,
) -> Result<Option<Held>, StoreError> {
    let row = match fanout {
        Fanout::Update(update) => sqlx::query(
            "UPDATE letter_updates SET fanout_claimed_until = $1
             WHERE id = $2 AND fanout_claimed_by = $3 AND fanout_done_at IS NULL
             RETURNING letter_id, email_params, fanout_after_at, fanout_after_id",
        )
        .bind(lease_until)
        .bind(update.0)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .ctx("renewing an update's fan-out")?,
        Fanout::Reconfirm { letter, number } => sqlx::query(
            "UPDATE letter_versions SET fanout_claimed_until = $1
             WHERE letter_id = $2 AND number = $3 AND fanout_claimed_by = $4
               AND fanout_done_at IS NULL
             RETURNING letter_id, email_params, fanout_after_at, fanout_after_id",
        )
        .bind(lease_until)
        .bind(letter.0)
        .bind(version_number(number)?)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .ctx("renewing a re-confirmation's fan-out")?,
    };
    row.map(|row| {
        let params: Option<String> = row.try_get("email_params").ctx("reading a fan-out")?;
        Ok(Held {
            letter: row.try_get("letter_id").ctx("reading a fan-out")?,
            params: params
                .ok_or_else(|| StoreError::Corrupt("a fan-out without its email".into()))?,
            after: (
                row.try_get("fanout_after_at").ctx("reading a fan-out")?,
                row.try_get("fanout_after_id").ctx("reading a fan-out")?,
            ),
        })
    })
    .transpose()
}

fn version_number(number: u64) -> Result<i64, StoreError> {
    i64::try_from(number).map_err(|_| StoreError::Corrupt("a version number".into()))
}

/// The next `limit` signers the fan-out asks, after its cursor.
async fn next_signers(
    conn: &mut Conn,
    fanout: Fanout,
    held: &Held,
    limit: u32,
) -> Result<Vec<DbRow>, StoreError> {
    let sql = match fanout {
        Fanout::Update(_) => {
            "SELECT s.id, s.created_at, s.email, s.lang FROM signatures s
             WHERE s.letter_id = $1 AND (s.created_at, s.id) > ($2, $3)
               AND s.updates = 1 AND s.state IN ('confirmed', 'published')
             ORDER BY s.created_at, s.id LIMIT $4"
        }
        Fanout::Reconfirm { .. } => {
            "SELECT s.id, s.created_at, s.email, s.lang FROM signatures s
             WHERE s.letter_id = $1 AND (s.created_at, s.id) > ($2, $3)
               AND s.state = 'published' AND COALESCE(s.version, 1) < $5
             ORDER BY s.created_at, s.id LIMIT $4"
        }
    };
    let mut query = sqlx::query(sql)
        .bind(held.letter)
        .bind(held.after.0)
        .bind(held.after.1)
        .bind(i64::from(limit));
    if let Fanout::Reconfirm { number, .. } = fanout {
        query = query.bind(version_number(number)?);
    }
    query
        .fetch_all(&mut *conn)
        .await
        .ctx("finding a fan-out's next signers")
}

/// What to write for one signer: a fresh token, and the email sealed to them.
fn recipient(
    keys: &Keyring,
    fanout: Fanout,
    params: &str,
    row: &DbRow,
) -> Result<Recipient, StoreError> {
    let email = personal::open(keys, row, "email", Field::Email)?;
    let lang = personal::lang(keys, row)?;
    let (token, token_hash) = unsubscribe_token()?;
    let key = match fanout {
        Fanout::Update(_) => "unsubscribe_token",
        Fanout::Reconfirm { .. } => "reconfirm_token",
    };
    Ok(Recipient {
        signature: row.try_get("id").ctx("reading a signature")?,
        token_hash,
        sealed_email: keys.seal(Field::Recipient, &email),
        sealed_params: keys.seal(
            Field::EmailParams,
            &params_with_token(params, key, &token, lang.as_deref())?,
        ),
    })
}

/// Inserts each recipient's record and, for each record that is new, its email; returns how
/// many emails it queued.
async fn queue(
    conn: &mut Conn,
    fanout: Fanout,
    recipients: &[Recipient],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    for chunk in recipients.chunks(CHUNK) {
        let mut records = match fanout {
            Fanout::Update(update) => {
                let mut query = QueryBuilder::<Db>::new(
                    "INSERT INTO update_recipients (update_id, signature_id, token_hash,
                                                    created_at) ",
                );
                query.push_values(chunk, |mut row, r| {
                    row.push_bind(update.0)
                        .push_bind(r.signature)
                        .push_bind(r.token_hash.to_vec())
                        .push_bind(now);
                });
                query
            }
            Fanout::Reconfirm { letter, number } => {
                let number = version_number(number)?;
                let mut query = QueryBuilder::<Db>::new(
                    "INSERT INTO reconfirm_requests (letter_id, number, signature_id, token_hash,
                                                     created_at) ",
                );
                query.push_values(chunk, |mut row, r| {
                    row.push_bind(letter.0)
                        .push_bind(number)
                        .push_bind(r.signature)
                        .push_bind(r.token_hash.to_vec())
                        .push_bind(now);
                });
                query
            }
        };
        // A signer already asked (by a batch that ran before a lease was lost and taken
        // over, or before the cursor existed) keeps their record and gets no second email.
        records.push(" ON CONFLICT DO NOTHING RETURNING signature_id");
        let inserted: HashSet<i64> = fetch_built(conn, records, "recording a fan-out's recipients")
            .await?
            .iter()
            .map(|row| row.try_get("signature_id").ctx("reading a recipient"))
            .collect::<Result<_, _>>()?;
        let new: Vec<&Recipient> = chunk
            .iter()
            .filter(|r| inserted.contains(&r.signature))
            .collect();
        if new.is_empty() {
            continue;
        }
        let (kind, prefix) = match fanout {
            Fanout::Update(update) => (EmailKind::Update, format!("update:{update}")),
            Fanout::Reconfirm { letter, number } => {
                (EmailKind::Reconfirm, format!("reconfirm:{letter}:{number}"))
            }
        };
        let mut outbox = QueryBuilder::<Db>::new(
            "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                                 next_attempt_at, created_at) ",
        );
        outbox.push_values(&new, |mut row, r| {
            row.push_bind(format!("{prefix}:{}", r.signature))
                .push_bind(kind.as_str())
                .push_bind(r.sealed_email.clone())
                .push_bind(r.sealed_params.clone())
                .push_bind("pending")
                .push_bind(0i64)
                .push_bind(now)
                .push_bind(now);
        });
        execute_built(conn, outbox, "queueing a fan-out's emails").await?;
        queued += new.len() as u64;
    }
    Ok(queued)
}

/// Moves the fan-out's cursor to `last`, and marks it done at `done` if given.
async fn advance(
    conn: &mut Conn,
    fanout: Fanout,
    last: (i64, i64),
    done: Option<Timestamp>,
) -> Result<(), StoreError> {
    let query = match fanout {
        Fanout::Update(update) => sqlx::query(
            "UPDATE letter_updates SET fanout_after_at = $1, fanout_after_id = $2,
                 fanout_done_at = $3,
                 fanout_claimed_by = CASE WHEN $3 IS NULL THEN fanout_claimed_by END,
                 fanout_claimed_until = CASE WHEN $3 IS NULL THEN fanout_claimed_until END
             WHERE id = $4",
        )
        .bind(last.0)
        .bind(last.1)
        .bind(done)
        .bind(update.0),
        Fanout::Reconfirm { letter, number } => sqlx::query(
            "UPDATE letter_versions SET fanout_after_at = $1, fanout_after_id = $2,
                 fanout_done_at = $3,
                 fanout_claimed_by = CASE WHEN $3 IS NULL THEN fanout_claimed_by END,
                 fanout_claimed_until = CASE WHEN $3 IS NULL THEN fanout_claimed_until END
             WHERE letter_id = $4 AND number = $5",
        )
        .bind(last.0)
        .bind(last.1)
        .bind(done)
        .bind(letter.0)
        .bind(version_number(number)?),
    };
    query
        .execute(&mut *conn)
        .await
        .ctx("moving a fan-out's cursor")?;
    Ok(())
}
