//! Fan-outs: one email to each of many signers (an update's, a change of substance's
//! request to re-confirm, or an invitation to sign a letter's copy), queued a batch per
//! transaction.
//!
//! Exactly once per signer: each batch, in one transaction, renews the worker's lease (which
//! locks the fan-out's row until the batch commits), reads the next signers after the last
//! one read, in the order of the index `signatures_letter_created`, inserts a record for
//! each signer it asks (an update recipient, a re-confirmation request or an invitation,
//! unique per fan-out and signer) and, for each record it inserted, an outbox row (whose
//! `event_key` is unique too), moves the fan-out's cursor to the last signer read, and
//! commits. A worker that dies after a commit leaves its rows and its cursor behind, so
//! whoever takes the fan-out over (after the lease runs out) starts after them; one that
//! dies before leaves nothing. Leases work as the outbox's do (`outbox.rs`).
//!
//! A batch reads ranges of the index from the cursor until it has `limit` signers it asks,
//! or has read ten times that, and writes its rows a statement per table, so its cost does
//! not grow with the signers read before it: a fan-out to a million signers is a million
//! rows' work, not a million batches each reading the letter's signers from the first, and
//! a run that passes over nearly everyone (an update few asked for, invitations pressed
//! again) never reads them all in one transaction.

use std::collections::HashSet;

use sqlx::{QueryBuilder, Row};

use super::{
    Conn, Ctx, Db, DbRow, SqlStore, execute_built, fetch_built, personal,
    updates::{params_with_token, unsubscribe_token},
};
use crate::{
    StoreError,
    family::InvitationRunId,
    model::*,
    sealed::{Field, Keyring},
    updates::{Fanout, FanoutJob, FanoutProgress, UpdateId},
};

/// Rows per multi-row statement (six values each, well under both backends' limits).
const CHUNK: usize = 500;

/// How many times its `limit` a batch may read to find the signers it asks.
const READ_AHEAD: u32 = 10;

/// The statement that leases the oldest due fan-out of a table whose rows are fan-outs
/// keyed by `id` (an update's, or an invitation run's), done when `$done` is set.
macro_rules! claim_by_id {
    ($table:literal, $done:literal) => {
        // As `claim_outbox`: SKIP LOCKED passes over a row another worker is claiming, and
        // a claim that committed meanwhile is re-checked and left out.
        concat!(
            "WITH due AS MATERIALIZED (
                 SELECT id AS due_id FROM ", $table, "
                 WHERE ", $done, " IS NULL
                   AND (fanout_claimed_until IS NULL OR fanout_claimed_until <= $3)
                 ORDER BY id LIMIT 1",
            lock!(FOR UPDATE SKIP LOCKED),
            ")
             UPDATE ", $table, " SET fanout_claimed_by = $1, fanout_claimed_until = $2
             FROM due WHERE ", $table, ".id = due.due_id
               AND ", $table, ".", $done, " IS NULL
               AND (", $table, ".fanout_claimed_until IS NULL
                    OR ", $table, ".fanout_claimed_until <= $3)
             RETURNING id, letter_id"
        )
    };
}

/// Leases the oldest due update's fan-out, else the oldest due re-confirmation's, else the
/// oldest due invitation run.
pub(super) async fn claim(
    store: &SqlStore,
    worker: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Option<FanoutJob>, StoreError> {
    let update = sqlx::query(claim_by_id!("letter_updates", "fanout_done_at"))
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
    if let Some(row) = version {
        let letter = LetterId(row.try_get("letter_id").ctx("reading a version")?);
        let number: i64 = row.try_get("number").ctx("reading a version")?;
        let number = u64::try_from(number)
            .map_err(|_| StoreError::Corrupt(format!("version number {number}")))?;
        return Ok(Some(FanoutJob {
            fanout: Fanout::Reconfirm { letter, number },
            letter,
        }));
    }
    let run = sqlx::query(claim_by_id!("family_invitation_runs", "done_at"))
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .fetch_optional(&store.pool)
        .await
        .ctx("claiming an invitation run")?;
    run.map(|row| {
        Ok(FanoutJob {
            fanout: Fanout::Invite(InvitationRunId(
                row.try_get("id").ctx("reading an invitation run")?,
            )),
            letter: LetterId(row.try_get("letter_id").ctx("reading an invitation run")?),
        })
    })
    .transpose()
}

/// The last signer a fan-out read: their letter (for an invitation run, one of the
/// family's earlier letters; otherwise the fan-out's letter, or 0 before the first batch),
/// then (created_at, id) in the order of the index `signatures_letter_created`; (0, 0)
/// before the letter's first signer.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    letter: i64,
    at: i64,
    id: i64,
}

