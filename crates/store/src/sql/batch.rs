//! The hot path: signing and confirming, many commands to a transaction.
//!
//! One transaction per batch; the batch's sign-ups (`signing`) and plain confirmations
//! (`confirming`) decided together in a few statements each, every other command under a
//! savepoint of its own; one log append per letter and one `letter_counts` upsert per letter
//! and category. Where several writers share the database
//! (PostgreSQL), the dialect adds what they need: the rows a command decides on are locked,
//! commands and counter rows are taken in one global order, and a batch that loses a
//! deadlock or serialization race with another process's batch runs again in a fresh
//! transaction.

use std::{
    collections::{BTreeMap, HashMap},
    time::Duration,
};

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::{
    DisplayLevel, LetterState, SignatureState,
    letter::{BatchMinutes, Moderation},
    organisation::{Organisation, Verification},
};
use undersigned_verify::entry::RemovalReason;

use super::{
    Conn, Ctx, DIALECT, DbRow, SqlStore, confirming, dialect,
    log::{append, log_version},
    lost_race,
    mail_limits::{DomainCaps, spend_budget, spend_recipient_budget},
    personal::{self, SealedSigner},
    signing,
};
use crate::{
    BatchStore, StoreError,
    log::{PendingEntry, Published, add_entry, backfill_salt, by_letter, remove_entry},
    model::*,
    parse_stored,
    queue::*,
    rules::may_email_again,
    sealed::{Field, Keyring, SealedSignUp},
};

/// The log entry a command produced, if any.
type Logged = Option<PendingEntry>;

/// A command's outcome with the log entries it produced, however many.
fn one((outcome, logged): (WriteOutcome, Logged)) -> (WriteOutcome, Vec<PendingEntry>) {
    (outcome, logged.into_iter().collect())
}

/// How many times a batch runs in all when it keeps losing deadlocks or serialization races.
const BATCH_ATTEMPTS: u32 = 3;

#[async_trait]
impl BatchStore for SqlStore {
    async fn commit_batch(
        &self,
        commands: Vec<WriteCommand>,
    ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
        let mut attempt = 1;
        let result = loop {
            match try_batch(self, &commands).await {
                Err(e) if attempt < BATCH_ATTEMPTS && lost_race(&e) => {
                    tracing::debug!(attempt, "batch lost a race with another writer; retrying");
                    // The winner holds its locks until it commits: give it a moment.
                    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
                    attempt += 1;
                }
                result => break result,
            }
        };
        // A withdrawal, a moderator's removal or a discarded submission deleted a signer's
        // text: make sure its old bytes do not linger in the write-ahead log. Rare, so the
        // signing path never pays for it.
        let erased = commands.iter().any(|c| {
            matches!(
                c,
                WriteCommand::Remove(_)
                    | WriteCommand::Discard(_)
                    | WriteCommand::ChangeDisplay(_)
                    | WriteCommand::Moderate(_)
            )
        });
        if erased
            && result.is_ok()
            && let Err(e) = dialect::after_erase(&self.pool).await
        {
            tracing::warn!(error = %e, "could not clear erased text from the write-ahead log");
        }
        result
    }

    fn prepare(&self, command: &mut WriteCommand) {
        // An organisation's sign-up may email another address than its signer's (see
        // `signing`), and takes the per-command path, which seals what it writes itself.
        if let WriteCommand::Sign(sign) = command
            && sign.organisation.is_none()
            && sign.sealed.is_none()
        {
            sign.sealed = Some(SealedSignUp::new(&self.keyring, sign));
        }
    }

    async fn due_releases(&self, now: Timestamp) -> Result<Vec<ReleaseCommand>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.letter_id, l.batch_minutes, MIN(s.confirmed_at) AS first
             FROM signatures s JOIN letters l ON l.id = s.letter_id
             WHERE s.state = 'confirmed' AND l.batch_minutes IS NOT NULL
             GROUP BY s.letter_id, l.batch_minutes",
        )
        .fetch_all(&self.pool)
        .await
        .ctx("looking for held signatures")?;
        let mut due = Vec::new();
        for row in rows {
            let letter = LetterId(row.try_get("letter_id").ctx("reading held signatures")?);
            let minutes: i64 = row
                .try_get("batch_minutes")
                .ctx("reading held signatures")?;
            let first: Option<i64> = row.try_get("first").ctx("reading held signatures")?;
            let batch = u32::try_from(minutes)
                .ok()
                .and_then(BatchMinutes::new)
                .ok_or_else(|| StoreError::Corrupt(format!("batch of {minutes} minutes")))?;
            let before = batch.boundary(now);
            if first.is_some_and(|first| first < before) {
                due.push(ReleaseCommand { letter, before });
            }
        }
        Ok(due)
    }
}

/// One attempt: every command in one transaction. An error means nothing was written.
async fn try_batch(
    store: &SqlStore,
    commands: &[WriteCommand],
) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
    let started = std::time::Instant::now();
    let mut conn = store.writer_connection().await?;
    let mut tx = sqlx::Connection::begin_with(&mut *conn, DIALECT.begin_write)
        .await
        .ctx("starting a write")?;
    let begun = started.elapsed();
    let applied = apply_all(&mut tx, &store.keyring, commands).await;
    match applied {
        Ok(results) => {
            let applied = started.elapsed();
            tx.commit().await.ctx("committing a batch")?;
            store.keep_writer_connection(conn);
            tracing::debug!(
                commands = commands.len(),
                begin_us = begun.as_micros() as u64,
                apply_us = (applied - begun).as_micros() as u64,
                commit_us = (started.elapsed() - applied).as_micros() as u64,
                "batch timings"
            );
            Ok(results)
        }
        Err(e) => {
            // Release the locks now, so that the other writer (and our retry) goes on.
            // If this fails, dropping the connection's transaction rolls it back anyway.
            if let Err(rollback) = tx.rollback().await {
                tracing::debug!(error = %rollback, "rolling back a failed batch");
            }
            Err(e)
        }
    }
}

/// The order in which a batch takes its row locks where the dialect asks for one:
/// signatures by letter and duplicate key, then confirmations by token. Every process's
/// writer applies its batches in this order, so two batches that touch the same signers lock
/// them in the same order and rarely deadlock (the retry handles the rest). A sign command
/// also locks its recipient's email budget, which this order does not cover: two batches
/// that email the same two mailboxes on different letters in crossing orders can deadlock,
/// and the retry handles that too.
fn lock_order(command: &WriteCommand) -> (u8, i64, [u8; 32]) {
    match command {
        WriteCommand::Sign(sign) => (0, sign.letter.0, sign.duplicate_key.0),
        WriteCommand::ImportPublished(import) => (0, import.letter.0, import.duplicate_key.0),
        WriteCommand::Confirm(confirm) => (1, 0, confirm.token_hash),
        WriteCommand::Discard(discard) => (1, 0, discard.token_hash),
        WriteCommand::JoinFamily(join) => (1, 0, join.token_hash),
        WriteCommand::Reconfirm(reconfirm) => (1, 0, reconfirm.token_hash),
        WriteCommand::Release(release) => (3, release.letter.0, [0; 32]),
        WriteCommand::Remove(remove) => {
            let mut key = [0; 32];
            key[..8].copy_from_slice(&remove.signature.0.to_be_bytes());
            (2, remove.letter.0, key)
        }
        WriteCommand::RequestLink(request) => (0, request.letter.0, request.duplicate_key.0),
        WriteCommand::ChangeDisplay(change) => {
            let mut key = [0; 32];
            key[..8].copy_from_slice(&change.signature.0.to_be_bytes());
            (2, change.letter.0, key)
        }
        WriteCommand::Moderate(moderate) => {
            let mut key = [0; 32];
            key[..8].copy_from_slice(&moderate.signature.0.to_be_bytes());
            (2, moderate.letter.0, key)
        }
        WriteCommand::OutboxClaim(_) => (4, 0, [0; 32]),
        // A fan-out's rows are its own and the outbox's: with the outbox's.
        WriteCommand::FanOut(_) => (4, 0, [0; 32]),
        // Outbox rows are not signatures' rows; last, in id order.
        WriteCommand::OutboxDone(done) => {
            let mut key = [0; 32];
            let first = done.sent.iter().chain(&done.withheld).min().copied();
            key[..8].copy_from_slice(&first.unwrap_or_default().to_be_bytes());
            (4, 0, key)
        }
        WriteCommand::VerifyOrganisation(verify) => {
            let mut key = [0; 32];
            key[..8].copy_from_slice(&verify.signature.0.to_be_bytes());
            (2, verify.letter.0, key)
        }
    }
}

