//! Signing, set-based: a batch's sign-ups cost a fixed number of statements, whatever their
//! number, instead of ten or so each.
//!
//! A batch's sign commands are decided together, step by step, each step one statement for
//! all of them (one per [`CHUNK`] rows): the letters they sign, the signatures signed before,
//! the recipients' budgets, the new signatures (inserted as they stand after the sign-up, so
//! that they need no update), the stand-ins of repeat sign-ups, the earlier signatures' email
//! counters, the confirmation links and the outbox. A new signer and a repeat one each write
//! one row where the other does not (its signature, or a stand-in of the same size) and a
//! repeat one also updates its signature, as on the per-command path; either way the answer
//! waits for the whole batch.
//!
//! What this path does not take is left to the per-command path in `batch.rs`, which runs
//! after it in the same transaction and so sees what it wrote:
//!
//! - a command whose signature (letter and duplicate key) or recipient an earlier command of
//!   the batch already has: a duplicate within the batch is decided as a duplicate, exactly
//!   as it would be in a later batch;
//! - an organisation's signature (its emails may go to the address that signed first, and
//!   it writes the organisation's row);
//! - a command held to other email limits than the batch's first.
//!
//! The steps run under one savepoint. Should any fail for a reason other than the database
//! being unavailable, the savepoint is rolled back and every command of the set goes through
//! the per-command path instead, so each still gets its own exact answer.

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
};

use sqlx::{QueryBuilder, Row, query_builder::Separated};
use undersigned_core::{LetterState, SignatureState};

use super::{
    Conn, Ctx,
    batch::{decoy_len, event_key},
    dialect::{self, Db},
    execute_built, fetch_built,
    mail_limits::DomainCaps,
};
use crate::{
    StoreError,
    model::*,
    parse_stored,
    rules::{RECIPIENT_BUDGET_SECONDS, may_email_again},
    sealed::{Keyring, SealedSignUp, SealedSigner},
};

/// The most rows one statement carries (the widest, a signature, binds 20 values a row:
/// well under both backends' limits on bound values). Each step's statement is built for its
/// batch and not kept (see `execute_built`).
const CHUNK: usize = 200;

/// A sign command the set-based path decides, with what it learns along the way.
struct Signer<'a> {
    /// Its place in the batch.
    index: usize,
    command: &'a SignCommand,
    sealed: Cow<'a, SealedSignUp>,
    /// The letter's text version the signature is made on.
    version: i64,
    /// Its signature, once found, and whether this command inserted it.
    id: Option<SignatureId>,
    inserted: bool,
    state: SignatureState,
    backoff_allows: bool,
    emailed: bool,
}

/// A letter as the sign-ups see it.
struct LetterRow {
    state: LetterState,
    closes_at: Option<Timestamp>,
    version: i64,
    categories: HashSet<i64>,
}

/// What [`apply_signs`] answered: (the command's place in the batch, its answer).
pub(super) type Answered = Vec<(usize, Result<WriteOutcome, StoreError>)>;