/// A fan-out as its row stands once the lease is renewed.
struct Held {
    /// The letter the fan-out is for (for an invitation run, the copy).
    letter: i64,
    /// The email's JSON, less each recipient's link.
    params: String,
    after: Cursor,
}

/// The signers a batch read, from its cursor.
struct Window {
    /// Those it asks, with what it needs to write to them.
    asked: Vec<DbRow>,
    /// The last signer it read (the cursor, when it read none).
    last: Cursor,
    /// Whether it read the last signer there is.
    done: bool,
}

/// A signer a batch asks, with the record and email to write for them.
struct Recipient {
    signature: i64,
    /// Their duplicate key (for an invitation, which is unique per key).
    email_hash: Vec<u8>,
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
    let limit = limit.max(1);
    let window = next_signers(conn, fanout, &held, limit).await?;
    let recipients = window
        .asked
        .iter()
        .map(|row| recipient(keys, fanout, &held.params, row))
        .collect::<Result<Vec<_>, _>>()?;
    let queued = queue(conn, fanout, held.letter, &recipients, now).await?;
    advance(
        conn,
        fanout,
        window.last,
        queued,
        window.done.then_some(now),
    )
    .await?;
    Ok(if window.done {
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
             RETURNING letter_id, email_params, letter_id AS fanout_after_letter,
                       fanout_after_at, fanout_after_id",
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
             RETURNING letter_id, email_params, letter_id AS fanout_after_letter,
                       fanout_after_at, fanout_after_id",
        )
        .bind(lease_until)
        .bind(letter.0)
        .bind(version_number(number)?)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .ctx("renewing a re-confirmation's fan-out")?,
        Fanout::Invite(run) => sqlx::query(
            "UPDATE family_invitation_runs SET fanout_claimed_until = $1
             WHERE id = $2 AND fanout_claimed_by = $3 AND done_at IS NULL
             RETURNING letter_id, email_params, fanout_after_letter,
                       fanout_after_at, fanout_after_id",
        )
        .bind(lease_until)
        .bind(run.0)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .ctx("renewing an invitation run")?,
    };
    row.map(|row| {
        let params: Option<String> = row.try_get("email_params").ctx("reading a fan-out")?;
        Ok(Held {
            letter: row.try_get("letter_id").ctx("reading a fan-out")?,
            params: params
                .ok_or_else(|| StoreError::Corrupt("a fan-out without its email".into()))?,
            after: Cursor {
                letter: row
                    .try_get("fanout_after_letter")
                    .ctx("reading a fan-out")?,
                at: row.try_get("fanout_after_at").ctx("reading a fan-out")?,
                id: row.try_get("fanout_after_id").ctx("reading a fan-out")?,
            },
        })
    })
    .transpose()
}

fn version_number(number: u64) -> Result<i64, StoreError> {
    i64::try_from(number).map_err(|_| StoreError::Corrupt("a version number".into()))
}