async fn apply_all(
    conn: &mut Conn,
    keys: &Keyring,
    commands: &[WriteCommand],
) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
    let mut order: Vec<usize> = (0..commands.len()).collect();
    if DIALECT.order_commands_by_locks {
        // Stable: commands with the same key keep their arrival order.
        order.sort_by_key(|&i| lock_order(&commands[i]));
    }
    let mut answers: Vec<Option<Result<WriteOutcome, StoreError>>> =
        (0..commands.len()).map(|_| None).collect();
    let mut pending: Vec<PendingEntry> = Vec::new();
    let mut domains = DomainCaps::read(conn, commands).await?;
    // Sign-ups first, together (see `signing`); what that leaves, one by one.
    for (index, answer) in signing::apply_signs(conn, keys, commands, &order, &mut domains).await? {
        answers[index] = Some(answer);
    }
    // Confirmations likewise (see `confirming`).
    for (index, answer, entry) in confirming::apply_confirms(conn, keys, commands, &order).await? {
        answers[index] = Some(answer);
        pending.extend(entry);
    }
    for index in order {
        if answers[index].is_some() {
            continue;
        }
        let command = &commands[index];
        // Too many sign-ups to this domain this hour: refused before anything is stored.
        if let WriteCommand::Sign(sign) = command
            && let Some(retry_after) = domains.refuse(sign)
        {
            let outcome = SignOutcome::DomainBusy { retry_after };
            answers[index] = Some(Ok(WriteOutcome::Sign(outcome)));
            continue;
        }
        sqlx::query("SAVEPOINT command")
            .execute(&mut *conn)
            .await
            .ctx("starting a command")?;
        // A command that changes published signatures of a letter share-locks it first, as
        // sign-ups and confirmations do (see `share_lock_letter`).
        if let Some(letter) = changes_published(command) {
            share_lock_letter(conn, letter).await?;
        }
        // Most commands log one entry or none; changing a display level logs two.
        let applied = match command {
            WriteCommand::Sign(sign) => apply_sign(conn, keys, sign).await.map(one),
            WriteCommand::Confirm(confirm) => apply_confirm(conn, keys, confirm).await.map(one),
            WriteCommand::ImportPublished(import) => {
                apply_import(conn, keys, import).await.map(one)
            }
            WriteCommand::Remove(remove) => apply_remove(conn, remove).await.map(one),
            WriteCommand::Discard(discard) => apply_discard(conn, discard).await.map(one),
            WriteCommand::Release(release) => apply_release(conn, keys, release).await,
            WriteCommand::ChangeDisplay(change) => apply_change_display(conn, keys, change).await,
            WriteCommand::RequestLink(request) => {
                apply_request_link(conn, keys, request).await.map(one)
            }
            WriteCommand::Moderate(moderate) => {
                apply_moderate(conn, keys, moderate)
                    .await
                    .map(|(outcome, logged)| {
                        (
                            WriteOutcome::Moderated {
                                letter: moderate.letter,
                                outcome,
                            },
                            logged.into_iter().collect(),
                        )
                    })
            }
            WriteCommand::VerifyOrganisation(verify) => {
                apply_verify_organisation(conn, keys, verify).await.map(one)
            }
            WriteCommand::JoinFamily(join) => apply_join_family(conn, keys, join).await.map(one),
            WriteCommand::OutboxDone(done) => apply_outbox_done(conn, done).await.map(one),
            WriteCommand::FanOut(c) => super::fanout::apply(
                conn,
                keys,
                c.fanout,
                &c.worker,
                c.limit,
                c.now,
                c.lease_until,
            )
            .await
            .map(|progress| (WriteOutcome::FannedOut(progress), Vec::new())),
            WriteCommand::Reconfirm(reconfirm) => super::versions::apply_reconfirm(conn, reconfirm)
                .await
                .map(|letter| (WriteOutcome::Reconfirmed(letter), Vec::new())),
            WriteCommand::OutboxClaim(c) => {
                super::outbox::claim(conn, keys, &c.worker, c.now, c.lease_until, c.limit)
                    .await
                    .map(|emails| (WriteOutcome::OutboxClaimed(emails), Vec::new()))
            }
        };
        match applied {
            Ok((outcome, logged)) => {
                sqlx::query("RELEASE SAVEPOINT command")
                    .execute(&mut *conn)
                    .await
                    .ctx("finishing a command")?;
                pending.extend(logged);
                if let WriteCommand::Sign(sign) = command
                    && outcome != WriteOutcome::Sign(SignOutcome::LetterNotOpen)
                {
                    domains.admit(sign);
                }
                answers[index] = Some(Ok(outcome));
            }
            // The whole batch fails (and may be retried).
            Err(e) if e.is_unavailable() => return Err(e),
            Err(e) => {
                sqlx::query("ROLLBACK TO SAVEPOINT command")
                    .execute(&mut *conn)
                    .await
                    .ctx("undoing a command")?;
                sqlx::query("RELEASE SAVEPOINT command")
                    .execute(&mut *conn)
                    .await
                    .ctx("undoing a command")?;
                answers[index] = Some(Err(e));
            }
        }
    }
    // Each letter's new entries go into its log in one append (letters in id order, so that
    // every process's writer locks log heads in the same order), and its counts move by what
    // those entries add and remove: the counts follow the log (invariant 2). One counter
    // update per letter and category per batch, never one per signature, in key order: every
    // process's writer locks counter rows in the same order, so two batches cannot deadlock
    // on them.
    // Each counter moves by (counted, withheld, awaiting).
    let mut deltas: BTreeMap<(LetterId, CategoryId), (i64, i64, i64)> = BTreeMap::new();
    // Where each signature added in this batch is in its letter's log, for its answer.
    let mut indexes: HashMap<SignatureId, u64> = HashMap::new();
    for (letter, entries) in by_letter(pending) {
        let first = append(conn, letter, &entries).await?;
        for (index, entry) in (first..).zip(entries) {
            let delta = deltas.entry((entry.letter, entry.category)).or_default();
            delta.0 += entry.delta;
            if entry.withheld {
                delta.1 += entry.delta;
            }
            if entry.awaiting {
                delta.2 += entry.delta;
            }
            if let Some((signature, _)) = entry.signature {
                indexes.insert(signature, index);
            }
        }
    }
    for answer in answers.iter_mut().flatten().flatten() {
        if let WriteOutcome::Confirm(ConfirmOutcome::Confirmed {
            signature, index, ..
        }) = answer
        {
            *index = *indexes.get(signature).ok_or_else(|| {
                StoreError::Corrupt("a confirmed signature has no log entry".into())
            })?;
        }
    }
    for ((letter, category), (delta, withheld, awaiting)) in deltas {
        sqlx::query(
            "INSERT INTO letter_counts (letter_id, category_id, count, withheld, awaiting)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (letter_id, category_id)
             DO UPDATE SET count = letter_counts.count + EXCLUDED.count,
                           withheld = letter_counts.withheld + EXCLUDED.withheld,
                           awaiting = letter_counts.awaiting + EXCLUDED.awaiting",
        )
        .bind(letter.0)
        .bind(category.0)
        .bind(delta)
        .bind(withheld)
        .bind(awaiting)
        .execute(&mut *conn)
        .await
        .ctx("updating counts")?;
    }
    domains.write(conn).await?;
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(StoreError::Corrupt("a command was skipped".into()))))
        .collect())
}

/// The letter whose published signatures `command` may change one by one (besides those
/// that sign-ups and confirmations change together, which lock it themselves).
fn changes_published(command: &WriteCommand) -> Option<LetterId> {
    match command {
        WriteCommand::Remove(c) => Some(c.letter),
        WriteCommand::ChangeDisplay(c) => Some(c.letter),
        WriteCommand::Moderate(c) => Some(c.letter),
        WriteCommand::VerifyOrganisation(c) => Some(c.letter),
        WriteCommand::Release(c) => Some(c.letter),
        _ => None,
    }
}

/// Share-locks `letter` until the batch commits (PostgreSQL; SQLite's single writer gives
/// this), before any of its signatures' rows: a change of substance to its text, which sets
/// the count of signers awaiting re-confirmation, then waits for the batch, and the batch
/// decides whether each signer it adds or removes awaits from the letter as it stands.
async fn share_lock_letter(conn: &mut Conn, letter: LetterId) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "SELECT id FROM letters WHERE id = $1",
        lock!(FOR SHARE)
    ))
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("locking a letter")?;
    Ok(())
}

/// The letter's state, and whether `category` is one of its categories, in one query.
///
/// The letter row is share-locked until the batch commits (PostgreSQL): batches (of any
/// process) share it, while closing or editing the letter waits for them, so no signature is
/// taken or published under a state that changed meanwhile. (SQLite's single writer gives
/// this.)
async fn letter_and_category(
    conn: &mut Conn,
    letter: LetterId,
    category: i64,
) -> Result<(Option<LetterState>, Option<Timestamp>, bool), StoreError> {
    let row = sqlx::query(concat!(
        "SELECT l.state, l.closes_at,
                EXISTS (SELECT 1 FROM letter_categories c WHERE c.id = $1 AND c.letter_id = l.id)
                    AS has_category
         FROM letters l WHERE l.id = $2",
        lock!(FOR SHARE OF l)
    ))
    .bind(category)
    .bind(letter.0)
    .fetch_optional(conn)
    .await
    .ctx("reading a letter's state")?;
    match row {
        None => Ok((None, None, false)),
        Some(row) => {
            let state: String = row.try_get("state").ctx("reading a letter")?;
            let closes_at: Option<i64> = row.try_get("closes_at").ctx("reading a letter")?;
            let has: bool = row.try_get("has_category").ctx("reading a letter")?;
            Ok((Some(parse_stored(&state, "letter state")?), closes_at, has))
        }
    }
}

/// Inserts a signature whose personal fields `sealed` holds (sealed once per command, for
/// every row that stores them).
#[allow(clippy::too_many_arguments)]
async fn insert_signature(
    conn: &mut Conn,
    keys: &Keyring,
    letter: LetterId,
    sig: &undersigned_core::signature::NewSignature,
    sealed: &SealedSigner,
    duplicate_key: &[u8],
    state: SignatureState,
    now: Timestamp,
    organisation: bool,
    updates: bool,
    lang: Option<&str>,
) -> Result<Option<SignatureId>, StoreError> {
    let published = (state == SignatureState::Published).then_some(now);
    // When another process's batch has inserted the same address and not committed yet,
    // this waits for it, then does nothing (or inserts, if that batch rolled back). Emails
    // are counted afterwards, by `note_email`, as for a signature that existed.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO signatures (letter_id, category_id, name, title, affiliation, city, country,
                                 comment, email, email_hash, display_level, state, created_at,
                                 confirmed_at, published_at, show_city, kind, updates, lang,
                                 version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, (SELECT text_version FROM letters WHERE id = $1))
         ON CONFLICT (letter_id, email_hash) DO NOTHING
         RETURNING id",
    )
    .bind(letter.0)
    .bind(sig.category_id)
    .bind(&sealed.name)
    .bind(&sealed.title)
    .bind(&sealed.affiliation)
    .bind(&sealed.city)
    .bind(&sealed.country)
    .bind(&sealed.comment)
    .bind(keys.seal(Field::Email, &sig.email.to_string()))
    .bind(duplicate_key)
    .bind(sig.display.as_str())
    .bind(state.as_str())
    .bind(now)
    .bind(published)
    .bind(published)
    .bind(i64::from(sig.details.show_city))
    .bind(if organisation {
        "organisation"
    } else {
        "individual"
    })
    .bind(i64::from(updates))
    .bind(keys.seal_optional(Field::Lang, lang))
    .fetch_optional(conn)
    .await
    .ctx("saving a signature")?;
    Ok(id.map(SignatureId))
}