/// Decides the batch's sign commands that the set-based path takes (see the module's
/// documentation), in `order`, and answers them. The commands it leaves unanswered are for
/// the per-command path. `domains` counts the sign-ups it lets through.
pub(super) async fn apply_signs(
    conn: &mut Conn,
    keys: &Keyring,
    commands: &[WriteCommand],
    order: &[usize],
    domains: &mut DomainCaps,
) -> Result<Answered, StoreError> {
    let candidates = candidates(commands, order);
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let letters = read_letters(conn, &candidates).await?;
    let before = domains.clone();
    let mut answered = Vec::new();
    let mut signers = Vec::new();
    for (index, command) in candidates {
        // The same checks, in the same order, as the per-command path.
        if let Some(retry_after) = domains.refuse(command) {
            let outcome = SignOutcome::DomainBusy { retry_after };
            answered.push((index, Ok(WriteOutcome::Sign(outcome))));
            continue;
        }
        let letter = letters.get(&command.letter.0);
        let category = command.signature.category_id;
        match letter {
            Some(l)
                if l.categories.contains(&category)
                    && l.state.takes_signatures(l.closes_at, command.now) => {}
            Some(l) if l.state == LetterState::Open && !l.categories.contains(&category) => {
                answered.push((index, Err(StoreError::NotFound)));
                continue;
            }
            _ => {
                let outcome = WriteOutcome::Sign(SignOutcome::LetterNotOpen);
                answered.push((index, Ok(outcome)));
                continue;
            }
        }
        domains.admit(command);
        signers.push(Signer {
            index,
            command,
            // Sealed on the handler's thread (`prepare`), or here if it was not.
            sealed: match &command.sealed {
                Some(sealed) => Cow::Borrowed(sealed),
                None => Cow::Owned(SealedSignUp::new(keys, command)),
            },
            version: letter.map_or(1, |l| l.version),
            id: None,
            inserted: false,
            state: SignatureState::Pending,
            backoff_allows: false,
            emailed: false,
        });
    }
    if signers.is_empty() {
        return Ok(answered);
    }
    // Every process's writer takes the rows in this order (see `lock_order`).
    signers.sort_by_key(|s| (s.command.letter.0, s.command.duplicate_key.0));
    savepoint(conn, "SAVEPOINT signs").await?;
    match decide(conn, keys, &mut signers).await {
        Ok(outcomes) => {
            savepoint(conn, "RELEASE SAVEPOINT signs").await?;
            answered.extend(outcomes);
            Ok(answered)
        }
        Err(e) if e.is_unavailable() => Err(e),
        Err(e) => {
            // Another process's writer signing one of them at the same time is expected now
            // and then; anything else is worth a look.
            if matches!(e, StoreError::Conflict(_)) {
                tracing::debug!(error = %e, signers = signers.len(),
                    "set-based signing met another writer; deciding the batch's sign-ups one by one");
            } else {
                tracing::warn!(error = %e, signers = signers.len(),
                    "set-based signing failed; deciding the batch's sign-ups one by one");
            }
            savepoint(conn, "ROLLBACK TO SAVEPOINT signs").await?;
            savepoint(conn, "RELEASE SAVEPOINT signs").await?;
            // The per-command path checks and counts them again.
            *domains = before;
            Ok(answered)
        }
    }
}

pub(super) async fn savepoint(conn: &mut Conn, statement: &'static str) -> Result<(), StoreError> {
    sqlx::query(statement)
        .execute(conn)
        .await
        .ctx("deciding sign-ups together")?;
    Ok(())
}

/// The sign commands this path takes, in batch order: individuals' sign-ups whose signature
/// and recipient no earlier command of the batch has, held to the first one's email limits.
fn candidates<'a>(commands: &'a [WriteCommand], order: &[usize]) -> Vec<(usize, &'a SignCommand)> {
    let mut keys = HashSet::new();
    let mut recipients = HashSet::new();
    let mut limits = None;
    let mut taken = Vec::new();
    for &index in order {
        let WriteCommand::Sign(command) = &commands[index] else {
            continue;
        };
        // Every later command with the same signature or recipient is left to the
        // per-command path too, so that it runs after this one.
        let new_key = keys.insert((command.letter.0, command.duplicate_key.0));
        let new_recipient = recipients.insert(command.recipient_key.0);
        let same_limits = *limits.get_or_insert(command.mail_limits) == command.mail_limits;
        if new_key && new_recipient && same_limits && command.organisation.is_none() {
            taken.push((index, command.as_ref()));
        }
    }
    taken
}

