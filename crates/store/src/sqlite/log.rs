//! Each letter's log on SQLite: appending a batch's entries, and reading entries, stored
//! hashes and the head for the public log resources.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row, SqliteConnection};

use super::{Ctx, SqliteStore};
use crate::{
    StoreError,
    log::{
        PendingEntry, empty_root, entries_in_order, frontier_indexes, hash_from, plan_append,
        to_i64, to_u64,
    },
    model::*,
};

async fn head(conn: &mut SqliteConnection, letter: LetterId) -> Result<LogHead, StoreError> {
    let row = sqlx::query("SELECT size, root FROM log_heads WHERE letter_id = ?")
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

async fn hashes(
    conn: &mut SqliteConnection,
    letter: LetterId,
    indexes: &[u64],
) -> Result<Vec<Hash32>, StoreError> {
    let mut found: HashMap<u64, Hash32> = HashMap::with_capacity(indexes.len());
    for chunk in indexes.chunks(500) {
        // Only "?" placeholders are formatted into the statement.
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let mut query = sqlx::query_as::<_, (i64, Vec<u8>)>(AssertSqlSafe(format!(
            "SELECT hash_index, hash FROM log_hashes
             WHERE letter_id = ? AND hash_index IN ({placeholders})"
        )))
        .bind(letter.0);
        for &index in chunk {
            query = query.bind(to_i64(index)?);
        }
        for (index, hash) in query
            .fetch_all(&mut *conn)
            .await
            .ctx("reading log hashes")?
        {
            found.insert(to_u64(index, "hash index")?, hash_from(hash)?);
        }
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
/// entries, new stored hashes and the new head, and each add entry's index and salt on its
/// signature.
pub(super) async fn append(
    conn: &mut SqliteConnection,
    letter: LetterId,
    entries: &[PendingEntry],
) -> Result<(), StoreError> {
    let old = head(conn, letter).await?;
    let frontier = hashes(conn, letter, &frontier_indexes(old.size)).await?;
    let data: Vec<Vec<u8>> = entries.iter().map(|e| e.data.clone()).collect();
    let plan = plan_append(old.size, &frontier, &data)?;
    for (offset, entry) in entries.iter().enumerate() {
        let index = to_i64(old.size + offset as u64)?;
        sqlx::query("INSERT INTO log_entries (letter_id, idx, data) VALUES (?, ?, ?)")
            .bind(letter.0)
            .bind(index)
            .bind(&entry.data)
            .execute(&mut *conn)
            .await
            .ctx("appending to a log")?;
        if let Some((signature, salt)) = &entry.signature {
            sqlx::query("UPDATE signatures SET log_index = ?, salt = ? WHERE id = ?")
                .bind(index)
                .bind(&salt[..])
                .bind(signature.0)
                .execute(&mut *conn)
                .await
                .ctx("appending to a log")?;
        }
    }
    for (index, hash) in &plan.hashes {
        sqlx::query("INSERT INTO log_hashes (letter_id, hash_index, hash) VALUES (?, ?, ?)")
            .bind(letter.0)
            .bind(to_i64(*index)?)
            .bind(&hash[..])
            .execute(&mut *conn)
            .await
            .ctx("appending to a log")?;
    }
    sqlx::query(
        "INSERT INTO log_heads (letter_id, size, root) VALUES (?, ?, ?)
         ON CONFLICT (letter_id) DO UPDATE SET size = excluded.size, root = excluded.root",
    )
    .bind(letter.0)
    .bind(to_i64(plan.new_size)?)
    .bind(&plan.root[..])
    .execute(&mut *conn)
    .await
    .ctx("appending to a log")?;
    Ok(())
}

impl SqliteStore {
    pub(super) async fn log_head(&self, letter: LetterId) -> Result<LogHead, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("reading a log head")?;
        head(&mut conn, letter).await
    }

    pub(super) async fn log_hashes(
        &self,
        letter: LetterId,
        indexes: &[u64],
    ) -> Result<Vec<Hash32>, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("reading log hashes")?;
        hashes(&mut conn, letter, indexes).await
    }

    pub(super) async fn log_entries(
        &self,
        letter: LetterId,
        start: u64,
        end: u64,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT idx, data FROM log_entries WHERE letter_id = ? AND idx >= ? AND idx < ?
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

    pub(super) async fn receipt(
        &self,
        token_hash: Hash32,
    ) -> Result<Option<ReceiptData>, StoreError> {
        let row = sqlx::query(
            "SELECT l.id AS letter_id, l.slug, l.title, s.id AS signature_id, s.log_index, s.salt, e.data
             FROM confirmation_tokens t
             JOIN signatures s ON s.id = t.signature_id
             JOIN letters l ON l.id = s.letter_id
             JOIN log_entries e ON e.letter_id = s.letter_id AND e.idx = s.log_index
             WHERE t.token_hash = ? AND t.used_at IS NOT NULL AND s.salt IS NOT NULL",
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
            })
        })
        .transpose()
    }
}