/// What a repeat sign-up inserts where a first one inserts its signature: a row of the same
/// size in a table indexed alike, so that both cost the same (see migration 0010).
async fn insert_decoy(
    conn: &mut Conn,
    keys: &Keyring,
    command: &SignCommand,
) -> Result<(), StoreError> {
    let sig = &command.signature;
    sqlx::query(
        "INSERT INTO signing_decoys (letter_id, category_id, email_hash, payload, state,
                                     created_at)
         VALUES ($1, $2, $3, $4, 'pending', $5)",
    )
    .bind(command.letter.0)
    .bind(sig.category_id)
    .bind(&command.duplicate_key.0[..])
    .bind(vec![0u8; decoy_len(keys, command)])
    .bind(command.now)
    .execute(conn)
    .await
    .ctx("saving a signature")?;
    Ok(())
}

/// The size of a repeat sign-up's stand-in: what its sealed fields take (each sealed value is
/// its text and a fixed overhead). The sealing itself was paid for already, by the insert
/// that found the signature.
pub(super) fn decoy_len(keys: &Keyring, command: &SignCommand) -> usize {
    let sig = &command.signature;
    let details = &sig.details;
    [
        Some(sig.name.as_str()),
        details.title.as_deref(),
        details.affiliation.as_deref(),
        details.city.as_deref(),
        details.country.as_deref(),
        details.comment.as_deref(),
        Some(&*sig.email.to_string()),
        command.lang.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(|text| keys.sealed_len(text))
    .sum::<usize>()
}

/// Stores a confirmation link with the submission it was sent for.
async fn insert_token(
    conn: &mut Conn,
    sealed: &SealedSigner,
    signature: SignatureId,
    command: &SignCommand,
) -> Result<(), StoreError> {
    let sig = &command.signature;
    sqlx::query(
        "INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at,
             category_id, name, title, affiliation, city, country, comment, display_level,
             show_city)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&command.token_hash[..])
    .bind(signature.0)
    .bind(command.now)
    .bind(command.token_expires_at)
    .bind(sig.category_id)
    .bind(&sealed.name)
    .bind(&sealed.title)
    .bind(&sealed.affiliation)
    .bind(&sealed.city)
    .bind(&sealed.country)
    .bind(&sealed.comment)
    .bind(sig.display.as_str())
    .bind(i64::from(sig.details.show_city))
    .execute(conn)
    .await
    .ctx("saving a confirmation link")?;
    Ok(())
}

/// Stores a new confirmation link for a pending signature, carrying the submission the
/// signature was made with (sealed values copied as they are), not the request's.
async fn insert_token_for_first_submission(
    conn: &mut Conn,
    signature: SignatureId,
    command: &SignCommand,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at,
             category_id, name, title, affiliation, city, country, comment, display_level,
             show_city)
         SELECT $1, id, $2, $3, category_id, name, title, affiliation, city, country, comment,
                display_level, show_city
         FROM signatures WHERE id = $4",
    )
    .bind(&command.token_hash[..])
    .bind(command.now)
    .bind(command.token_expires_at)
    .bind(signature.0)
    .execute(conn)
    .await
    .ctx("saving a confirmation link")?;
    Ok(())
}

/// The outbox's key for the email `kind` that `command` causes for `signature`: (kind,
/// signature, the request's token) is unique per event, so one event can never queue two
/// emails.
pub(super) fn event_key(kind: EmailKind, signature: SignatureId, command: &SignCommand) -> String {
    let token_prefix: String = command.token_hash[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}:{signature}:{token_prefix}", kind.as_str())
}

/// Queues an email to `recipient`.
async fn enqueue(
    conn: &mut Conn,
    keys: &Keyring,
    kind: EmailKind,
    signature: SignatureId,
    command: &SignCommand,
    recipient: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                             next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(event_key(kind, signature, command))
    .bind(kind.as_str())
    .bind(keys.seal(Field::Recipient, recipient))
    .bind(keys.seal(Field::EmailParams, &command.email_params))
    .bind(command.now)
    .execute(conn)
    .await
    .ctx("queueing an email")?;
    Ok(())
}

/// Records in the outbox, in the place of the email `kind`, that a limit withheld it
/// (`reason` goes in `last_error`): no recipient, no parameters, never sent. An insert
/// like [`enqueue`]'s, so that a withheld email costs what a queued one does; and pending
/// like a queued one, so that the mail worker's claim and update follow it as they follow an
/// email that goes out (the worker records it as failed with its reason, sending nothing):
/// the database is as busy after a withheld email as after a sent one.
async fn withhold(
    conn: &mut Conn,
    kind: EmailKind,
    signature: SignatureId,
    command: &SignCommand,
    reason: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                             next_attempt_at, created_at, last_error)
         VALUES ($1, $2, NULL, NULL, 'pending', 0, $3, $3, $4)",
    )
    .bind(format!("withheld:{}", event_key(kind, signature, command)))
    .bind(kind.as_str())
    .bind(command.now)
    .bind(reason)
    .execute(conn)
    .await
    .ctx("queueing an email")?;
    Ok(())
}

/// A new submission from the same mailbox, sealed: what a withdrawn signature takes when its
/// signer signs again.
struct Resubmission<'a> {
    sealed: &'a SealedSigner,
    signature: &'a undersigned_core::signature::NewSignature,
}

/// Updates a signature after a sign-up, whatever it decided: counts the email when one
/// goes out (`emailed`), and when the signer had withdrawn and is sent a new link
/// (`reopen`), makes the signature pending again (confirming publishes it as a new add
/// entry; the log keeps the old one and its removal). One statement in every case, so that
/// no branch is quicker than another.
async fn note_email(
    conn: &mut Conn,
    signature: SignatureId,
    emailed: bool,
    reopen: bool,
    resubmitted: &Resubmission<'_>,
    updates: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    let sig = resubmitted.signature;
    let sealed = resubmitted.sealed;
    sqlx::query(
        "UPDATE signatures
         SET last_emailed_at = CASE WHEN $1 THEN $2 ELSE last_emailed_at END,
             emails_sent = CASE WHEN $1 THEN emails_sent + 1 ELSE emails_sent END,
             state = CASE WHEN $3 THEN 'pending' ELSE state END,
             log_index = CASE WHEN $3 THEN NULL ELSE log_index END,
             salt = CASE WHEN $3 THEN NULL ELSE salt END,
             confirmed_at = CASE WHEN $3 THEN NULL ELSE confirmed_at END,
             published_at = CASE WHEN $3 THEN NULL ELSE published_at END,
             category_id = CASE WHEN $3 THEN $5 ELSE category_id END,
             name = CASE WHEN $3 THEN $6 ELSE name END,
             title = CASE WHEN $3 THEN $7 ELSE title END,
             affiliation = CASE WHEN $3 THEN $8 ELSE affiliation END,
             city = CASE WHEN $3 THEN $9 ELSE city END,
             country = CASE WHEN $3 THEN $10 ELSE country END,
             comment = CASE WHEN $3 THEN $11 ELSE comment END,
             display_level = CASE WHEN $3 THEN $12 ELSE display_level END,
             show_city = CASE WHEN $3 THEN $13 ELSE show_city END,
             updates = CASE WHEN $14 THEN 1 ELSE updates END
         WHERE id = $4",
    )
    .bind(emailed)
    .bind(now)
    .bind(reopen)
    .bind(signature.0)
    .bind(sig.category_id)
    .bind(&sealed.name)
    .bind(&sealed.title)
    .bind(&sealed.affiliation)
    .bind(&sealed.city)
    .bind(&sealed.country)
    .bind(&sealed.comment)
    .bind(sig.display.as_str())
    .bind(i64::from(sig.details.show_city))
    .bind(updates)
    .execute(conn)
    .await
    .ctx("queueing an email")?;
    Ok(())
}