/// The letters the candidates sign: state, closing time, text version and categories, in one
/// statement. The rows are share-locked until the batch commits, as in
/// `letter_and_category`.
async fn read_letters(
    conn: &mut Conn,
    candidates: &[(usize, &SignCommand)],
) -> Result<HashMap<i64, LetterRow>, StoreError> {
    let mut ids: Vec<i64> = candidates.iter().map(|(_, c)| c.letter.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = sqlx::query(concat!(
        "SELECT l.id, l.state, l.closes_at, l.text_version, c.id AS category_id
         FROM letters l LEFT JOIN letter_categories c ON c.letter_id = l.id
         WHERE l.id ",
        in_list!("$1"),
        lock!(FOR SHARE OF l)
    ))
    .bind(dialect::id_list(&ids))
    .fetch_all(&mut *conn)
    .await
    .ctx("reading the letters signed")?;
    let mut letters: HashMap<i64, LetterRow> = HashMap::new();
    for row in rows {
        let id: i64 = row.try_get("id").ctx("reading a letter")?;
        let category: Option<i64> = row.try_get("category_id").ctx("reading a letter")?;
        if let Some(letter) = letters.get_mut(&id) {
            letter.categories.extend(category);
            continue;
        }
        let state: String = row.try_get("state").ctx("reading a letter")?;
        letters.insert(
            id,
            LetterRow {
                state: parse_stored(&state, "letter state")?,
                closes_at: row.try_get("closes_at").ctx("reading a letter")?,
                version: row.try_get("text_version").ctx("reading a letter")?,
                categories: category.into_iter().collect(),
            },
        );
    }
    Ok(letters)
}

/// The steps, each one statement per chunk of signers. Answers every signer.
async fn decide(
    conn: &mut Conn,
    keys: &Keyring,
    signers: &mut [Signer<'_>],
) -> Result<Answered, StoreError> {
    read_signatures(conn, signers).await?;
    spend_budgets(conn, signers).await?;
    insert_signatures(conn, signers).await?;
    insert_decoys(conn, keys, signers).await?;
    note_emails(conn, signers).await?;
    insert_tokens(conn, signers).await?;
    queue_emails(conn, signers).await?;
    Ok(signers
        .iter()
        .map(|s| (s.index, Ok(WriteOutcome::Sign(s.outcome()))))
        .collect())
}

impl Signer<'_> {
    fn id(&self) -> Result<SignatureId, StoreError> {
        self.id
            .ok_or_else(|| StoreError::Corrupt("a signature was not found after its insert".into()))
    }

    /// The email its sign-up causes.
    fn kind(&self) -> EmailKind {
        match self.state {
            SignatureState::Pending | SignatureState::Withdrawn => EmailKind::Confirm,
            _ => EmailKind::AlreadySigned,
        }
    }

    /// Whether its link carries the new submission (sealed), or copies the one the
    /// signature was made with.
    fn new_submission(&self) -> bool {
        self.emailed
            && self.kind() == EmailKind::Confirm
            && (self.inserted || self.state != SignatureState::Pending)
    }

    fn outcome(&self) -> SignOutcome {
        match (self.emailed, self.kind()) {
            (false, _) if self.backoff_allows => SignOutcome::OverBudget,
            (false, _) => SignOutcome::EmailThrottled,
            (true, EmailKind::Confirm) if self.inserted => SignOutcome::Created,
            (true, EmailKind::Confirm) => SignOutcome::ConfirmationResent,
            (true, _) => SignOutcome::AlreadySigned,
        }
    }
}

/// Inserts the signature of every signer whose address (or key) has not signed before, as
/// it stands after its sign-up (emailed or not), so that it needs no update after. Should
/// another process's writer have inserted one of them since `read_signatures` looked (only
/// PostgreSQL has several writers), this fails, and the per-command path decides them.
async fn insert_signatures(conn: &mut Conn, signers: &mut [Signer<'_>]) -> Result<(), StoreError> {
    let mut inserted = HashMap::new();
    let new: Vec<&Signer> = signers.iter().filter(|s| s.id.is_none()).collect();
    for chunk in new.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO signatures (letter_id, category_id, name, title, affiliation, city,
                 country, comment, email, email_hash, display_level, state, created_at,
                 confirmed_at, published_at, show_city, kind, updates, lang, version,
                 last_emailed_at, emails_sent) ",
        );
        query.push_values(chunk, |mut row, s| {
            let sig = &s.command.signature;
            row.push_bind(s.command.letter.0).push_bind(sig.category_id);
            bind_signer(&mut row, &s.sealed.signer);
            row.push_bind(s.sealed.email.clone())
                .push_bind(s.command.duplicate_key.0.to_vec())
                .push_bind(sig.display.as_str())
                .push_bind(SignatureState::Pending.as_str())
                .push_bind(s.command.now)
                .push_bind(None::<i64>)
                .push_bind(None::<i64>)
                .push_bind(i64::from(sig.details.show_city))
                .push_bind("individual")
                .push_bind(i64::from(s.command.updates))
                .push_bind(s.sealed.lang.clone())
                .push_bind(s.version)
                .push_bind(s.emailed.then_some(s.command.now))
                .push_bind(i64::from(s.emailed));
        });
        query.push(
            " ON CONFLICT (letter_id, email_hash) DO NOTHING RETURNING id, letter_id, email_hash",
        );
        let rows = fetch_built(conn, query, "saving signatures").await?;
        for row in rows {
            let id = SignatureId(row.try_get("id").ctx("reading a new signature")?);
            let letter: i64 = row.try_get("letter_id").ctx("reading a new signature")?;
            let key: Vec<u8> = row.try_get("email_hash").ctx("reading a new signature")?;
            inserted.insert((letter, key), id);
        }
    }
    for s in signers.iter_mut().filter(|s| s.id.is_none()) {
        let key = (s.command.letter.0, s.command.duplicate_key.0.to_vec());
        let id = inserted
            .get(&key)
            .copied()
            .ok_or(StoreError::Conflict("a signature signed at the same time"))?;
        s.id = Some(id);
        s.inserted = true;
    }
    Ok(())
}

