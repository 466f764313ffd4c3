//! Confirming, set-based: a batch's confirmation links are decided together in a few
//! statements, whatever their number, instead of six statements each (a savepoint, the link,
//! the signature, the links, the published row, the release). Each statement is a round trip
//! to the database's connection, and those trips, not the work in them, were the cost.
//!
//! The set-based path takes the plain links: a signature of no organisation, on a letter that
//! neither reviews signatures nor holds them for a batch (or a public one, which a batch does
//! not hold). It answers the links that change nothing (unknown, spent, expired, letter not
//! open) as the per-command path would, and publishes the rest, in one statement each for the
//! signatures, their links and the rows their log entries are made from. Every other link,
//! and every later link of the same signature, is left to the per-command path
//! (`batch::apply_confirm`), which decides it after these. If anything here fails, the
//! savepoint undoes it and the per-command path decides every link of the batch.
//!
//! Like the sign-ups, these links are decided before the batch's other commands: a discard
//! and a confirmation of the same signature in one batch (two requests within milliseconds)
//! are decided as if the confirmation came first.

use std::collections::{HashMap, HashSet};

use sqlx::{QueryBuilder, Row};
use undersigned_core::{
    DisplayLevel, LetterState, SignatureState,
    letter::{BatchMinutes, Moderation},
};

use super::{
    Conn, Ctx,
    batch::published_from,
    dialect::{self, Db},
    execute_built, fetch_built,
    signing::savepoint,
};
use crate::{StoreError, log::PendingEntry, model::*, parse_stored, sealed::Keyring};

/// The most rows one statement carries.
const CHUNK: usize = 200;

/// What [`apply_confirms`] answered: (the command's place in the batch, its answer, the log
/// entry it adds).
pub(super) type Answered = Vec<(
    usize,
    Result<WriteOutcome, StoreError>,
    Option<PendingEntry>,
)>;

/// A confirmation link as the batch reads it.
struct Link {
    signature: SignatureId,
    letter: LetterRef,
    expires_at: Timestamp,
    used: bool,
    signature_state: SignatureState,
    letter_state: LetterState,
    closes_at: Option<Timestamp>,
    closed_at: Option<Timestamp>,
    /// Whether the link's category is the signature's already: every link of a pending
    /// signature copies it today, but the publishing statement must not rely on that.
    same_category: bool,
    /// An organisation's signature, a letter that reviews, or a link the letter's batch
    /// holds: the per-command path decides it.
    special: bool,
}

/// A link this path publishes.
struct Winner<'a> {
    index: usize,
    command: &'a ConfirmCommand,
    signature: SignatureId,
    letter: LetterRef,
    same_category: bool,
}

/// Decides the batch's plain confirmation links (see the module's documentation), in
/// `order`. The commands it leaves unanswered are for the per-command path.
pub(super) async fn apply_confirms(
    conn: &mut Conn,
    keys: &Keyring,
    commands: &[WriteCommand],
    order: &[usize],
) -> Result<Answered, StoreError> {
    let candidates: Vec<(usize, &ConfirmCommand)> = order
        .iter()
        .filter_map(|&index| match &commands[index] {
            WriteCommand::Confirm(confirm) => Some((index, confirm)),
            _ => None,
        })
        .collect();
    // One link alone costs the per-command path no more.
    if candidates.len() < 2 {
        return Ok(Vec::new());
    }
    savepoint(conn, "SAVEPOINT confirms").await?;
    match decide(conn, keys, &candidates).await {
        Ok(answered) => {
            savepoint(conn, "RELEASE SAVEPOINT confirms").await?;
            Ok(answered)
        }
        Err(e) if e.is_unavailable() => Err(e),
        Err(e) => {
            tracing::warn!(error = %e, links = candidates.len(),
                "set-based confirming failed; deciding the batch's links one by one");
            savepoint(conn, "ROLLBACK TO SAVEPOINT confirms").await?;
            savepoint(conn, "RELEASE SAVEPOINT confirms").await?;
            Ok(Vec::new())
        }
    }
}