async fn apply_sign(
    conn: &mut Conn,
    keys: &Keyring,
    command: &SignCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let done = |outcome| Ok((WriteOutcome::Sign(outcome), None));
    match letter_and_category(conn, command.letter, command.signature.category_id).await? {
        (Some(state), closes_at, true) if state.takes_signatures(closes_at, command.now) => {}
        (Some(LetterState::Open), _, false) => return Err(StoreError::NotFound),
        _ => return done(SignOutcome::LetterNotOpen),
    }
    // From here on every branch (a new signer, a repeat one, pending or confirmed, throttled
    // or over budget) runs the same statements and writes the same tables: a signature row,
    // the recipient's budget, the outbox (an email, or the record that one was withheld),
    // and the confirmation links (one new link each time, a link nobody is sent when no
    // email goes out). So the response time says nothing about whether, or how recently, an
    // address signed.
    let key = command.duplicate_key.0;
    // Sealed once, for the signature, its link and a re-signing after withdrawal alike.
    let sealed = SealedSigner::new(
        keys,
        command.signature.name.as_str(),
        &command.signature.details,
    );
    let inserted = insert_signature(
        conn,
        keys,
        command.letter,
        &command.signature,
        &sealed,
        &key,
        SignatureState::Pending,
        command.now,
        command.organisation.is_some(),
        command.updates,
        command.lang.as_deref(),
    )
    .await?;
    match (inserted, &command.organisation) {
        (None, _) => insert_decoy(conn, keys, command).await?,
        (Some(id), Some(organisation)) => insert_organisation(conn, id, organisation).await?,
        (Some(_), None) => {}
    }

    // The signature as it now stands: the one just inserted, or the one the same mailbox
    // made before. The page says the same either way; only the email differs. A new
    // submission never changes what a signature will publish: a confirmed one is left as it
    // is, and a pending one gets a new link for the submission it was first made with
    // (whoever posts the form again, with whatever values). Someone who gets a link for a
    // submission that is not theirs discards it on the confirmation page.
    //
    // The row is locked until the batch commits: two processes signing with the same
    // address at once read the email backoff one after the other, so at most one of them
    // emails, and a confirmation in between is seen.
    let row = sqlx::query(concat!(
        "SELECT id, state, last_emailed_at, emails_sent, email FROM signatures
         WHERE letter_id = $1 AND email_hash = $2",
        lock!(FOR UPDATE)
    ))
    .bind(command.letter.0)
    .bind(&key[..])
    .fetch_one(&mut *conn)
    .await
    .ctx("finding an earlier signature")?;
    // An organisation's earlier signature (found by its website's domain) was made from
    // another address, perhaps: its emails go to the address that signed first, never to
    // the new one, which learns nothing it would not learn from an individual's duplicate.
    let recipient = match (&command.organisation, inserted) {
        (Some(_), None) => personal::open(keys, &row, "email", Field::Email)?,
        _ => command.signature.email.to_string(),
    };
    let id = SignatureId(row.try_get("id").ctx("reading a signature")?);
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let state = parse_stored::<SignatureState>(&state, "signature state")?;
    let last_emailed: Option<i64> = row.try_get("last_emailed_at").ctx("reading a signature")?;
    let emails_sent: i64 = row.try_get("emails_sent").ctx("reading a signature")?;

    // Someone who withdrew may sign again: the signature is pending once more, and
    // confirming publishes it as a new add entry. A signature a moderator hid or rejected
    // stays as it is.
    let kind = match state {
        SignatureState::Pending | SignatureState::Withdrawn => EmailKind::Confirm,
        _ => EmailKind::AlreadySigned,
    };
    let backoff_allows = may_email_again(last_emailed, emails_sent, command.now);
    let budget_allows = spend_budget(conn, command, backoff_allows).await?;
    let emailed = backoff_allows && budget_allows;
    let reopen = emailed && state == SignatureState::Withdrawn;
    // A signer who withdrew and signs again starts a new submission: the signature takes
    // its values (in the same statement, whichever branch this is).
    let resubmitted = Resubmission {
        sealed: &sealed,
        signature: &command.signature,
    };
    note_email(
        conn,
        id,
        emailed,
        reopen,
        &resubmitted,
        command.updates,
        command.now,
    )
    .await?;
    // An organisation that withdrew and signs again does so as it is now (its name, website
    // and logo as submitted), and is verified again when it confirms (by its domain, or by
    // an organiser); a pin is not carried over.
    if let (true, Some(organisation)) = (reopen, &command.organisation) {
        sqlx::query(
            "UPDATE signature_organisations
             SET name = $1, website = $2, logo = $3, verified = NULL, verified_at = NULL,
                 verified_by = NULL, pinned_at = NULL
             WHERE signature_id = $4",
        )
        .bind(&organisation.name)
        .bind(&organisation.website)
        .bind(organisation.logo.as_ref().map(ToString::to_string))
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .ctx("signing again for an organisation")?;
    }
    if !emailed {
        insert_token_for_first_submission(conn, id, command).await?;
        let (reason, outcome) = if backoff_allows {
            ("over_budget", SignOutcome::OverBudget)
        } else {
            ("throttled", SignOutcome::EmailThrottled)
        };
        withhold(conn, kind, id, command, reason).await?;
        return done(outcome);
    }
    match kind {
        EmailKind::Confirm => {
            if inserted.is_none() && state == SignatureState::Pending {
                insert_token_for_first_submission(conn, id, command).await?;
            } else {
                insert_token(conn, &sealed, id, command).await?;
            }
            enqueue(conn, keys, EmailKind::Confirm, id, command, &recipient).await?;
            done(if inserted.is_some() {
                SignOutcome::Created
            } else {
                SignOutcome::ConfirmationResent
            })
        }
        // Signing never sends a manage link (nor an organiser's email).
        EmailKind::AlreadySigned
        | EmailKind::Manage
        | EmailKind::Invitation
        | EmailKind::PasswordReset
        | EmailKind::Update
        | EmailKind::Delivery
        | EmailKind::FamilyInvitation
        | EmailKind::Reconfirm => {
            insert_token_for_first_submission(conn, id, command).await?;
            enqueue(
                conn,
                keys,
                EmailKind::AlreadySigned,
                id,
                command,
                &recipient,
            )
            .await?;
            done(SignOutcome::AlreadySigned)
        }
    }
}

async fn apply_confirm(
    conn: &mut Conn,
    keys: &Keyring,
    command: &ConfirmCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let done = |outcome, delta| Ok((WriteOutcome::Confirm(outcome), delta));
    // The letter row is share-locked, as in `letter_and_category`.
    let Some(row) = sqlx::query(concat!(
        "SELECT t.signature_id, t.expires_at, t.used_at, t.category_id, s.letter_id,
                s.state AS signature_state, l.state AS letter_state, l.slug, l.title,
                l.closes_at, l.closed_at,
                t.display_level AS link_display, l.batch_minutes, l.moderation,
                o.email_on_domain AS organisation_on_domain
         FROM confirmation_tokens t
         JOIN signatures s ON s.id = t.signature_id
         JOIN letters l ON l.id = s.letter_id
         LEFT JOIN signature_organisations o ON o.signature_id = s.id
         WHERE t.token_hash = $1",
        lock!(FOR SHARE OF l)
    ))
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
    let link_display: String = row.try_get("link_display").ctx("reading a link")?;
    let link_display: DisplayLevel = parse_stored(&link_display, "display level")?;
    let batch: Option<i64> = row.try_get("batch_minutes").ctx("reading a link")?;
    let moderation: String = row.try_get("moderation").ctx("reading a link")?;
    // A letter that holds signatures for review keeps this one out of the log and the
    // counts until a moderator approves it (which publishes it, or hands it to the letter's
    // batch); the salt of its commitment waits with it.
    let review = parse_stored::<Moderation>(&moderation, "moderation")? == Moderation::Review;
    // An organisation's signature is verified by its confirmed address when that is on its
    // website's domain; otherwise it waits for an organiser.
    let organisation: Option<i64> = row
        .try_get("organisation_on_domain")
        .ctx("reading a link")?;
    let unverified = organisation == Some(0);
    let for_review = review || unverified;
    // A sensitive letter holds private and initials signatures until its next batch, so that
    // nobody watching the log can tie this confirmation to an entry.
    let held_until = batch
        .and_then(|m| u32::try_from(m).ok())
        .and_then(BatchMinutes::new)
        .filter(|_| link_display != DisplayLevel::Public && !review)
        .map(|b| b.published_at(command.now));

    if used_at.is_some() || signature_state != SignatureState::Pending {
        return done(ConfirmOutcome::AlreadyUsed { letter }, None);
    }
    if expires_at <= command.now {
        return done(ConfirmOutcome::Expired { letter }, None);
    }
    let closes_at: Option<i64> = row.try_get("closes_at").ctx("reading a link")?;
    let closed_at: Option<i64> = row.try_get("closed_at").ctx("reading a link")?;
    if !letter_state.takes_confirmations(closes_at, closed_at, command.now) {
        return done(ConfirmOutcome::LetterNotOpen { letter }, None);
    }
    // Publish exactly the submission this link was sent for. The state condition makes a
    // concurrent confirmation (another link, another process) count once: under READ
    // COMMITTED this waits for the other transaction, re-reads the row, and changes nothing
    // when it was published meanwhile.
    // A held signature keeps its commitment's salt for the batch that publishes it.
    let published = sqlx::query(
        "UPDATE signatures
         SET state = CASE WHEN $5 THEN 'held' WHEN $3 THEN 'confirmed' ELSE 'published' END,
             confirmed_at = $1, published_at = CASE WHEN $3 OR $5 THEN NULL ELSE $1 END,
             salt = CASE WHEN $3 OR $5 THEN $4 ELSE salt END,
             category_id = t.category_id, name = t.name, title = t.title,
             affiliation = t.affiliation, city = t.city, country = t.country,
             comment = t.comment, display_level = t.display_level, show_city = t.show_city
         FROM (SELECT * FROM confirmation_tokens WHERE token_hash = $2) AS t
         WHERE signatures.id = t.signature_id AND signatures.state = 'pending'",
    )
    .bind(command.now)
    .bind(&command.token_hash[..])
    .bind(held_until.is_some())
    .bind(&command.salt[..])
    .bind(for_review)
    .execute(&mut *conn)
    .await
    .ctx("confirming a signature")?;
    if published.rows_affected() != 1 {
        return done(ConfirmOutcome::AlreadyUsed { letter }, None);
    }
    // Every link sent for this signature is spent now.
    sqlx::query(
        "UPDATE confirmation_tokens SET used_at = $1 WHERE signature_id = $2 AND used_at IS NULL",
    )
    .bind(command.now)
    .bind(signature.0)
    .execute(&mut *conn)
    .await
    .ctx("confirming a signature")?;
    if organisation.is_some() && !unverified {
        sqlx::query(
            "UPDATE signature_organisations SET verified = 'domain', verified_at = $1
             WHERE signature_id = $2",
        )
        .bind(command.now)
        .bind(signature.0)
        .execute(&mut *conn)
        .await
        .ctx("verifying an organisation")?;
    }
    if unverified {
        return done(
            ConfirmOutcome::HeldForVerification { letter, signature },
            None,
        );
    }
    if review {
        return done(ConfirmOutcome::HeldForReview { letter, signature }, None);
    }
    if let Some(publish_at) = held_until {
        return done(
            ConfirmOutcome::Held {
                letter,
                signature,
                publish_at,
            },
            None,
        );
    }
    let logged = published_entry(conn, keys, signature, command.now, &command.salt).await?;
    debug_assert_eq!(logged.category, category);
    done(
        // The entry's index is known once the batch's entries are appended (`apply_all`).
        ConfirmOutcome::Confirmed {
            letter,
            signature,
            index: 0,
        },
        Some(logged),
    )
}

/// Deletes a pending signature, its links and the submission they carry, at the request of
/// whoever holds one of its links (the mailbox's owner): nothing of it is published or kept.
async fn apply_discard(
    conn: &mut Conn,
    command: &DiscardCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let done = |outcome| Ok((WriteOutcome::Discard(outcome), None));
    let Some(row) = sqlx::query(concat!(
        "SELECT t.signature_id, t.used_at, s.state, l.id AS letter_id, l.slug, l.title
         FROM confirmation_tokens t
         JOIN signatures s ON s.id = t.signature_id
         JOIN letters l ON l.id = s.letter_id
         WHERE t.token_hash = $1",
        lock!(FOR UPDATE OF s)
    ))
    .bind(&command.token_hash[..])
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a confirmation link")?
    else {
        return done(DiscardOutcome::UnknownToken);
    };
    let letter = LetterRef {
        id: LetterId(row.try_get("letter_id").ctx("reading a link")?),
        slug: row.try_get("slug").ctx("reading a link")?,
        title: row.try_get("title").ctx("reading a link")?,
    };
    let signature: i64 = row.try_get("signature_id").ctx("reading a link")?;
    let used_at: Option<i64> = row.try_get("used_at").ctx("reading a link")?;
    let state: String = row.try_get("state").ctx("reading a link")?;
    if used_at.is_some()
        || parse_stored::<SignatureState>(&state, "signature state")? != SignatureState::Pending
    {
        return done(DiscardOutcome::NotPending { letter });
    }
    // Its links go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM signatures WHERE id = $1 AND state = 'pending'")
        .bind(signature)
        .execute(&mut *conn)
        .await
        .ctx("discarding a signature")?;
    done(DiscardOutcome::Discarded { letter })
}