/// Binds a sealed signer's columns, in the order name, title, affiliation, city, country,
/// comment.
fn bind_signer(row: &mut Separated<'_, Db, &'static str>, signer: &SealedSigner) {
    row.push_bind(signer.name.clone())
        .push_bind(signer.title.clone())
        .push_bind(signer.affiliation.clone())
        .push_bind(signer.city.clone())
        .push_bind(signer.country.clone())
        .push_bind(signer.comment.clone());
}

/// A repeat sign-up's stand-in, of the size its signature would take (see `insert_decoy`).
async fn insert_decoys(
    conn: &mut Conn,
    keys: &Keyring,
    signers: &[Signer<'_>],
) -> Result<(), StoreError> {
    let repeats: Vec<&Signer> = signers.iter().filter(|s| !s.inserted).collect();
    for chunk in repeats.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO signing_decoys (letter_id, category_id, email_hash, payload, state,
                                         created_at) ",
        );
        query.push_values(chunk, |mut row, s| {
            row.push_bind(s.command.letter.0)
                .push_bind(s.command.signature.category_id)
                .push_bind(s.command.duplicate_key.0.to_vec())
                .push_bind(vec![0u8; decoy_len(keys, s.command)])
                .push_bind("pending")
                .push_bind(s.command.now);
        });
        execute_built(conn, query, "saving signatures").await?;
    }
    Ok(())
}