async fn decide(
    conn: &mut Conn,
    keys: &Keyring,
    candidates: &[(usize, &ConfirmCommand)],
) -> Result<Answered, StoreError> {
    let links = read_links(conn, candidates).await?;
    let mut answered = Answered::new();
    let mut winners = Vec::new();
    // Signatures this path publishes, and those it leaves to the per-command path: a later
    // link of either is spent, or left too, as one after the other would find them.
    let mut claimed = HashSet::new();
    let mut deferred = HashSet::new();
    for &(index, command) in candidates {
        let answer = |outcome| (index, Ok(WriteOutcome::Confirm(outcome)), None);
        let Some(link) = links.get(&command.token_hash) else {
            answered.push(answer(ConfirmOutcome::UnknownToken));
            continue;
        };
        if link.special || deferred.contains(&link.signature) {
            deferred.insert(link.signature);
            continue;
        }
        let letter = link.letter.clone();
        if link.used
            || link.signature_state != SignatureState::Pending
            || claimed.contains(&link.signature)
        {
            answered.push(answer(ConfirmOutcome::AlreadyUsed { letter }));
        } else if link.expires_at <= command.now {
            answered.push(answer(ConfirmOutcome::Expired { letter }));
        } else if !link.letter_state.takes_confirmations(
            link.closes_at,
            link.closed_at,
            command.now,
        ) {
            answered.push(answer(ConfirmOutcome::LetterNotOpen { letter }));
        } else {
            claimed.insert(link.signature);
            winners.push(Winner {
                index,
                command,
                signature: link.signature,
                letter,
                same_category: link.same_category,
            });
        }
    }
    let published = publish(conn, &winners).await?;
    let rows = read_published(conn, &published).await?;
    for winner in winners {
        let letter = winner.letter;
        let Some(row) = rows.get(&winner.signature) else {
            // Another process's writer confirmed it first (PostgreSQL).
            let outcome = ConfirmOutcome::AlreadyUsed { letter };
            answered.push((winner.index, Ok(WriteOutcome::Confirm(outcome)), None));
            continue;
        };
        let entry = published_from(
            keys,
            row,
            winner.signature,
            winner.command.now,
            &winner.command.salt,
        )?;
        // The entry's index is known once the batch's entries are appended (`apply_all`).
        let outcome = ConfirmOutcome::Confirmed {
            letter,
            signature: winner.signature,
            index: 0,
        };
        answered.push((
            winner.index,
            Ok(WriteOutcome::Confirm(outcome)),
            Some(entry),
        ));
    }
    Ok(answered)
}

/// The links of `candidates` that exist, by token hash, with their signatures and letters
/// (each letter share-locked, as in the per-command path).
async fn read_links(
    conn: &mut Conn,
    candidates: &[(usize, &ConfirmCommand)],
) -> Result<HashMap<Hash32, Link>, StoreError> {
    let mut links = HashMap::new();
    for chunk in candidates.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new("WITH k (k_hash) AS (");
        query.push_values(chunk, |mut row, (_, command)| {
            row.push_bind(command.token_hash.to_vec());
        });
        query.push(concat!(
            ") SELECT t.token_hash, t.signature_id, t.expires_at, t.used_at, s.letter_id,
                      t.category_id AS link_category, s.category_id AS signature_category,
                      s.state AS signature_state, l.state AS letter_state, l.slug, l.title,
                      l.closes_at, l.closed_at, t.display_level AS link_display,
                      l.batch_minutes, l.moderation, o.signature_id AS organisation
               FROM k JOIN confirmation_tokens t ON t.token_hash = k.k_hash
               JOIN signatures s ON s.id = t.signature_id
               JOIN letters l ON l.id = s.letter_id
               LEFT JOIN signature_organisations o ON o.signature_id = s.id",
            lock!(FOR SHARE OF l)
        ));
        let rows = fetch_built(conn, query, "reading confirmation links").await?;
        for row in rows {
            let hash: Vec<u8> = row.try_get("token_hash").ctx("reading a link")?;
            let hash: Hash32 = hash
                .try_into()
                .map_err(|_| StoreError::Corrupt("a link's hash is not 32 bytes".into()))?;
            let text = |column: &str| -> Result<String, StoreError> {
                row.try_get(column).ctx("reading a link")
            };
            let display: DisplayLevel = parse_stored(&text("link_display")?, "display level")?;
            let review = parse_stored::<Moderation>(&text("moderation")?, "moderation")?
                == Moderation::Review;
            let batch: Option<i64> = row.try_get("batch_minutes").ctx("reading a link")?;
            let held = batch
                .and_then(|m| u32::try_from(m).ok())
                .and_then(BatchMinutes::new)
                .is_some()
                && display != DisplayLevel::Public;
            let organisation: Option<i64> = row.try_get("organisation").ctx("reading a link")?;
            let used_at: Option<i64> = row.try_get("used_at").ctx("reading a link")?;
            let link_category: i64 = row.try_get("link_category").ctx("reading a link")?;
            let signature_category: i64 =
                row.try_get("signature_category").ctx("reading a link")?;
            links.insert(
                hash,
                Link {
                    signature: SignatureId(row.try_get("signature_id").ctx("reading a link")?),
                    letter: LetterRef {
                        id: LetterId(row.try_get("letter_id").ctx("reading a link")?),
                        slug: text("slug")?,
                        title: text("title")?,
                    },
                    expires_at: row.try_get("expires_at").ctx("reading a link")?,
                    used: used_at.is_some(),
                    signature_state: parse_stored(&text("signature_state")?, "signature state")?,
                    letter_state: parse_stored(&text("letter_state")?, "letter state")?,
                    closes_at: row.try_get("closes_at").ctx("reading a link")?,
                    closed_at: row.try_get("closed_at").ctx("reading a link")?,
                    same_category: link_category == signature_category,
                    special: organisation.is_some() || review || held,
                },
            );
        }
    }
    Ok(links)
}