/// Publishes a sensitive letter's held signatures confirmed before `release.before` (a batch
/// boundary), in an order drawn at random, every entry with the boundary as its time: an
/// observer sees a batch of entries at once and cannot tell who confirmed when.
async fn apply_release(
    conn: &mut Conn,
    keys: &Keyring,
    release: &ReleaseCommand,
) -> Result<(WriteOutcome, Vec<PendingEntry>), StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT id, salt FROM signatures
         WHERE letter_id = $1 AND state = 'confirmed' AND confirmed_at < $2",
        lock!(FOR UPDATE)
    ))
    .bind(release.letter.0)
    .bind(release.before)
    .fetch_all(&mut *conn)
    .await
    .ctx("reading held signatures")?;
    let mut held = Vec::with_capacity(rows.len());
    for row in rows {
        let id = SignatureId(row.try_get("id").ctx("reading a held signature")?);
        let salt: Option<Vec<u8>> = row.try_get("salt").ctx("reading a held signature")?;
        let salt: Hash32 = salt
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("held signature {id} without a salt")))?;
        held.push((id, salt));
    }
    shuffle(&mut held)?;
    let mut entries = Vec::with_capacity(held.len());
    for (id, salt) in &held {
        sqlx::query("UPDATE signatures SET state = 'published', published_at = $1 WHERE id = $2")
            .bind(release.before)
            .bind(id.0)
            .execute(&mut *conn)
            .await
            .ctx("publishing a held signature")?;
        entries.push(published_entry(conn, keys, *id, release.before, salt).await?);
    }
    Ok((
        WriteOutcome::Released {
            letter: release.letter,
            published: held.len() as u64,
        },
        entries,
    ))
}

/// Puts `items` in an order drawn from the operating system's randomness (Fisher-Yates).
fn shuffle<T>(items: &mut [T]) -> Result<(), StoreError> {
    for i in (1..items.len()).rev() {
        let draw = getrandom::u64()
            .map_err(|e| StoreError::Corrupt(format!("no randomness to shuffle with: {e}")))?;
        let j = usize::try_from(draw % (i as u64 + 1)).unwrap_or(0);
        items.swap(i, j);
    }
    Ok(())
}

async fn apply_import(
    conn: &mut Conn,
    keys: &Keyring,
    command: &ImportCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    match letter_and_category(conn, command.letter, command.signature.category_id).await? {
        (None, _, _) | (_, _, false) => return Err(StoreError::NotFound),
        (Some(LetterState::Draft), _, _) => {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: LetterState::Draft.to_string(),
            });
        }
        (Some(_), _, true) => {}
    }
    let sealed = SealedSigner::new(
        keys,
        command.signature.name.as_str(),
        &command.signature.details,
    );
    let inserted = insert_signature(
        conn,
        keys,
        command.letter,
        &command.signature,
        &sealed,
        &command.duplicate_key.0,
        SignatureState::Published,
        command.now,
        command.organisation.is_some(),
        // Imported signers never asked for updates here, nor chose a language.
        false,
        None,
    )
    .await?;
    if let (Some(id), Some(organisation)) = (inserted, &command.organisation) {
        insert_organisation(conn, id, organisation).await?;
        sqlx::query(
            "UPDATE signature_organisations SET verified = $1, verified_at = $2
             WHERE signature_id = $3",
        )
        .bind(if organisation.email_on_domain {
            Verification::Domain.as_str()
        } else {
            Verification::Organiser.as_str()
        })
        .bind(command.now)
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .ctx("verifying an imported organisation")?;
    }
    let outcome = WriteOutcome::Imported {
        letter: command.letter,
        duplicate: inserted.is_none(),
    };
    let logged = match inserted {
        Some(id) => Some(published_entry(conn, keys, id, command.now, &command.salt).await?),
        None => None,
    };
    Ok((outcome, logged))
}

/// Gives the signatures published before logs existed (migration 0002) their add entries,
/// letter by letter in the order they were published, in one transaction on `conn`. The
/// counts already include them, so they do not move. Processes that start together take
/// turns (the dialect's lock); the later ones find nothing left. Returns how many were
/// logged.
pub(crate) async fn backfill_logs(conn: &mut Conn, keys: &Keyring) -> Result<usize, StoreError> {
    let missing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM signatures WHERE state = 'published' AND log_index IS NULL",
    )
    .fetch_one(&mut *conn)
    .await
    .ctx("looking for signatures to log")?;
    if missing == 0 {
        return Ok(0);
    }
    let mut tx = sqlx::Connection::begin_with(&mut *conn, DIALECT.begin_write)
        .await
        .ctx("starting the logs' backfill")?;
    if let Some(lock) = DIALECT.backfill_lock {
        sqlx::query(lock)
            .execute(&mut *tx)
            .await
            .ctx("waiting for another process's backfill")?;
    }
    let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT id, COALESCE(published_at, confirmed_at, created_at), email_hash
         FROM signatures WHERE state = 'published' AND log_index IS NULL
         ORDER BY letter_id, published_at, id",
    )
    .fetch_all(&mut *tx)
    .await
    .ctx("reading signatures to log")?;
    let mut pending = Vec::with_capacity(rows.len());
    for (id, published_at, email_hash) in rows {
        let id = SignatureId(id);
        let salt = backfill_salt(&email_hash, id);
        pending.push(published_entry(&mut tx, keys, id, published_at, &salt).await?);
    }
    let logged = pending.len();
    for (letter, entries) in by_letter(pending) {
        append(&mut tx, letter, &entries).await?;
    }
    tx.commit().await.ctx("committing the logs' backfill")?;
    Ok(logged)
}

/// The add entry for a signature that has just been published, from its stored row.
async fn published_entry(
    conn: &mut Conn,
    keys: &Keyring,
    signature: SignatureId,
    now: Timestamp,
    salt: &Hash32,
) -> Result<PendingEntry, StoreError> {
    let row = sqlx::query(published!(" WHERE s.id = $1"))
        .bind(signature.0)
        .fetch_one(&mut *conn)
        .await
        .ctx("reading a published signature")?;
    published_from(keys, &row, signature, now, salt)
}

/// The add entry of `signature`, just published at `now`, from its [`published!`] row.
pub(super) fn published_from(
    keys: &Keyring,
    row: &DbRow,
    signature: SignatureId,
    now: Timestamp,
    salt: &Hash32,
) -> Result<PendingEntry, StoreError> {
    let display: String = row.try_get("display_level").ctx("reading a signature")?;
    let name = personal::open(keys, row, "name", Field::Name)?;
    let email = personal::open(keys, row, "email", Field::Email)?;
    let category_name: String = row.try_get("category").ctx("reading a signature")?;
    let details = personal::details(keys, row)?;
    let organisation: Option<String> = row.try_get("organisation").ctx("reading a signature")?;
    let verified: Option<String> = row.try_get("verified").ctx("reading a signature")?;
    let verified = verified
        .map(|v| parse_stored::<Verification>(&v, "verification"))
        .transpose()?;
    let display: DisplayLevel = parse_stored(&display, "display level")?;
    let (data, opening) = add_entry(&Published {
        version: log_version(row.try_get("log_version").ctx("reading a signature")?)?,
        now,
        category: &category_name,
        display,
        name: &name,
        details: &details,
        email: &email,
        salt,
        organisation: organisation.as_deref().map(|name| (name, verified)),
    })?;
    Ok(PendingEntry {
        letter: LetterId(row.try_get("letter_id").ctx("reading a signature")?),
        category: CategoryId(row.try_get("category_id").ctx("reading a signature")?),
        delta: 1,
        withheld: display == DisplayLevel::Private,
        awaiting: row.try_get("awaiting").ctx("reading a signature")?,
        signature: Some((signature, *salt)),
        data,
        opening,
    })
}

/// A published signature as its removal or change needs it: its add entry's index, category
/// and display level, its letter's workspace and log format.
struct Shown {
    index: i64,
    category: CategoryId,
    display: DisplayLevel,
    /// Signed on a version older than the last change of substance, not re-confirmed.
    awaiting: bool,
    workspace: WorkspaceId,
    version: LogVersion,
}

/// Locks `signature` of `letter` until the batch commits (so that two removals or changes,
/// from two processes, cannot both count) and reads it; it must be published.
async fn lock_published(
    conn: &mut Conn,
    letter: LetterId,
    signature: SignatureId,
) -> Result<Shown, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT s.state, s.log_index, s.category_id, s.display_level, l.workspace_id,
                l.log_version, ",
        awaiting!(),
        "
         FROM signatures s JOIN letters l ON l.id = s.letter_id
         WHERE s.id = $1 AND s.letter_id = $2",
        lock!(FOR UPDATE OF s)
    ))
    .bind(signature.0)
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a signature")?
    .ok_or(StoreError::NotFound)?;
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let index: Option<i64> = row.try_get("log_index").ctx("reading a signature")?;
    let display: String = row.try_get("display_level").ctx("reading a signature")?;
    let (Some(index), SignatureState::Published) = (
        index,
        parse_stored::<SignatureState>(&state, "signature state")?,
    ) else {
        return Err(StoreError::WrongState {
            what: "signature",
            actual: state,
        });
    };
    Ok(Shown {
        index,
        category: CategoryId(row.try_get("category_id").ctx("reading a signature")?),
        display: parse_stored(&display, "display level")?,
        awaiting: row.try_get("awaiting").ctx("reading a signature")?,
        workspace: WorkspaceId(row.try_get("workspace_id").ctx("reading a signature")?),
        version: log_version(row.try_get("log_version").ctx("reading a signature")?)?,
    })
}