/// The next `limit` signers of `letter` after `after`, in the order they signed, each with
/// whether the fan-out for `target` asks them (`asked`, 0 or 1).
async fn read(
    conn: &mut Conn,
    fanout: Fanout,
    target: i64,
    letter: i64,
    after: Cursor,
    limit: u32,
) -> Result<Vec<DbRow>, StoreError> {
    let sql = match fanout {
        Fanout::Update(_) => {
            "SELECT s.id, s.created_at, s.email, s.email_hash, s.lang,
                    CAST(CASE WHEN s.updates = 1 AND s.state IN ('confirmed', 'published')
                              THEN 1 ELSE 0 END AS BIGINT) AS asked
             FROM signatures s
             WHERE s.letter_id = $1 AND (s.created_at, s.id) > ($2, $3)
             ORDER BY s.created_at, s.id LIMIT $4"
        }
        Fanout::Reconfirm { .. } => {
            "SELECT s.id, s.created_at, s.email, s.email_hash, s.lang,
                    CAST(CASE WHEN s.state = 'published' AND COALESCE(s.version, 1) < $5
                              THEN 1 ELSE 0 END AS BIGINT) AS asked
             FROM signatures s
             WHERE s.letter_id = $1 AND (s.created_at, s.id) > ($2, $3)
             ORDER BY s.created_at, s.id LIMIT $4"
        }
        // A past signer who signed the copy already, or was invited to it (in an earlier
        // run, or from another of the family's letters), is passed over.
        Fanout::Invite(_) => {
            "SELECT s.id, s.created_at, s.email, s.email_hash, s.lang,
                    CAST(CASE WHEN s.state = 'published' AND s.updates = 1
                                AND NOT EXISTS (SELECT 1 FROM signatures n
                                                WHERE n.letter_id = $5
                                                  AND n.email_hash = s.email_hash)
                                AND NOT EXISTS (SELECT 1 FROM family_invitations i
                                                WHERE i.letter_id = $5
                                                  AND i.email_hash = s.email_hash)
                              THEN 1 ELSE 0 END AS BIGINT) AS asked
             FROM signatures s
             WHERE s.letter_id = $1 AND (s.created_at, s.id) > ($2, $3)
             ORDER BY s.created_at, s.id LIMIT $4"
        }
    };
    let query = sqlx::query(sql)
        .bind(letter)
        .bind(after.at)
        .bind(after.id)
        .bind(i64::from(limit));
    let query = match fanout {
        Fanout::Update(_) => query,
        Fanout::Reconfirm { number, .. } => query.bind(version_number(number)?),
        Fanout::Invite(_) => query.bind(target),
    };
    query
        .fetch_all(&mut *conn)
        .await
        .ctx("reading a fan-out's next signers")
}

/// The letters whose signers the fan-out reads, in the order it reads them, from the one
/// its cursor is in: the fan-out's letter; for an invitation run, the family's earlier
/// letters (those whose signers were not erased), in id order.
async fn letters(conn: &mut Conn, fanout: Fanout, held: &Held) -> Result<Vec<i64>, StoreError> {
    match fanout {
        Fanout::Update(_) | Fanout::Reconfirm { .. } => Ok(vec![held.letter]),
        Fanout::Invite(_) => sqlx::query_scalar(
            "SELECT p.id FROM letters l
             JOIN letters p ON (p.id = l.family_id OR p.family_id = l.family_id)
                            AND p.id <> l.id
             WHERE l.id = $1 AND p.id >= $2
               AND NOT EXISTS (SELECT 1 FROM letter_erasures e WHERE e.letter_id = p.id)
             ORDER BY p.id",
        )
        .bind(held.letter)
        .bind(held.after.letter)
        .fetch_all(&mut *conn)
        .await
        .ctx("reading a letter's family"),
    }
}

/// The signers a batch reads after the fan-out's cursor, one letter after the other (see
/// [`letters`]): until it has `limit` it asks, or has read `READ_AHEAD` times `limit`
/// (so that a fan-out that passes over most signers, such as an update few asked for, goes
/// on in bounded batches rather than a batch per signer it asks), or has read the last.
/// An invitation run asks someone who signed two of the earlier letters once per batch
/// (and `family_invitations`, unique per duplicate key, once in all).
async fn next_signers(
    conn: &mut Conn,
    fanout: Fanout,
    held: &Held,
    limit: u32,
) -> Result<Window, StoreError> {
    let mut letters = letters(conn, fanout, held).await?.into_iter().peekable();
    let mut window = Window {
        asked: Vec::new(),
        last: held.after,
        done: false,
    };
    let mut budget = limit.saturating_mul(READ_AHEAD);
    while window.asked.len() < limit as usize && budget > 0 {
        let Some(&letter) = letters.peek() else {
            window.done = true;
            break;
        };
        let after = if window.last.letter == letter {
            window.last
        } else {
            Cursor {
                letter,
                at: 0,
                id: 0,
            }
        };
        let want = limit.min(budget);
        let rows = read(conn, fanout, held.letter, letter, after, want).await?;
        // At most `want` rows: the difference fits.
        budget -= u32::try_from(rows.len()).unwrap_or(want);
        let read_all = rows.len() < want as usize;
        let stopped = extend(&mut window, letter, rows, limit as usize)?;
        if read_all && !stopped {
            letters.next();
        }
    }
    if let Fanout::Invite(_) = fanout {
        let mut seen = HashSet::new();
        let mut asked = Vec::with_capacity(window.asked.len());
        for row in window.asked {
            let key: Vec<u8> = row.try_get("email_hash").ctx("reading a signature")?;
            if seen.insert(key) {
                asked.push(row);
            }
        }
        window.asked = asked;
    }
    Ok(window)
}