/// Publishes the winners' signatures with the submissions their links carry, and spends
/// every link of each; returns the signatures it published. The state condition makes a
/// signature another process published meanwhile count once (see `apply_confirm`).
async fn publish(conn: &mut Conn, winners: &[Winner<'_>]) -> Result<Vec<SignatureId>, StoreError> {
    let mut published = Vec::with_capacity(winners.len());
    for chunk in winners.chunks(CHUNK) {
        // A signature whose category stays is published without touching its category
        // index (an index entry rewritten for nothing costs a page write per signature);
        // the few whose link changes it, in a statement of their own.
        let (same, changed): (Vec<&Winner>, Vec<&Winner>) =
            chunk.iter().partition(|w| w.same_category);
        let mut ids = HashSet::with_capacity(chunk.len());
        for (group, set_category) in [(same, false), (changed, true)] {
            if !group.is_empty() {
                ids.extend(publish_group(conn, &group, set_category).await?);
            }
        }
        let spent: Vec<&Winner> = chunk
            .iter()
            .filter(|w| ids.contains(&w.signature))
            .collect();
        if !spent.is_empty() {
            // Every link sent for these signatures is spent now.
            let mut query = QueryBuilder::<Db>::new("WITH v (v_signature, v_now) AS (");
            query.push_values(&spent, |mut row, winner| {
                row.push_bind(winner.signature.0)
                    .push_bind(winner.command.now);
            });
            query.push(
                ") UPDATE confirmation_tokens SET used_at = v.v_now
                   FROM v WHERE confirmation_tokens.signature_id = v.v_signature
                   AND confirmation_tokens.used_at IS NULL",
            );
            execute_built(conn, query, "spending confirmation links").await?;
        }
        published.extend(spent.iter().map(|w| w.signature));
    }
    Ok(published)
}

/// Publishes `group` with its links' submissions, their categories too when
/// `set_category`; returns the signatures it published.
async fn publish_group(
    conn: &mut Conn,
    group: &[&Winner<'_>],
    set_category: bool,
) -> Result<Vec<SignatureId>, StoreError> {
    let mut query = QueryBuilder::<Db>::new("WITH v (v_hash, v_now) AS (");
    query.push_values(group, |mut row, winner| {
        row.push_bind(winner.command.token_hash.to_vec())
            .push_bind(winner.command.now);
    });
    query.push(
        ") UPDATE signatures
           SET state = 'published', confirmed_at = v.v_now, published_at = v.v_now,
               name = t.name, title = t.title, affiliation = t.affiliation, city = t.city,
               country = t.country, comment = t.comment, display_level = t.display_level,
               show_city = t.show_city",
    );
    if set_category {
        query.push(", category_id = t.category_id");
    }
    query.push(
        " FROM v JOIN confirmation_tokens t ON t.token_hash = v.v_hash
          WHERE signatures.id = t.signature_id AND signatures.state = 'pending'",
    );
    if !set_category {
        // As read: a signature whose category changed since is not published with the
        // wrong one.
        query.push(" AND signatures.category_id = t.category_id");
    }
    query.push(" RETURNING signatures.id");
    let rows = fetch_built(conn, query, "confirming signatures").await?;
    rows.iter()
        .map(|row| Ok(SignatureId(row.try_get("id").ctx("confirming signatures")?)))
        .collect()
}

/// The published signatures' rows their log entries are made from, by signature.
async fn read_published(
    conn: &mut Conn,
    published: &[SignatureId],
) -> Result<HashMap<SignatureId, super::DbRow>, StoreError> {
    let mut rows = HashMap::with_capacity(published.len());
    for chunk in published.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|s| s.0).collect();
        let found = sqlx::query(published!(concat!(" WHERE s.id ", in_list!("$1"))))
            .bind(dialect::id_list(&ids))
            .persistent(false)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading published signatures")?;
        for row in found {
            let id = SignatureId(row.try_get("id").ctx("reading a signature")?);
            rows.insert(id, row);
        }
    }
    Ok(rows)
}
