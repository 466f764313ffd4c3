//! Resealing: every sealed personal field that is not sealed under the keyring's current key
//! (text written before sealing existed included) is sealed again under it, a chunk of rows
//! per transaction. Each row is updated only if it still holds what was read, so a row that
//! changed meanwhile (an email sent, a signature confirmed) is left for the next pass; passes
//! repeat until one finds nothing to do. Runs when the store opens after the keyring's
//! current key changed (and once after the upgrade that introduced sealing), and for
//! `undersigned keys rotate`.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sqlx::{AssertSqlSafe, Row};

use super::{Ctx, DbRow, SqlStore, dialect};
use crate::{
    SealStore, StoreError,
    sealed::{Field, KeyId, sealed_key},
};

/// Rows per transaction.
const CHUNK: i64 = 500;
/// Passes before giving up on rows that keep changing under the reseal.
const MAX_PASSES: u32 = 5;

/// How a table's rows are ordered and named.
#[derive(Clone, Copy)]
enum Key {
    Integer(&'static str),
    Bytes(&'static str),
}

impl Key {
    fn column(self) -> &'static str {
        match self {
            Key::Integer(c) | Key::Bytes(c) => c,
        }
    }
}

/// A table with sealed columns.
struct SealedTable {
    name: &'static str,
    key: Key,
    columns: &'static [(&'static str, Field)],
}

const SIGNER: [(&str, Field); 6] = [
    ("name", Field::Name),
    ("title", Field::Title),
    ("affiliation", Field::Affiliation),
    ("city", Field::City),
    ("country", Field::Country),
    ("comment", Field::Comment),
];

static TABLES: &[SealedTable] = &[
    SealedTable {
        name: "signatures",
        key: Key::Integer("id"),
        columns: &[
            ("email", Field::Email),
            SIGNER[0],
            SIGNER[1],
            SIGNER[2],
            SIGNER[3],
            SIGNER[4],
            SIGNER[5],
            ("lang", Field::Lang),
        ],
    },
    SealedTable {
        name: "confirmation_tokens",
        key: Key::Bytes("token_hash"),
        columns: &SIGNER,
    },
    SealedTable {
        name: "outbox",
        key: Key::Integer("id"),
        columns: &[
            ("recipient", Field::Recipient),
            ("params", Field::EmailParams),
        ],
    },
    SealedTable {
        name: "user_totp",
        key: Key::Integer("user_id"),
        columns: &[("secret", Field::TotpSecret)],
    },
];

/// Where a pass stands in a table.
#[derive(Clone)]
enum Cursor {
    Start,
    Integer(i64),
    Bytes(Vec<u8>),
}

/// A row as read: its key and its sealed columns' values.
struct Read {
    key: Cursor,
    values: Vec<Option<Vec<u8>>>,
}

fn read_row(table: &SealedTable, row: &DbRow) -> Result<Read, StoreError> {
    let key = match table.key {
        Key::Integer(c) => Cursor::Integer(row.try_get(c).ctx("reading a sealed row")?),
        Key::Bytes(c) => Cursor::Bytes(row.try_get(c).ctx("reading a sealed row")?),
    };
    let values = table
        .columns
        .iter()
        .map(|(c, _)| row.try_get::<Option<Vec<u8>>, _>(*c))
        .collect::<Result<_, _>>()
        .ctx("reading a sealed row")?;
    Ok(Read { key, values })
}

impl SqlStore {
    /// One chunk of `table` after `cursor`.
    async fn read_chunk(
        &self,
        table: &SealedTable,
        cursor: &Cursor,
    ) -> Result<Vec<Read>, StoreError> {
        let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        let key = table.key.column();
        let select = format!("SELECT {key}, {} FROM {}", columns.join(", "), table.name);
        // Only the names in TABLES are formatted into these statements.
        let rows = match cursor {
            Cursor::Start => {
                sqlx::query(AssertSqlSafe(format!("{select} ORDER BY {key} LIMIT $1")))
                    .bind(CHUNK)
                    .fetch_all(&self.pool)
                    .await
            }
            Cursor::Integer(after) => {
                sqlx::query(AssertSqlSafe(format!(
                    "{select} WHERE {key} > $1 ORDER BY {key} LIMIT $2"
                )))
                .bind(*after)
                .bind(CHUNK)
                .fetch_all(&self.pool)
                .await
            }
            Cursor::Bytes(after) => {
                sqlx::query(AssertSqlSafe(format!(
                    "{select} WHERE {key} > $1 ORDER BY {key} LIMIT $2"
                )))
                .bind(after.as_slice())
                .bind(CHUNK)
                .fetch_all(&self.pool)
                .await
            }
        }
        .ctx("reading sealed rows")?;
        rows.iter().map(|row| read_row(table, row)).collect()
    }