/// Every signature signed before, locked until the batch commits where the backend locks
/// rows, and what its signer's sign-up decides from it. A signer without one is new: its
/// signature is inserted once the budgets have decided its email.
async fn read_signatures(conn: &mut Conn, signers: &mut [Signer<'_>]) -> Result<(), StoreError> {
    type Found = (SignatureId, SignatureState, Option<i64>, i64);
    let mut found: HashMap<(i64, Vec<u8>), Found> = HashMap::new();
    for chunk in signers.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new("WITH k (k_letter, k_hash) AS (");
        query.push_values(chunk, |mut row, s| {
            row.push_bind(s.command.letter.0)
                .push_bind(s.command.duplicate_key.0.to_vec());
        });
        query.push(concat!(
            ") SELECT s.id, s.letter_id, s.email_hash, s.state, s.last_emailed_at,
                      s.emails_sent
               FROM k JOIN signatures s ON s.letter_id = k.k_letter AND s.email_hash = k.k_hash",
            lock!(FOR UPDATE OF s)
        ));
        let rows = fetch_built(conn, query, "finding earlier signatures").await?;
        for row in rows {
            let id = SignatureId(row.try_get("id").ctx("reading a signature")?);
            let letter: i64 = row.try_get("letter_id").ctx("reading a signature")?;
            let key: Vec<u8> = row.try_get("email_hash").ctx("reading a signature")?;
            let state: String = row.try_get("state").ctx("reading a signature")?;
            let state = parse_stored::<SignatureState>(&state, "signature state")?;
            let last: Option<i64> = row.try_get("last_emailed_at").ctx("reading a signature")?;
            let sent: i64 = row.try_get("emails_sent").ctx("reading a signature")?;
            found.insert((letter, key), (id, state, last, sent));
        }
    }
    for s in signers.iter_mut() {
        let key = (s.command.letter.0, s.command.duplicate_key.0.to_vec());
        let (id, state, last, sent) = match found.get(&key) {
            Some(&(id, state, last, sent)) => (Some(id), state, last, sent),
            None => (None, SignatureState::Pending, None, 0),
        };
        s.id = id;
        s.state = state;
        s.backoff_allows = may_email_again(last, sent, s.command.now);
    }
    Ok(())
}

/// Counts every sign-up against its recipient's budget (see `spend_recipient_budget`: the
/// same statement, for every recipient at once) and decides which emails go out. Every
/// signer's recipient is a different one (see `candidates`).
async fn spend_budgets(conn: &mut Conn, signers: &mut [Signer<'_>]) -> Result<(), StoreError> {
    let Some(first) = signers.first() else {
        return Ok(());
    };
    let limit = i64::from(first.command.mail_limits.per_recipient_per_day.max(1));
    let mut spent: HashMap<Vec<u8>, i64> = HashMap::new();
    let mut order: Vec<usize> = (0..signers.len()).collect();
    // Budget rows are locked in key order, whichever process writes.
    order.sort_by_key(|&i| signers[i].command.recipient_key.0);
    for chunk in order.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO mail_budgets (recipient_key, window_start, sent, asked) ",
        );
        query.push_values(chunk, |mut row, &i| {
            let s = &signers[i];
            row.push_bind(s.command.recipient_key.0.to_vec())
                .push_bind(s.command.now)
                .push_bind(i64::from(s.backoff_allows))
                .push_bind(1_i64);
        });
        query.push(
            " ON CONFLICT (recipient_key) DO UPDATE SET
                 window_start = CASE WHEN mail_budgets.window_start <= excluded.window_start - ",
        );
        query.push_bind(RECIPIENT_BUDGET_SECONDS);
        query.push(
            " THEN excluded.window_start ELSE mail_budgets.window_start END,
                 asked = CASE WHEN mail_budgets.window_start <= excluded.window_start - ",
        );
        query.push_bind(RECIPIENT_BUDGET_SECONDS);
        query.push(
            " THEN 1 ELSE mail_budgets.asked + 1 END,
                 sent = CASE WHEN mail_budgets.window_start <= excluded.window_start - ",
        );
        query.push_bind(RECIPIENT_BUDGET_SECONDS);
        query.push(" THEN excluded.sent WHEN mail_budgets.sent < ");
        query.push_bind(limit);
        query.push(" THEN mail_budgets.sent + excluded.sent WHEN excluded.sent = 1 THEN ");
        query.push_bind(limit + 1);
        query.push(" ELSE mail_budgets.sent END RETURNING recipient_key, sent");
        let rows = fetch_built(conn, query, "counting recipients' emails").await?;
        for row in rows {
            let key: Vec<u8> = row.try_get("recipient_key").ctx("reading a budget")?;
            let sent: i64 = row.try_get("sent").ctx("reading a budget")?;
            spent.insert(key, sent);
        }
    }
    for s in signers.iter_mut() {
        let sent = spent
            .get(&s.command.recipient_key.0[..])
            .copied()
            .ok_or_else(|| StoreError::Corrupt("a recipient's budget was not counted".into()))?;
        // Past the limit the count reads limit + 1: the email was refused.
        s.emailed = s.backoff_allows && sent <= limit;
    }
    Ok(())
}