/// A published signature leaves the public count: its state changes, a remove entry naming
/// its add entry goes into the log, and what the page showed of the signer is deleted: the
/// opening of its entry (format 2), and the name, details and comment of the signature and
/// of every submission its links carried. The organisers keep the address (who signed) and
/// the category; the log keeps only commitments. The row is locked, so that two removals
/// (from two processes) cannot both count.
async fn apply_remove(
    conn: &mut Conn,
    command: &RemoveCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let Shown {
        index,
        category,
        display,
        awaiting,
        workspace,
        version,
    } = lock_published(conn, command.letter, command.signature).await?;
    let new_state = match command.reason {
        RemovalReason::Withdrawn => SignatureState::Withdrawn,
        RemovalReason::Hidden => SignatureState::Hidden,
        RemovalReason::Rejected => SignatureState::Rejected,
    };
    sqlx::query(
        "UPDATE signatures SET state = $1, name = '', title = NULL, affiliation = NULL,
             city = NULL, country = NULL, comment = NULL,
             updates = CASE WHEN $1 = 'withdrawn' THEN 0 ELSE updates END
         WHERE id = $2 AND state = 'published'",
    )
    .bind(new_state.as_str())
    .bind(command.signature.0)
    .execute(&mut *conn)
    .await
    .ctx("removing a signature")?;
    erase_text(conn, command.letter, command.signature, index).await?;
    super::moderation::audit_letter(
        conn,
        command.actor,
        Some(workspace),
        command.letter,
        &format!("signature.{}", command.reason.as_str()),
        &format!("signature {}", command.signature),
        &format!("log entry {index}"),
        None,
        command.now,
    )
    .await?;
    let index = u64::try_from(index).map_err(|_| StoreError::Corrupt("a log index".into()))?;
    Ok((
        WriteOutcome::Removed {
            letter: command.letter,
        },
        Some(PendingEntry {
            letter: command.letter,
            category,
            delta: -1,
            withheld: display == DisplayLevel::Private,
            awaiting,
            signature: None,
            data: remove_entry(version, command.now, index, command.reason),
            opening: None,
        }),
    ))
}

/// Deletes what a removed signature showed, beside its signature row: the opening of its
/// add entry at `index`, and the text of every submission its confirmation links carried.
async fn erase_text(
    conn: &mut Conn,
    letter: LetterId,
    signature: SignatureId,
    index: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM log_openings WHERE letter_id = $1 AND idx = $2")
        .bind(letter.0)
        .bind(index)
        .execute(&mut *conn)
        .await
        .ctx("removing a signature")?;
    sqlx::query(
        "UPDATE confirmation_tokens SET name = '', title = NULL, affiliation = NULL,
             city = NULL, country = NULL, comment = NULL
         WHERE signature_id = $1",
    )
    .bind(signature.0)
    .execute(&mut *conn)
    .await
    .ctx("removing a signature")?;
    Ok(())
}

/// A published signer changes how they are shown, in one command: a remove entry (reason
/// `withdrawn`) naming the old add entry, then a new add entry at the new level, with a new
/// salt. The counts do not move (-1 and +1 in the same category), the log is only appended
/// to, and the old entry's opening (what the page showed) is deleted. The submissions its
/// links carried are kept: the signature is still on the letter.
///
/// Why `withdrawn` and no reason of its own: a reason `changed` would tell anyone reading
/// the log that the removed entry and the next add are the same person, and so link a name
/// someone saved before to a signer who chose to be private since. With `withdrawn` the
/// log reads as a withdrawal and a signature, which is what it is to an outsider.
async fn apply_change_display(
    conn: &mut Conn,
    keys: &Keyring,
    command: &ChangeDisplayCommand,
) -> Result<(WriteOutcome, Vec<PendingEntry>), StoreError> {
    let Shown {
        index,
        category,
        display,
        awaiting,
        workspace,
        version,
    } = lock_published(conn, command.letter, command.signature).await?;
    if display == command.display {
        return Ok((
            WriteOutcome::DisplayUnchanged {
                letter: command.letter,
            },
            Vec::new(),
        ));
    }
    sqlx::query("UPDATE signatures SET display_level = $1 WHERE id = $2 AND state = 'published'")
        .bind(command.display.as_str())
        .bind(command.signature.0)
        .execute(&mut *conn)
        .await
        .ctx("changing how a signature is shown")?;
    sqlx::query("DELETE FROM log_openings WHERE letter_id = $1 AND idx = $2")
        .bind(command.letter.0)
        .bind(index)
        .execute(&mut *conn)
        .await
        .ctx("changing how a signature is shown")?;
    super::moderation::audit_letter(
        conn,
        None,
        Some(workspace),
        command.letter,
        "signature.display_changed",
        &format!("signature {}", command.signature),
        &format!("log entry {index}, now {}", command.display.as_str()),
        None,
        command.now,
    )
    .await?;
    let old = u64::try_from(index).map_err(|_| StoreError::Corrupt("a log index".into()))?;
    let removal = PendingEntry {
        letter: command.letter,
        category,
        delta: -1,
        withheld: display == DisplayLevel::Private,
        awaiting,
        signature: None,
        data: remove_entry(version, command.now, old, RemovalReason::Withdrawn),
        opening: None,
    };
    // Read back from the updated row, as when it was first published.
    let added = published_entry(conn, keys, command.signature, command.now, &command.salt).await?;
    Ok((
        WriteOutcome::DisplayChanged {
            letter: command.letter,
        },
        vec![removal, added],
    ))
}

/// "Lost your link?". Every branch (a published signature, a pending one, none, and any of
/// them held back by the signature's backoff or the recipient's budget) runs the same
/// statements on the same tables: the signature looked up and locked, the recipient's
/// budget counted, the signature's email count updated (no row when there is none), a
/// link stored or looked up, and an outbox row (the email, or the record that none went).
/// So neither the page nor the time it takes says whether the address signed.
async fn apply_request_link(
    conn: &mut Conn,
    keys: &Keyring,
    command: &RequestLinkCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let done = |outcome| Ok((WriteOutcome::LinkRequested(outcome), None));
    let key = command.duplicate_key.0;
    let row = sqlx::query(concat!(
        "SELECT id, state, last_emailed_at, emails_sent, email, kind FROM signatures
         WHERE letter_id = $1 AND email_hash = $2",
        lock!(FOR UPDATE)
    ))
    .bind(command.letter.0)
    .bind(&key[..])
    .fetch_optional(&mut *conn)
    .await
    .ctx("finding a signature")?;
    // An organisation's signature is found by its website's domain: it is the asker's only
    // when the address that signed for it is theirs. Every found row's address is opened,
    // so that both cases cost the same.
    let row = match row {
        Some(row) => {
            let signer = personal::open(keys, &row, "email", Field::Email)?;
            let kind: String = row.try_get("kind").ctx("reading a signature")?;
            let theirs = if command.for_organisation {
                kind == "organisation" && signer.eq_ignore_ascii_case(&command.email.to_string())
            } else {
                kind != "organisation"
            };
            theirs.then_some(row)
        }
        None => None,
    };
    let mut found = None;
    if let Some(row) = row {
        let id = SignatureId(row.try_get("id").ctx("reading a signature")?);
        let state: String = row.try_get("state").ctx("reading a signature")?;
        let last: Option<i64> = row.try_get("last_emailed_at").ctx("reading a signature")?;
        let sent: i64 = row.try_get("emails_sent").ctx("reading a signature")?;
        found = Some((
            id,
            parse_stored::<SignatureState>(&state, "signature state")?,
            last,
            sent,
        ));
    }
    let serves = found.and_then(|(id, state, last, sent)| {
        let kind = match state {
            SignatureState::Published => EmailKind::Manage,
            SignatureState::Pending if command.letter_open => EmailKind::Confirm,
            _ => return None,
        };
        Some((id, kind, may_email_again(last, sent, command.now)))
    });
    let backoff_allows = serves.is_some_and(|(_, _, allows)| allows);
    let budget_allows = spend_recipient_budget(
        conn,
        &command.recipient_key,
        command.now,
        command.mail_limits,
        backoff_allows,
    )
    .await?;
    let emailed = backoff_allows && budget_allows;
    sqlx::query(
        "UPDATE signatures
         SET last_emailed_at = CASE WHEN $1 THEN $2 ELSE last_emailed_at END,
             emails_sent = CASE WHEN $1 THEN emails_sent + 1 ELSE emails_sent END
         WHERE letter_id = $3 AND email_hash = $4",
    )
    .bind(emailed)
    .bind(command.now)
    .bind(command.letter.0)
    .bind(&key[..])
    .execute(&mut *conn)
    .await
    .ctx("queueing an email")?;
    let token_prefix: String = command.token_hash[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (signature, kind) = match serves {
        Some((id, kind, _)) if emailed => (id, kind),
        _ => {
            // No link: look the (fresh, so never stored) token up in the place of storing
            // it, and record in the outbox that nothing went, without a recipient.
            let _: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM manage_tokens WHERE token_hash = $1")
                    .bind(&command.token_hash[..])
                    .fetch_one(&mut *conn)
                    .await
                    .ctx("saving a link")?;
            let (kind, reason, outcome) = match serves {
                Some((_, kind, _)) => (kind, "throttled_or_over_budget", LinkOutcome::Withheld),
                None => (EmailKind::Manage, "no_signature", LinkOutcome::NoSignature),
            };
            sqlx::query(
                "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                                     next_attempt_at, created_at, last_error)
                 VALUES ($1, $2, NULL, NULL, 'pending', 0, $3, $3, $4)",
            )
            .bind(format!("withheld:link:{}:{token_prefix}", kind.as_str()))
            .bind(kind.as_str())
            .bind(command.now)
            .bind(reason)
            .execute(&mut *conn)
            .await
            .ctx("queueing an email")?;
            return done(outcome);
        }
    };
    let (params, outcome) = match kind {
        EmailKind::Manage => {
            sqlx::query(
                "INSERT INTO manage_tokens (token_hash, signature_id, created_at)
                 VALUES ($1, $2, $3)",
            )
            .bind(&command.token_hash[..])
            .bind(signature.0)
            .bind(command.now)
            .execute(&mut *conn)
            .await
            .ctx("saving a link")?;
            (&command.manage_params, LinkOutcome::ManageLinkSent)
        }
        _ => {
            // The submission the signature was first made with, as a re-post sends.
            sqlx::query(
                "INSERT INTO confirmation_tokens (token_hash, signature_id, created_at,
                     expires_at, category_id, name, title, affiliation, city, country,
                     comment, display_level, show_city)
                 SELECT $1, id, $2, $3, category_id, name, title, affiliation, city, country,
                        comment, display_level, show_city
                 FROM signatures WHERE id = $4",
            )
            .bind(&command.token_hash[..])
            .bind(command.now)
            .bind(command.token_expires_at)
            .bind(signature.0)
            .execute(&mut *conn)
            .await
            .ctx("saving a link")?;
            (&command.confirm_params, LinkOutcome::ConfirmationResent)
        }
    };
    sqlx::query(
        "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                             next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(format!("link:{}:{signature}:{token_prefix}", kind.as_str()))
    .bind(kind.as_str())
    .bind(keys.seal(Field::Recipient, &command.email.to_string()))
    .bind(keys.seal(Field::EmailParams, params))
    .bind(command.now)
    .execute(&mut *conn)
    .await
    .ctx("queueing an email")?;
    done(outcome)
}

/// A signature as a moderator's action needs it, locked until the batch commits (so that
/// two moderators, or a moderator and the signer, cannot both act on it).
struct Moderated {
    state: SignatureState,
    index: Option<i64>,
    category: CategoryId,
    display: DisplayLevel,
    /// Signed on a version older than the last change of substance, not re-confirmed.
    awaiting: bool,
    undo_until: Option<Timestamp>,
    workspace: WorkspaceId,
    version: LogVersion,
    batch: Option<BatchMinutes>,
    /// The letter's signers' personal data was erased (retention): nothing to publish.
    erased: bool,
    /// An organisation's signature that nobody verified yet.
    unverified: bool,
}

async fn lock_for_moderation(
    conn: &mut Conn,
    letter: LetterId,
    signature: SignatureId,
) -> Result<Moderated, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT s.state, s.log_index, s.category_id, s.display_level, s.undo_until,
                l.workspace_id, l.log_version, l.batch_minutes, ",
        awaiting!(),
        ",
                EXISTS (SELECT 1 FROM letter_erasures e WHERE e.letter_id = l.id) AS erased,
                EXISTS (SELECT 1 FROM signature_organisations o
                        WHERE o.signature_id = s.id AND o.verified IS NULL) AS unverified
         FROM signatures s JOIN letters l ON l.id = s.letter_id
         WHERE s.id = $1 AND s.letter_id = $2",
        lock!(FOR UPDATE OF s)
    ))
    .bind(signature.0)
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a signature")?
    .ok_or(StoreError::NotFound)?;
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let display: String = row.try_get("display_level").ctx("reading a signature")?;
    let batch: Option<i64> = row.try_get("batch_minutes").ctx("reading a letter")?;
    Ok(Moderated {
        state: parse_stored(&state, "signature state")?,
        index: row.try_get("log_index").ctx("reading a signature")?,
        category: CategoryId(row.try_get("category_id").ctx("reading a signature")?),
        display: parse_stored(&display, "display level")?,
        awaiting: row.try_get("awaiting").ctx("reading a signature")?,
        undo_until: row.try_get("undo_until").ctx("reading a signature")?,
        workspace: WorkspaceId(row.try_get("workspace_id").ctx("reading a letter")?),
        version: log_version(row.try_get("log_version").ctx("reading a letter")?)?,
        batch: batch
            .and_then(|m| u32::try_from(m).ok())
            .and_then(BatchMinutes::new),
        erased: row.try_get("erased").ctx("reading a letter")?,
        unverified: row.try_get("unverified").ctx("reading a signature")?,
    })
}