/// Adds the signers `rows` of `letter` to `window`, in order, until it holds `cap` it
/// asks: those asked, and the last one read. True when it stopped before the last row.
fn extend(
    window: &mut Window,
    letter: i64,
    rows: Vec<DbRow>,
    cap: usize,
) -> Result<bool, StoreError> {
    let count = rows.len();
    for (n, row) in rows.into_iter().enumerate() {
        window.last = Cursor {
            letter,
            at: row.try_get("created_at").ctx("reading a signature")?,
            id: row.try_get("id").ctx("reading a signature")?,
        };
        let asked: i64 = row.try_get("asked").ctx("reading a signature")?;
        if asked == 1 {
            window.asked.push(row);
            if window.asked.len() == cap {
                return Ok(n + 1 < count);
            }
        }
    }
    Ok(false)
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
        Fanout::Invite(_) => "token",
    };
    Ok(Recipient {
        signature: row.try_get("id").ctx("reading a signature")?,
        email_hash: row.try_get("email_hash").ctx("reading a signature")?,
        token_hash,
        sealed_email: keys.seal(Field::Recipient, &email),
        sealed_params: keys.seal(
            Field::EmailParams,
            &params_with_token(params, key, &token, lang.as_deref())?,
        ),
    })
}

/// Inserts each recipient's record and, for each record that is new, its email; returns how
/// many emails it queued. `letter` is the letter the fan-out is for.
async fn queue(
    conn: &mut Conn,
    fanout: Fanout,
    letter: i64,
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
            Fanout::Invite(run) => {
                let mut query = QueryBuilder::<Db>::new(
                    "INSERT INTO family_invitations (letter_id, signature_id, email_hash, run_id,
                                                     token_hash, created_at) ",
                );
                query.push_values(chunk, |mut row, r| {
                    row.push_bind(letter)
                        .push_bind(r.signature)
                        .push_bind(r.email_hash.clone())
                        .push_bind(run.0)
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
            Fanout::Invite(_) => (EmailKind::FamilyInvitation, format!("family:{letter}")),
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

/// Moves the fan-out's cursor to `last`, counts the `queued` emails of an invitation run,
/// and marks the fan-out done at `done` if given.
async fn advance(
    conn: &mut Conn,
    fanout: Fanout,
    last: Cursor,
    queued: u64,
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
        .bind(last.at)
        .bind(last.id)
        .bind(done)
        .bind(update.0),
        Fanout::Reconfirm { letter, number } => sqlx::query(
            "UPDATE letter_versions SET fanout_after_at = $1, fanout_after_id = $2,
                 fanout_done_at = $3,
                 fanout_claimed_by = CASE WHEN $3 IS NULL THEN fanout_claimed_by END,
                 fanout_claimed_until = CASE WHEN $3 IS NULL THEN fanout_claimed_until END
             WHERE letter_id = $4 AND number = $5",
        )
        .bind(last.at)
        .bind(last.id)
        .bind(done)
        .bind(letter.0)
        .bind(version_number(number)?),
        Fanout::Invite(run) => sqlx::query(
            "UPDATE family_invitation_runs SET fanout_after_at = $1, fanout_after_id = $2,
                 done_at = $3,
                 fanout_claimed_by = CASE WHEN $3 IS NULL THEN fanout_claimed_by END,
                 fanout_claimed_until = CASE WHEN $3 IS NULL THEN fanout_claimed_until END,
                 fanout_after_letter = $4, invited = invited + $5
             WHERE id = $6",
        )
        .bind(last.at)
        .bind(last.id)
        .bind(done)
        .bind(last.letter)
        .bind(i64::try_from(queued).unwrap_or(i64::MAX))
        .bind(run.0),
    };
    query
        .execute(&mut *conn)
        .await
        .ctx("moving a fan-out's cursor")?;
    Ok(())
}