/// Updates every signature signed before after its sign-up (see `note_email`: the same
/// update, for every signature at once). A new one was inserted as it stands.
async fn note_emails(conn: &mut Conn, signers: &[Signer<'_>]) -> Result<(), StoreError> {
    let repeats: Vec<&Signer> = signers.iter().filter(|s| !s.inserted).collect();
    for chunk in repeats.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "WITH v (n_id, n_emailed, n_now, n_reopen, n_category, n_name, n_title,
                     n_affiliation, n_city, n_country, n_comment, n_display, n_show_city,
                     n_updates) AS (",
        );
        let mut failed = None;
        query.push_values(chunk, |mut row, s| {
            let reopen = s.emailed && s.state == SignatureState::Withdrawn;
            let sig = &s.command.signature;
            match s.id() {
                Ok(id) => {
                    row.push_bind(id.0);
                }
                Err(e) => failed = Some(e),
            }
            row.push_bind(s.emailed)
                .push_bind(s.command.now)
                .push_bind(reopen)
                .push_bind(sig.category_id);
            bind_signer(&mut row, &s.sealed.signer);
            row.push_bind(sig.display.as_str())
                .push_bind(i64::from(sig.details.show_city))
                .push_bind(s.command.updates);
        });
        if let Some(e) = failed {
            return Err(e);
        }
        query.push(
            ") UPDATE signatures
             SET last_emailed_at = CASE WHEN v.n_emailed THEN v.n_now ELSE last_emailed_at END,
                 emails_sent = CASE WHEN v.n_emailed THEN emails_sent + 1 ELSE emails_sent END,
                 state = CASE WHEN v.n_reopen THEN 'pending' ELSE state END,
                 log_index = CASE WHEN v.n_reopen THEN NULL ELSE log_index END,
                 salt = CASE WHEN v.n_reopen THEN NULL ELSE salt END,
                 confirmed_at = CASE WHEN v.n_reopen THEN NULL ELSE confirmed_at END,
                 published_at = CASE WHEN v.n_reopen THEN NULL ELSE published_at END,
                 category_id = CASE WHEN v.n_reopen THEN v.n_category ELSE category_id END,
                 name = CASE WHEN v.n_reopen THEN v.n_name ELSE name END,
                 title = CASE WHEN v.n_reopen THEN v.n_title ELSE title END,
                 affiliation = CASE WHEN v.n_reopen THEN v.n_affiliation ELSE affiliation END,
                 city = CASE WHEN v.n_reopen THEN v.n_city ELSE city END,
                 country = CASE WHEN v.n_reopen THEN v.n_country ELSE country END,
                 comment = CASE WHEN v.n_reopen THEN v.n_comment ELSE comment END,
                 display_level = CASE WHEN v.n_reopen THEN v.n_display ELSE display_level END,
                 show_city = CASE WHEN v.n_reopen THEN v.n_show_city ELSE show_city END,
                 updates = CASE WHEN v.n_updates THEN 1 ELSE updates END
             FROM v WHERE signatures.id = v.n_id",
        );
        execute_built(conn, query, "queueing emails").await?;
    }
    Ok(())
}