/// A moderator's action on one signature. Each publishes or removes through the log like
/// any other change (an add entry counted, or a remove entry naming the add entry), in the
/// batch's transaction, with its audit event.
///
/// Hiding and privacy (DESIGN invariant 3): a hide deletes the public opening at once (the
/// name is gone from every public surface, and the log holds only a commitment), but keeps
/// the signer's sealed text on the signature's row, for the organisers' undo, until
/// `undo_until` (the `hide_undo_days` setting, 7 days by default). The hourly retention job
/// then erases that text (`erase_expired_hides`) and the hide can no longer be undone. An
/// undo publishes a new add entry with a fresh salt and opening; the log never rewrites.
/// A rejection erases the signer's text at once, as a withdrawal does.
async fn apply_moderate(
    conn: &mut Conn,
    keys: &Keyring,
    command: &ModerateCommand,
) -> Result<(ModerationOutcome, Option<PendingEntry>), StoreError> {
    let signature = lock_for_moderation(conn, command.letter, command.signature).await?;
    let allowed = match &command.action {
        ModerationAction::Approve => signature.state == SignatureState::Held,
        ModerationAction::Hide { .. } => signature.state == SignatureState::Published,
        ModerationAction::Undo => signature.state == SignatureState::Hidden,
        ModerationAction::Reject(_) => matches!(
            signature.state,
            SignatureState::Held | SignatureState::Published
        ),
    };
    // An organisation nobody verified is published by verifying it (an add entry that
    // says who verified it), never by a plain approval that would publish it unverified.
    if allowed && signature.unverified && command.action == ModerationAction::Approve {
        return Err(StoreError::WrongState {
            what: "organisation",
            actual: "unverified".to_owned(),
        });
    }
    if !allowed || (signature.erased && command.action == ModerationAction::Approve) {
        return Err(StoreError::WrongState {
            what: "signature",
            actual: if signature.erased {
                "erased".to_owned()
            } else {
                signature.state.as_str().to_owned()
            },
        });
    }
    let id = command.signature.0;
    let mut detail = String::new();
    let mut outcome = ModerationOutcome::Done;
    let logged = match &command.action {
        ModerationAction::Approve => {
            // A sensitive letter's private and initials signatures wait for its next batch,
            // as they would have without review.
            if signature.batch.is_some() && signature.display != DisplayLevel::Public {
                sqlx::query(
                    "UPDATE signatures SET state = 'confirmed', salt = $1
                     WHERE id = $2 AND state = 'held'",
                )
                .bind(&command.salt[..])
                .bind(id)
                .execute(&mut *conn)
                .await
                .ctx("approving a signature")?;
                detail.push_str("approved; published with the letter's next batch");
                outcome = ModerationOutcome::ApprovedForBatch;
                None
            } else {
                sqlx::query(
                    "UPDATE signatures SET state = 'published', published_at = $1
                     WHERE id = $2 AND state = 'held'",
                )
                .bind(command.now)
                .bind(id)
                .execute(&mut *conn)
                .await
                .ctx("approving a signature")?;
                detail.push_str("approved and published");
                Some(
                    published_entry(conn, keys, command.signature, command.now, &command.salt)
                        .await?,
                )
            }
        }
        ModerationAction::Undo => {
            if signature.erased
                || signature
                    .undo_until
                    .is_none_or(|until| until <= command.now)
            {
                return Ok((ModerationOutcome::UndoExpired, None));
            }
            sqlx::query(
                "UPDATE signatures SET state = 'published', published_at = $1, undo_until = NULL
                 WHERE id = $2 AND state = 'hidden'",
            )
            .bind(command.now)
            .bind(id)
            .execute(&mut *conn)
            .await
            .ctx("restoring a signature")?;
            let entry =
                published_entry(conn, keys, command.signature, command.now, &command.salt).await?;
            detail.push_str("hide undone: published again under a new add entry");
            Some(entry)
        }
        ModerationAction::Hide { undo_until } => {
            let index = published_index(&signature)?;
            sqlx::query(
                "UPDATE signatures SET state = 'hidden', undo_until = $1
                 WHERE id = $2 AND state = 'published'",
            )
            .bind(undo_until)
            .bind(id)
            .execute(&mut *conn)
            .await
            .ctx("hiding a signature")?;
            // The public opening goes now; the sealed text on the row stays for the undo.
            erase_text(conn, command.letter, command.signature, index).await?;
            detail = format!("log entry {index}; can be undone until {undo_until}");
            Some(removal(command, &signature, index, RemovalReason::Hidden)?)
        }
        ModerationAction::Reject(reason) => {
            let was_published = signature.state == SignatureState::Published;
            sqlx::query(
                "UPDATE signatures SET state = 'rejected', name = '', title = NULL,
                     affiliation = NULL, city = NULL, country = NULL, comment = NULL,
                     moderation_reason = $1, undo_until = NULL,
                     salt = CASE WHEN log_index IS NULL THEN NULL ELSE salt END
                 WHERE id = $2",
            )
            .bind(reason.as_str())
            .bind(id)
            .execute(&mut *conn)
            .await
            .ctx("rejecting a signature")?;
            if was_published {
                let index = published_index(&signature)?;
                erase_text(conn, command.letter, command.signature, index).await?;
                detail = format!("log entry {index}");
                Some(removal(
                    command,
                    &signature,
                    index,
                    RemovalReason::Rejected,
                )?)
            } else {
                sqlx::query(
                    "UPDATE confirmation_tokens SET name = '', title = NULL, affiliation = NULL,
                         city = NULL, country = NULL, comment = NULL
                     WHERE signature_id = $1",
                )
                .bind(id)
                .execute(&mut *conn)
                .await
                .ctx("rejecting a signature")?;
                detail.push_str("rejected while held; never published");
                None
            }
        }
    };
    if command.bulk {
        detail.push_str(" (bulk action)");
    }
    let reason = match &command.action {
        ModerationAction::Reject(reason) => Some(reason.as_str()),
        _ => None,
    };
    super::moderation::audit_letter(
        conn,
        Some(command.actor),
        Some(signature.workspace),
        command.letter,
        &format!("signature.{}", command.action.as_str()),
        &format!("signature {}", command.signature),
        &detail,
        reason,
        command.now,
    )
    .await?;
    Ok((outcome, logged))
}

/// The add entry of a published signature.
fn published_index(signature: &Moderated) -> Result<i64, StoreError> {
    signature
        .index
        .ok_or_else(|| StoreError::Corrupt("a published signature without a log entry".into()))
}

