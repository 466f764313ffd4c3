//! Each letter's log: appending a batch's entries, and reading entries, stored hashes and
//! the head for the public log resources.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};

use undersigned_core::signature::PublicSigner;

use super::{Conn, Ctx, Db, DbRow, SqlStore, dialect, execute_built};
use crate::{
    LogStore, StoreError,
    log::{
        PendingEntry, empty_root, entries_in_order, frontier_indexes, hash_from, plan_append,
        to_i64, to_u64,
    },
    model::*,
};

/// Whether reading a log head locks it until the transaction ends (PostgreSQL): one writer
/// appends to a letter's log at a time, whichever process it runs in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lock {
    None,
    ForAppend,
}

async fn head(conn: &mut Conn, letter: LetterId, lock: Lock) -> Result<LogHead, StoreError> {
    let sql = match lock {
        Lock::None => "SELECT size, root FROM log_heads WHERE letter_id = $1",
        Lock::ForAppend => concat!(
            "SELECT size, root FROM log_heads WHERE letter_id = $1",
            lock!(FOR UPDATE)
        ),
    };
    let row = sqlx::query(sql)
        .bind(letter.0)
        .fetch_optional(conn)
        .await
        .ctx("reading a log head")?;
    match row {
        None => Ok(LogHead {
            size: 0,
            root: empty_root(),
        }),
        Some(row) => Ok(LogHead {
            size: to_u64(row.try_get("size").ctx("reading a log head")?, "log size")?,
            root: hash_from(row.try_get("root").ctx("reading a log head")?)?,
        }),
    }
}

/// The stored hashes at `indexes`, in that order, in one statement.
async fn hashes(
    conn: &mut Conn,
    letter: LetterId,
    indexes: &[u64],
) -> Result<Vec<Hash32>, StoreError> {
    let wanted = indexes
        .iter()
        .map(|&i| to_i64(i))
        .collect::<Result<Vec<i64>, StoreError>>()?;
    let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(concat!(
        "SELECT hash_index, hash FROM log_hashes WHERE letter_id = $1 AND hash_index ",
        in_list!("$2")
    ))
    .bind(letter.0)
    .bind(dialect::id_list(&wanted))
    .fetch_all(&mut *conn)
    .await
    .ctx("reading log hashes")?;
    let mut found: HashMap<u64, Hash32> = HashMap::with_capacity(rows.len());
    for (index, hash) in rows {
        found.insert(to_u64(index, "hash index")?, hash_from(hash)?);
    }
    indexes
        .iter()
        .map(|index| {
            found.get(index).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("stored hash {index} of letter {letter} is missing"))
            })
        })
        .collect()
}