/// Stores every sign-up's confirmation link: with the new submission (sealed) where the
/// email confirms it, otherwise with the submission the signature was made with (see
/// `insert_token` and `insert_token_for_first_submission`).
async fn insert_tokens(conn: &mut Conn, signers: &[Signer<'_>]) -> Result<(), StoreError> {
    let (new, first): (Vec<&Signer>, Vec<&Signer>) =
        signers.iter().partition(|s| s.new_submission());
    for chunk in new.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at,
                 category_id, name, title, affiliation, city, country, comment, display_level,
                 show_city) ",
        );
        let ids = chunk
            .iter()
            .map(|s| s.id())
            .collect::<Result<Vec<_>, _>>()?;
        query.push_values(chunk.iter().zip(ids), |mut row, (s, id)| {
            let sig = &s.command.signature;
            row.push_bind(s.command.token_hash.to_vec())
                .push_bind(id.0)
                .push_bind(s.command.now)
                .push_bind(s.command.token_expires_at)
                .push_bind(sig.category_id);
            bind_signer(&mut row, &s.sealed.signer);
            row.push_bind(sig.display.as_str())
                .push_bind(i64::from(sig.details.show_city));
        });
        execute_built(conn, query, "saving confirmation links").await?;
    }
    for chunk in first.chunks(CHUNK) {
        let mut query =
            QueryBuilder::<Db>::new("WITH v (t_hash, t_signature, t_created, t_expires) AS (");
        let ids = chunk
            .iter()
            .map(|s| s.id())
            .collect::<Result<Vec<_>, _>>()?;
        query.push_values(chunk.iter().zip(ids), |mut row, (s, id)| {
            row.push_bind(s.command.token_hash.to_vec())
                .push_bind(id.0)
                .push_bind(s.command.now)
                .push_bind(s.command.token_expires_at);
        });
        query.push(
            ") INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at,
                 category_id, name, title, affiliation, city, country, comment, display_level,
                 show_city)
             SELECT v.t_hash, s.id, v.t_created, v.t_expires, s.category_id, s.name, s.title,
                    s.affiliation, s.city, s.country, s.comment, s.display_level, s.show_city
             FROM v JOIN signatures s ON s.id = v.t_signature",
        );
        execute_built(conn, query, "saving confirmation links").await?;
    }
    Ok(())
}

/// Queues every sign-up's email, or records in its place that a limit withheld it (see
/// `enqueue` and `withhold`): one outbox row each, in one statement.
async fn queue_emails(conn: &mut Conn, signers: &[Signer<'_>]) -> Result<(), StoreError> {
    for chunk in signers.chunks(CHUNK) {
        let ids = chunk
            .iter()
            .map(|s| s.id())
            .collect::<Result<Vec<_>, _>>()?;
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                                 next_attempt_at, created_at, last_error) ",
        );
        query.push_values(chunk.iter().zip(ids), |mut row, (s, id)| {
            let command = s.command;
            let kind = s.kind();
            if s.emailed {
                row.push_bind(event_key(kind, id, command))
                    .push_bind(kind.as_str())
                    .push_bind(Some(s.sealed.recipient.clone()))
                    .push_bind(Some(s.sealed.params.clone()))
                    .push_bind("pending")
                    .push_bind(0_i64)
                    .push_bind(command.now)
                    .push_bind(command.now)
                    .push_bind(None::<&str>);
            } else {
                let reason = if s.backoff_allows {
                    "over_budget"
                } else {
                    "throttled"
                };
                row.push_bind(format!("withheld:{}", event_key(kind, id, command)))
                    .push_bind(kind.as_str())
                    .push_bind(None::<Vec<u8>>)
                    .push_bind(None::<Vec<u8>>)
                    .push_bind("pending")
                    .push_bind(0_i64)
                    .push_bind(command.now)
                    .push_bind(command.now)
                    .push_bind(Some(reason));
            }
        });
        execute_built(conn, query, "queueing emails").await?;
    }
    Ok(())
}