/// The remove entry naming the add entry at `index`.
fn removal(
    command: &ModerateCommand,
    signature: &Moderated,
    index: i64,
    reason: RemovalReason,
) -> Result<PendingEntry, StoreError> {
    let index = u64::try_from(index).map_err(|_| StoreError::Corrupt("a log index".into()))?;
    Ok(PendingEntry {
        letter: command.letter,
        category: signature.category,
        delta: -1,
        withheld: signature.display == DisplayLevel::Private,
        awaiting: signature.awaiting,
        signature: None,
        data: remove_entry(signature.version, command.now, index, reason),
        opening: None,
    })
}

/// Stores the organisation an organisation's new signature is made for.
async fn insert_organisation(
    conn: &mut Conn,
    signature: SignatureId,
    organisation: &Organisation,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signature_organisations (signature_id, name, website, domain,
                                              email_on_domain, logo)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(signature.0)
    .bind(&organisation.name)
    .bind(&organisation.website)
    .bind(organisation.domain.as_str())
    .bind(i64::from(organisation.email_on_domain))
    .bind(organisation.logo.as_ref().map(ToString::to_string))
    .execute(conn)
    .await
    .ctx("saving an organisation")?;
    Ok(())
}

/// An organiser verifies an organisation's held signature: it is published (counted, with
/// an add entry that says `"verified":"organiser"`), and the audit trail says who did it.
/// Only a held organisation signature of an open letter can be verified.
async fn apply_verify_organisation(
    conn: &mut Conn,
    keys: &Keyring,
    command: &VerifyOrganisationCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let row = sqlx::query(concat!(
        "SELECT s.state, s.kind, l.state AS letter_state, l.workspace_id
         FROM signatures s JOIN letters l ON l.id = s.letter_id
         WHERE s.id = $1 AND s.letter_id = $2",
        lock!(FOR UPDATE OF s)
    ))
    .bind(command.signature.0)
    .bind(command.letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a signature")?
    .ok_or(StoreError::NotFound)?;
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let kind: String = row.try_get("kind").ctx("reading a signature")?;
    let letter_state: String = row.try_get("letter_state").ctx("reading a signature")?;
    let workspace = WorkspaceId(row.try_get("workspace_id").ctx("reading a signature")?);
    if kind != "organisation" {
        return Err(StoreError::NotFound);
    }
    if parse_stored::<SignatureState>(&state, "signature state")? != SignatureState::Held {
        return Err(StoreError::WrongState {
            what: "signature",
            actual: state,
        });
    }
    if parse_stored::<LetterState>(&letter_state, "letter state")? != LetterState::Open {
        return Err(StoreError::WrongState {
            what: "letter",
            actual: letter_state,
        });
    }
    sqlx::query(
        "UPDATE signatures SET state = 'published', published_at = $1
         WHERE id = $2 AND state = 'held'",
    )
    .bind(command.now)
    .bind(command.signature.0)
    .execute(&mut *conn)
    .await
    .ctx("publishing a verified organisation")?;
    sqlx::query(
        "UPDATE signature_organisations
         SET verified = 'organiser', verified_at = $1, verified_by = $2
         WHERE signature_id = $3",
    )
    .bind(command.now)
    .bind(command.actor.user.0)
    .bind(command.signature.0)
    .execute(&mut *conn)
    .await
    .ctx("verifying an organisation")?;
    let logged = published_entry(conn, keys, command.signature, command.now, &command.salt).await?;
    super::organisers::audit(
        conn,
        Some(command.actor),
        Some(workspace),
        "signature.verify",
        &format!("signature {}", command.signature),
        "organisation verified by an organiser",
        command.now,
    )
    .await?;
    Ok((
        WriteOutcome::OrganisationVerified {
            letter: command.letter,
        },
        Some(logged),
    ))
}

/// A past signer of the family adds their signature to the letter their invitation is for:
/// a new signature made of their earlier one (its sealed fields copied as they are, their
/// category matched by name), shown at the level they chose now, confirmed at once and then
/// published as a confirmation would be (held for review or for the letter's batch when the
/// letter says so). The invitation is spent; a second use, or a signer who signed the letter
/// meanwhile, is answered as a link used already.
async fn apply_join_family(
    conn: &mut Conn,
    keys: &Keyring,
    command: &crate::JoinFamilyCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let done = |outcome, logged| Ok((WriteOutcome::Confirm(outcome), logged));
    // The letter row is share-locked, as in `letter_and_category`.
    let Some(row) = sqlx::query(concat!(
        "SELECT i.id AS invitation_id, i.used_at, i.signature_id, i.letter_id,
                l.state AS letter_state, l.slug, l.title, l.closes_at, l.closed_at,
                l.batch_minutes, l.moderation, s.kind,
                (SELECT c.id FROM letter_categories c
                 JOIN letter_categories old ON old.id = s.category_id
                 WHERE c.letter_id = l.id AND c.name = old.name) AS category_id
         FROM family_invitations i
         JOIN letters l ON l.id = i.letter_id
         JOIN signatures s ON s.id = i.signature_id
         WHERE i.token_hash = $1",
        lock!(FOR SHARE OF l)
    ))
    .bind(&command.token_hash[..])
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading an invitation")?
    else {
        return done(ConfirmOutcome::UnknownToken, None);
    };
    let letter = LetterRef {
        id: LetterId(row.try_get("letter_id").ctx("reading an invitation")?),
        slug: row.try_get("slug").ctx("reading an invitation")?,
        title: row.try_get("title").ctx("reading an invitation")?,
    };
    let invitation: i64 = row.try_get("invitation_id").ctx("reading an invitation")?;
    let past = SignatureId(row.try_get("signature_id").ctx("reading an invitation")?);
    let used_at: Option<i64> = row.try_get("used_at").ctx("reading an invitation")?;
    let letter_state: String = row.try_get("letter_state").ctx("reading an invitation")?;
    let letter_state: LetterState = parse_stored(&letter_state, "letter state")?;
    let closes_at: Option<i64> = row.try_get("closes_at").ctx("reading an invitation")?;
    let closed_at: Option<i64> = row.try_get("closed_at").ctx("reading an invitation")?;
    let batch: Option<i64> = row.try_get("batch_minutes").ctx("reading an invitation")?;
    let moderation: String = row.try_get("moderation").ctx("reading an invitation")?;
    let review = parse_stored::<Moderation>(&moderation, "moderation")? == Moderation::Review;
    let kind: String = row.try_get("kind").ctx("reading an invitation")?;
    let category: Option<i64> = row.try_get("category_id").ctx("reading an invitation")?;
    if used_at.is_some() {
        return done(ConfirmOutcome::AlreadyUsed { letter }, None);
    }
    if !letter_state.takes_confirmations(closes_at, closed_at, command.now) {
        return done(ConfirmOutcome::LetterNotOpen { letter }, None);
    }
    let Some(category) = category else {
        return Err(StoreError::NotFound);
    };
    let held_until = batch
        .and_then(|m| u32::try_from(m).ok())
        .and_then(BatchMinutes::new)
        .filter(|_| command.display != DisplayLevel::Public && !review)
        .map(|b| b.published_at(command.now));
    let state = if review {
        SignatureState::Held
    } else if held_until.is_some() {
        SignatureState::Confirmed
    } else {
        SignatureState::Published
    };
    let published = (state == SignatureState::Published).then_some(command.now);
    let keep_salt = state != SignatureState::Published;
    // The earlier signature's sealed fields (its language included) and duplicate key, copied
    // as they are: the signer's text never passes through here in clear. A sealed value is
    // bound to its field, not to its row, so the copy opens as the original does.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO signatures (letter_id, category_id, kind, name, title, affiliation, city,
                                 country, comment, email, email_hash, display_level, state,
                                 created_at, confirmed_at, published_at, show_city, updates,
                                 salt, lang)
         SELECT $1, $2, s.kind, s.name, s.title, s.affiliation, s.city, s.country, s.comment,
                s.email, s.email_hash, $3, $4, $5, $5, $6, s.show_city, $7, $8, s.lang
         FROM signatures s WHERE s.id = $9
         ON CONFLICT (letter_id, email_hash) DO NOTHING
         RETURNING id",
    )
    .bind(letter.id.0)
    .bind(category)
    .bind(command.display.as_str())
    .bind(state.as_str())
    .bind(command.now)
    .bind(published)
    .bind(i64::from(command.updates))
    .bind(keep_salt.then_some(&command.salt[..]))
    .bind(past.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("adding a signature from an invitation")?;
    sqlx::query("UPDATE family_invitations SET used_at = $1 WHERE id = $2")
        .bind(command.now)
        .bind(invitation)
        .execute(&mut *conn)
        .await
        .ctx("spending an invitation")?;
    let Some(signature) = id.map(SignatureId) else {
        // They signed the letter themselves meanwhile.
        return done(ConfirmOutcome::AlreadyUsed { letter }, None);
    };
    if kind == "organisation" {
        // Verified as the earlier signature was (it was published, so it was verified).
        sqlx::query(
            "INSERT INTO signature_organisations (signature_id, name, website, domain,
                                                  email_on_domain, verified, verified_at,
                                                  verified_by, logo)
             SELECT $1, name, website, domain, email_on_domain, verified, verified_at,
                    verified_by, logo
             FROM signature_organisations WHERE signature_id = $2",
        )
        .bind(signature.0)
        .bind(past.0)
        .execute(&mut *conn)
        .await
        .ctx("copying an organisation")?;
    }
    if review {
        return done(ConfirmOutcome::HeldForReview { letter, signature }, None);
    }
    if let Some(publish_at) = held_until {
        return done(
            ConfirmOutcome::Held {
                letter,
                signature,
                publish_at,
            },
            None,
        );
    }
    let logged = published_entry(conn, keys, signature, command.now, &command.salt).await?;
    done(
        // The entry's index is known once the batch's entries are appended (`apply_all`).
        ConfirmOutcome::Confirmed {
            letter,
            signature,
            index: 0,
        },
        Some(logged),
    )
}

/// Records a mail worker's finished emails (see [`WriteCommand::OutboxDone`]).
async fn apply_outbox_done(
    conn: &mut Conn,
    command: &OutboxDoneCommand,
) -> Result<(WriteOutcome, Logged), StoreError> {
    let sent = super::outbox::mark_sent(conn, &command.sent, &command.worker, command.now).await?;
    super::outbox::mark_withheld(conn, &command.withheld, &command.worker).await?;
    Ok((WriteOutcome::OutboxDone { sent }, None))
}