    /// Reseals what needs it in `rows`, in one transaction; returns how many values changed.
    async fn reseal_chunk(&self, table: &SealedTable, rows: &[Read]) -> Result<u64, StoreError> {
        let mut changes = Vec::new();
        for row in rows {
            let mut new = Vec::with_capacity(row.values.len());
            let mut changed = 0;
            for ((_, field), value) in table.columns.iter().zip(&row.values) {
                new.push(match value {
                    Some(stored) if !self.keyring.is_current(stored) => {
                        let text = self.keyring.open(*field, stored).map_err(|e| {
                            StoreError::Corrupt(format!("a sealed {}: {e}", table.name))
                        })?;
                        changed += 1;
                        Some(self.keyring.seal(*field, &text))
                    }
                    other => other.clone(),
                });
            }
            if changed > 0 {
                changes.push((row, new, changed));
            }
        }
        if changes.is_empty() {
            return Ok(0);
        }
        let set: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(n, (c, _))| format!("{c} = ${}", n + 1))
            .collect();
        let width = table.columns.len();
        let unchanged: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(n, (c, _))| {
                // Text written before sealing compares as its bytes (SQLite keeps its type).
                format!(
                    "CAST({c} AS {}) IS NOT DISTINCT FROM ${}",
                    bytes_type!(),
                    width + n + 2
                )
            })
            .collect();
        let update = format!(
            "UPDATE {} SET {} WHERE {} = ${} AND {}",
            table.name,
            set.join(", "),
            table.key.column(),
            width + 1,
            unchanged.join(" AND ")
        );
        let mut tx = self.begin_write().await?;
        let mut done = 0;
        for (row, new, changed) in changes {
            let mut query = sqlx::query(AssertSqlSafe(update.clone()));
            for value in &new {
                query = query.bind(value.as_deref());
            }
            query = match &row.key {
                Cursor::Integer(k) => query.bind(*k),
                Cursor::Bytes(k) => query.bind(k.as_slice()),
                Cursor::Start => query,
            };
            for value in &row.values {
                query = query.bind(value.as_deref());
            }
            let updated = query
                .execute(&mut *tx)
                .await
                .ctx("resealing personal data")?;
            if updated.rows_affected() == 1 {
                done += changed;
            }
        }
        tx.commit().await.ctx("resealing personal data")?;
        Ok(done)
    }

    /// One pass over every table; returns how many values changed, how many needed it, and
    /// how many rows it read.
    async fn reseal_pass(
        &self,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(u64, u64, u64), StoreError> {
        let (mut changed, mut rows_seen) = (0, 0);
        let mut needed = 0;
        for table in TABLES {
            let mut cursor = Cursor::Start;
            loop {
                let rows = self.read_chunk(table, &cursor).await?;
                let Some(last) = rows.last() else { break };
                cursor = last.key.clone();
                needed += rows
                    .iter()
                    .flat_map(|r| r.values.iter().flatten())
                    .filter(|v| !self.keyring.is_current(v))
                    .count() as u64;
                changed += self.reseal_chunk(table, &rows).await?;
                rows_seen += rows.len() as u64;
                progress(rows_seen);
            }
        }
        Ok((changed, needed, rows_seen))
    }
}

#[async_trait]
impl SealStore for SqlStore {
    async fn sealed_rows(&self) -> Result<u64, StoreError> {
        let mut total = 0u64;
        for table in TABLES {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {}",
                table.name
            )))
            .fetch_one(&self.pool)
            .await
            .ctx("counting sealed rows")?;
            total += u64::try_from(n).unwrap_or(0);
        }
        Ok(total)
    }

    async fn reseal(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<u64, StoreError> {
        let mut total = 0;
        for _ in 0..MAX_PASSES {
            let current = self.keyring.current_key();
            let (changed, needed, rows) = self.reseal_pass(progress).await?;
            total += changed;
            if needed == changed {
                // An empty database stays empty (`undersigned copy` wants its target so).
                if rows > 0 {
                    self.set_sealed_under(current).await?;
                }
                if total > 0 {
                    dialect::after_erase(&self.pool)
                        .await
                        .ctx("clearing what was resealed from the write-ahead log")?;
                }
                return Ok(total);
            }
        }
        Err(StoreError::Corrupt(
            "personal data kept changing while it was resealed; run the command again".into(),
        ))
    }

    /// Reseals what the keyring's current key has not sealed yet, unless a reseal under it
    /// completed before. Returns how many values changed.
    async fn reseal_if_needed(&self) -> Result<u64, StoreError> {
        let current = format!("{:08x}", self.keyring.current_key());
        let recorded: Option<String> =
            sqlx::query_scalar("SELECT value FROM instance_facts WHERE name = $1")
                .bind(SEALED_UNDER)
                .fetch_optional(&self.pool)
                .await
                .ctx("reading the resealing")?;
        if recorded.as_deref() == Some(current.as_str()) {
            return Ok(0);
        }
        self.reseal(&|_| {}).await
    }

    async fn keys_in_use(&self) -> Result<BTreeSet<KeyId>, StoreError> {
        let mut keys = BTreeSet::new();
        for table in TABLES {
            let mut cursor = Cursor::Start;
            loop {
                let rows = self.read_chunk(table, &cursor).await?;
                let Some(last) = rows.last() else { break };
                cursor = last.key.clone();
                keys.extend(
                    rows.iter()
                        .flat_map(|r| r.values.iter().flatten())
                        .filter_map(|v| sealed_key(v)),
                );
            }
        }
        Ok(keys)
    }
}

/// The fact that records under which key every value was last resealed.
const SEALED_UNDER: &str = "sealed_under";

impl SqlStore {
    async fn set_sealed_under(&self, key: KeyId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO instance_facts (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(SEALED_UNDER)
        .bind(format!("{key:08x}"))
        .execute(&self.pool)
        .await
        .ctx("recording the resealing")?;
        Ok(())
    }
}