/// Appends `entries` (all of `letter`) to its log, in the caller's write transaction:
/// entries, new stored hashes and the new head, each add entry's index and salt on its
/// signature, and the openings of format 2 add entries. Returns the index of the first
/// entry; the others follow it in order.
pub(super) async fn append(
    conn: &mut Conn,
    letter: LetterId,
    entries: &[PendingEntry],
) -> Result<u64, StoreError> {
    // A log's first append creates its head row. When two processes' batches do that at
    // once (PostgreSQL), the second insert waits for the first transaction and then does
    // nothing; both then lock the row, one after the other.
    sqlx::query(
        "INSERT INTO log_heads (letter_id, size, root) VALUES ($1, 0, $2)
         ON CONFLICT (letter_id) DO NOTHING",
    )
    .bind(letter.0)
    .bind(&empty_root()[..])
    .execute(&mut *conn)
    .await
    .ctx("appending to a log")?;
    let old = head(conn, letter, Lock::ForAppend).await?;
    let frontier = hashes(conn, letter, &frontier_indexes(old.size)).await?;
    let data: Vec<Vec<u8>> = entries.iter().map(|e| e.data.clone()).collect();
    let plan = plan_append(old.size, &frontier, &data)?;
    let indexed = entries
        .iter()
        .enumerate()
        .map(|(offset, entry)| Ok((to_i64(old.size + offset as u64)?, entry)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    // A few statements per append, whatever its size: each table's rows in one statement
    // (per chunk). Their text differs with the number of rows, so they are not kept.
    for chunk in indexed.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new("INSERT INTO log_entries (letter_id, idx, data) ");
        query.push_values(chunk, |mut row, (index, entry)| {
            row.push_bind(letter.0)
                .push_bind(*index)
                .push_bind(&entry.data);
        });
        execute_built(conn, query, "appending to a log").await?;
        let signed: Vec<_> = chunk
            .iter()
            .filter_map(|(index, entry)| entry.signature.as_ref().map(|s| (*index, s)))
            .collect();
        if !signed.is_empty() {
            let mut query = QueryBuilder::<Db>::new("WITH v (v_signature, v_index, v_salt) AS (");
            query.push_values(&signed, |mut row, (index, (signature, salt))| {
                row.push_bind(signature.0)
                    .push_bind(*index)
                    .push_bind(&salt[..]);
            });
            query.push(
                ") UPDATE signatures SET log_index = v.v_index, salt = v.v_salt
                 FROM v WHERE signatures.id = v.v_signature",
            );
            execute_built(conn, query, "appending to a log").await?;
        }
        let opened: Vec<_> = chunk
            .iter()
            .filter_map(|(index, entry)| entry.opening.as_ref().map(|o| (*index, o)))
            .collect();
        if !opened.is_empty() {
            let mut query = QueryBuilder::<Db>::new(
                "INSERT INTO log_openings (letter_id, idx, salt, name, details, comment) ",
            );
            query.push_values(&opened, |mut row, (index, opening)| {
                row.push_bind(letter.0)
                    .push_bind(*index)
                    .push_bind(&opening.salt[..])
                    .push_bind(&opening.shown.shown_name)
                    .push_bind(&opening.shown.details)
                    .push_bind(&opening.shown.comment);
            });
            execute_built(conn, query, "appending to a log").await?;
        }
    }
    let hashes = plan
        .hashes
        .iter()
        .map(|(index, hash)| Ok((to_i64(*index)?, hash)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    for chunk in hashes.chunks(CHUNK) {
        let mut query =
            QueryBuilder::<Db>::new("INSERT INTO log_hashes (letter_id, hash_index, hash) ");
        query.push_values(chunk, |mut row, (index, hash)| {
            row.push_bind(letter.0)
                .push_bind(*index)
                .push_bind(&hash[..]);
        });
        execute_built(conn, query, "appending to a log").await?;
    }
    sqlx::query("UPDATE log_heads SET size = $1, root = $2 WHERE letter_id = $3")
        .bind(to_i64(plan.new_size)?)
        .bind(&plan.root[..])
        .bind(letter.0)
        .execute(&mut *conn)
        .await
        .ctx("appending to a log")?;
    Ok(old.size)
}

/// The most rows one of [`append`]'s statements carries (an opening binds six values a row).
const CHUNK: usize = 200;

#[async_trait]
impl LogStore for SqlStore {
    async fn log_head(&self, letter: LetterId) -> Result<LogHead, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("reading a log head")?;
        head(&mut conn, letter, Lock::None).await
    }

    async fn log_hashes(
        &self,
        letter: LetterId,
        indexes: &[u64],
    ) -> Result<Vec<Hash32>, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("reading log hashes")?;
        hashes(&mut conn, letter, indexes).await
    }

    async fn log_entries(
        &self,
        letter: LetterId,
        start: u64,
        end: u64,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT idx, data FROM log_entries WHERE letter_id = $1 AND idx >= $2 AND idx < $3
             ORDER BY idx",
        )
        .bind(letter.0)
        .bind(to_i64(start)?)
        .bind(to_i64(end)?)
        .fetch_all(&self.pool)
        .await
        .ctx("reading log entries")?;
        entries_in_order(letter, start, end, rows)
    }

    async fn log_openings(
        &self,
        letter: LetterId,
        start: u64,
        end: u64,
    ) -> Result<OpeningsPage, StoreError> {
        // One snapshot: the openings and the log size they belong to (a removal deletes an
        // opening in the transaction that appends its remove entry).
        let mut tx = self.begin_read().await?;
        let rows = sqlx::query(
            "SELECT idx, salt, name, details, comment FROM log_openings
             WHERE letter_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
        )
        .bind(letter.0)
        .bind(to_i64(start)?)
        .bind(to_i64(end)?)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading log openings")?;
        let log_size = head(&mut tx, letter, Lock::None).await?.size;
        let openings = rows
            .iter()
            .map(|row| {
                let index = to_u64(row.try_get("idx").ctx("reading an opening")?, "log index")?;
                Ok((index, opening_from_row(row, "")?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(OpeningsPage { log_size, openings })
    }

    async fn receipt(&self, token_hash: Hash32) -> Result<Option<ReceiptData>, StoreError> {
        let row = sqlx::query(
            "SELECT l.id AS letter_id, l.slug, l.title, l.log_version, s.id AS signature_id,
                    s.log_index, s.salt, e.data, o.salt AS opening_salt, o.name AS opening_name,
                    o.details AS opening_details, o.comment AS opening_comment,
                    t.since AS used_at, s.category_id, s.display_level, s.state
             FROM (SELECT signature_id, used_at AS since FROM confirmation_tokens
                   WHERE token_hash = $1 AND used_at IS NOT NULL
                   UNION ALL
                   SELECT signature_id, created_at AS since FROM manage_tokens
                   WHERE token_hash = $1) t
             JOIN signatures s ON s.id = t.signature_id
             JOIN letters l ON l.id = s.letter_id
             JOIN log_entries e ON e.letter_id = s.letter_id AND e.idx = s.log_index
             LEFT JOIN log_openings o ON o.letter_id = s.letter_id AND o.idx = s.log_index
             WHERE s.salt IS NOT NULL",
        )
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await
        .ctx("reading a receipt")?;
        row.map(|row| {
            Ok(ReceiptData {
                letter: LetterRef {
                    id: LetterId(row.try_get("letter_id").ctx("reading a receipt")?),
                    slug: row.try_get("slug").ctx("reading a receipt")?,
                    title: row.try_get("title").ctx("reading a receipt")?,
                },
                signature: SignatureId(row.try_get("signature_id").ctx("reading a receipt")?),
                index: to_u64(
                    row.try_get("log_index").ctx("reading a receipt")?,
                    "log index",
                )?,
                entry: row.try_get("data").ctx("reading a receipt")?,
                salt: hash_from(row.try_get("salt").ctx("reading a receipt")?)?,
                log_version: log_version(row.try_get("log_version").ctx("reading a receipt")?)?,
                opening: optional_opening(&row, "opening_")?,
                link_used_at: row.try_get("used_at").ctx("reading a receipt")?,
                category: CategoryId(row.try_get("category_id").ctx("reading a receipt")?),
                display: crate::parse_stored(
                    &row.try_get::<String, _>("display_level")
                        .ctx("reading a receipt")?,
                    "display level",
                )?,
                state: crate::parse_stored(
                    &row.try_get::<String, _>("state").ctx("reading a receipt")?,
                    "signature state",
                )?,
            })
        })
        .transpose()
    }
}

/// A stored log version.
pub(super) fn log_version(number: i64) -> Result<LogVersion, StoreError> {
    u8::try_from(number)
        .ok()
        .and_then(LogVersion::from_number)
        .ok_or_else(|| StoreError::Corrupt(format!("log version {number}")))
}

/// The opening in a row's columns `{prefix}salt`, `{prefix}name`, `{prefix}details` and
/// `{prefix}comment`.
fn opening_from_row(row: &DbRow, prefix: &str) -> Result<Opening, StoreError> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(Opening {
        salt: hash_from(
            row.try_get(column("salt").as_str())
                .ctx("reading an opening")?,
        )?,
        shown: PublicSigner {
            shown_name: row
                .try_get(column("name").as_str())
                .ctx("reading an opening")?,
            details: row
                .try_get(column("details").as_str())
                .ctx("reading an opening")?,
            comment: row
                .try_get(column("comment").as_str())
                .ctx("reading an opening")?,
        },
    })
}

/// The opening a LEFT JOIN found (its columns prefixed with `prefix`), if any.
pub(super) fn optional_opening(row: &DbRow, prefix: &str) -> Result<Option<Opening>, StoreError> {
    let salt: Option<Vec<u8>> = row
        .try_get(format!("{prefix}salt").as_str())
        .ctx("reading an opening")?;
    match salt {
        None => Ok(None),
        Some(_) => opening_from_row(row, prefix).map(Some),
    }
}
