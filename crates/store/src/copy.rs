//! Copying a whole instance between backends (`undersigned copy`), and checking the copy.
//!
//! Both backends have the same tables with the same column names; [`TABLES`] lists them in an
//! order that satisfies every foreign key. Rows travel as plain [`Value`]s: streamed out of
//! the source in primary-key order, written to the target in multi-row inserts, one
//! transaction per chunk. Afterwards [`verify`] compares every table's row count and a
//! SHA-256 digest of its rows (in primary-key order, in a canonical encoding) on both sides.

use async_trait::async_trait;
use futures_util::{StreamExt, stream::BoxStream};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// How a column's values are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Blob,
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

const fn int(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Int,
    }
}
const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
    }
}
const fn blob(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Blob,
    }
}

/// A table as the copy sees it.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    /// The primary key, for a stable order.
    pub key: &'static [&'static str],
    /// Whether `id` is an identity column whose sequence must follow the copied ids.
    pub identity: bool,
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn order_by(&self) -> String {
        self.key.join(", ")
    }
}

/// Every table of an instance, parents before children.
pub static TABLES: &[Table] = &[
    Table {
        name: "workspaces",
        columns: &[int("id"), text("slug"), text("name"), int("created_at")],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "logos",
        columns: &[
            blob("hash"),
            blob("png"),
            int("width"),
            int("height"),
            int("created_at"),
        ],
        key: &["hash"],
        identity: false,
    },
    Table {
        name: "users",
        columns: &[
            int("id"),
            text("email"),
            text("name"),
            text("password_hash"),
            int("created_at"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "memberships",
        columns: &[int("workspace_id"), int("user_id"), text("role")],
        key: &["workspace_id", "user_id"],
        identity: false,
    },
    Table {
        name: "setup_tokens",
        columns: &[blob("token_hash"), int("expires_at")],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "sessions",
        columns: &[
            blob("id_hash"),
            int("user_id"),
            text("csrf_token"),
            int("created_at"),
            int("expires_at"),
        ],
        key: &["id_hash"],
        identity: false,
    },
    Table {
        name: "invitations",
        columns: &[
            blob("token_hash"),
            int("workspace_id"),
            text("email"),
            text("role"),
            int("invited_by"),
            int("created_at"),
            int("expires_at"),
            int("used_at"),
        ],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "password_resets",
        columns: &[
            blob("token_hash"),
            int("user_id"),
            int("created_at"),
            int("expires_at"),
            int("used_at"),
        ],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "user_totp",
        columns: &[
            int("user_id"),
            blob("secret"),
            int("created_at"),
            int("enabled_at"),
            int("last_step"),
        ],
        key: &["user_id"],
        identity: false,
    },
    Table {
        name: "recovery_codes",
        columns: &[blob("code_hash"), int("user_id"), int("used_at")],
        key: &["user_id", "code_hash"],
        identity: false,
    },
    Table {
        name: "login_challenges",
        columns: &[
            blob("token_hash"),
            int("user_id"),
            int("attempts"),
            int("created_at"),
            int("expires_at"),
        ],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "letters",
        columns: &[
            int("id"),
            int("workspace_id"),
            text("slug"),
            text("title"),
            text("subject"),
            text("body_md"),
            text("signer_fields"),
            text("state"),
            int("created_at"),
            int("updated_at"),
            int("published_at"),
            int("closed_at"),
            int("log_version"),
            int("batch_minutes"),
            text("moderation"),
            text("organisation_category"),
            int("closes_at"),
            int("family_id"),
            int("text_version"),
            int("reconfirm_from"),
            text("lang"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "letter_translations",
        columns: &[
            int("letter_id"),
            text("lang"),
            text("title"),
            text("subject"),
            text("body_md"),
            int("updated_at"),
        ],
        key: &["letter_id", "lang"],
        identity: false,
    },
    Table {
        name: "letter_targets",
        columns: &[
            int("id"),
            int("letter_id"),
            int("position"),
            text("name"),
            text("title"),
            text("organisation"),
            text("email"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "letter_categories",
        columns: &[
            int("id"),
            int("letter_id"),
            int("position"),
            text("name"),
            text("display_levels"),
            int("city_shown"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "signatures",
        columns: &[
            int("id"),
            int("letter_id"),
            int("category_id"),
            text("kind"),
            blob("name"),
            blob("title"),
            blob("affiliation"),
            blob("city"),
            blob("country"),
            blob("comment"),
            blob("email"),
            blob("email_hash"),
            text("display_level"),
            text("state"),
            int("created_at"),
            int("confirmed_at"),
            int("published_at"),
            int("last_emailed_at"),
            int("emails_sent"),
            int("log_index"),
            blob("salt"),
            int("show_city"),
            int("undo_until"),
            text("moderation_reason"),
            int("updates"),
            int("version"),
            blob("lang"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "signature_organisations",
        columns: &[
            int("signature_id"),
            text("name"),
            text("website"),
            text("domain"),
            int("email_on_domain"),
            text("verified"),
            int("verified_at"),
            int("verified_by"),
            text("logo"),
            int("pinned_at"),
        ],
        key: &["signature_id"],
        identity: false,
    },
    Table {
        name: "confirmation_tokens",
        columns: &[
            blob("token_hash"),
            int("signature_id"),
            int("created_at"),
            int("expires_at"),
            int("used_at"),
            int("category_id"),
            blob("name"),
            blob("title"),
            blob("affiliation"),
            blob("city"),
            blob("country"),
            blob("comment"),
            text("display_level"),
            int("show_city"),
        ],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "manage_tokens",
        columns: &[blob("token_hash"), int("signature_id"), int("created_at")],
        key: &["token_hash"],
        identity: false,
    },
    Table {
        name: "letter_counts",
        columns: &[
            int("letter_id"),
            int("category_id"),
            int("count"),
            int("withheld"),
            int("awaiting"),
        ],
        key: &["letter_id", "category_id"],
        identity: false,
    },
    Table {
        name: "log_entries",
        columns: &[int("letter_id"), int("idx"), blob("data")],
        key: &["letter_id", "idx"],
        identity: false,
    },
    Table {
        name: "log_hashes",
        columns: &[int("letter_id"), int("hash_index"), blob("hash")],
        key: &["letter_id", "hash_index"],
        identity: false,
    },
    Table {
        name: "log_heads",
        columns: &[int("letter_id"), int("size"), blob("root")],
        key: &["letter_id"],
        identity: false,
    },
    Table {
        name: "log_openings",
        columns: &[
            int("letter_id"),
            int("idx"),
            blob("salt"),
            text("name"),
            text("details"),
            text("comment"),
        ],
        key: &["letter_id", "idx"],
        identity: false,
    },
    Table {
        name: "outbox",
        columns: &[
            int("id"),
            text("event_key"),
            text("kind"),
            blob("recipient"),
            blob("params"),
            text("status"),
            int("attempts"),
            int("next_attempt_at"),
            text("claimed_by"),
            int("claimed_until"),
            text("last_error"),
            int("created_at"),
            int("sent_at"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "mail_budgets",
        columns: &[
            blob("recipient_key"),
            int("window_start"),
            int("sent"),
            int("asked"),
        ],
        key: &["recipient_key"],
        identity: false,
    },
    Table {
        name: "mail_domain_counts",
        columns: &[int("domain_key"), int("hour"), int("signups")],
        key: &["domain_key"],
        identity: false,
    },
    Table {
        name: "instance_facts",
        columns: &[text("name"), text("value")],
        key: &["name"],
        identity: false,
    },
    Table {
        name: "audit_events",
        columns: &[
            int("id"),
            int("workspace_id"),
            int("user_id"),
            text("action"),
            text("subject"),
            text("detail"),
            int("at"),
            int("letter_id"),
            text("reason"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "workspace_retention",
        columns: &[int("workspace_id"), int("days")],
        key: &["workspace_id"],
        identity: false,
    },
    Table {
        name: "workspace_branding",
        columns: &[
            int("workspace_id"),
            text("website"),
            blob("logo_hash"),
            text("colour"),
        ],
        key: &["workspace_id"],
        identity: false,
    },
    Table {
        name: "letter_erasures",
        columns: &[
            int("letter_id"),
            int("erased_at"),
            int("signatures"),
            int("retention_days"),
        ],
        key: &["letter_id"],
        identity: false,
    },
    Table {
        name: "letter_asks",
        columns: &[
            int("id"),
            int("letter_id"),
            int("position"),
            text("text"),
            text("condition"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "ask_status_changes",
        columns: &[
            int("id"),
            int("ask_id"),
            int("target_id"),
            text("status"),
            text("on_date"),
            text("note"),
            int("recorded_by"),
            int("recorded_at"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "target_responses",
        columns: &[
            int("id"),
            int("letter_id"),
            int("target_id"),
            text("received_on"),
            text("body_markdown"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "response_documents",
        columns: &[
            int("response_id"),
            text("kind"),
            blob("bytes"),
            blob("sha256"),
        ],
        key: &["response_id"],
        identity: false,
    },
    Table {
        name: "letter_updates",
        columns: &[
            int("id"),
            int("letter_id"),
            text("title"),
            text("body_md"),
            text("sources"),
            text("email_params"),
            int("created_by"),
            int("created_at"),
            int("edited_at"),
            int("deleted_at"),
            int("fanout_done_at"),
            text("fanout_claimed_by"),
            int("fanout_claimed_until"),
            int("fanout_after_at"),
            int("fanout_after_id"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "update_recipients",
        columns: &[
            int("update_id"),
            int("signature_id"),
            blob("token_hash"),
            int("created_at"),
        ],
        key: &["update_id", "signature_id"],
        identity: false,
    },
    Table {
        name: "letter_versions",
        columns: &[
            int("letter_id"),
            int("number"),
            text("title"),
            text("subject"),
            text("body_md"),
            blob("sha256"),
            int("substantive"),
            text("note"),
            int("created_by"),
            int("created_at"),
            text("email_params"),
            int("fanout_done_at"),
            text("fanout_claimed_by"),
            int("fanout_claimed_until"),
            int("fanout_after_at"),
            int("fanout_after_id"),
        ],
        key: &["letter_id", "number"],
        identity: false,
    },
    Table {
        name: "reconfirm_requests",
        columns: &[
            int("letter_id"),
            int("number"),
            int("signature_id"),
            blob("token_hash"),
            int("created_at"),
            int("confirmed_at"),
        ],
        key: &["letter_id", "number", "signature_id"],
        identity: false,
    },
    Table {
        name: "deliveries",
        columns: &[
            int("id"),
            int("letter_id"),
            text("status"),
            int("scheduled_for"),
            text("note"),
            int("created_by"),
            int("created_at"),
            int("delivered_at"),
            int("signatures"),
            int("log_size"),
            blob("log_root"),
            text("checkpoint"),
            blob("pdf"),
            blob("pdf_sha256"),
            int("attempts"),
            text("last_error"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "delivery_recipients",
        columns: &[
            int("delivery_id"),
            int("position"),
            text("name"),
            text("title"),
            text("organisation"),
            text("email"),
            int("outbox_id"),
            text("message_id"),
        ],
        key: &["delivery_id", "position"],
        identity: false,
    },
    Table {
        name: "family_invitation_runs",
        columns: &[
            int("id"),
            int("letter_id"),
            text("email_params"),
            int("created_by"),
            int("created_at"),
            int("done_at"),
            int("invited"),
            text("fanout_claimed_by"),
            int("fanout_claimed_until"),
            int("fanout_after_letter"),
            int("fanout_after_at"),
            int("fanout_after_id"),
        ],
        key: &["id"],
        identity: true,
    },
    Table {
        name: "family_invitations",
        columns: &[
            int("id"),
            int("letter_id"),
            int("signature_id"),
            blob("email_hash"),
            int("run_id"),
            blob("token_hash"),
            int("created_at"),
            int("used_at"),
        ],
        key: &["id"],
        identity: true,
    },
];

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

pub type Row = Vec<Value>;

/// Reading and writing whole tables: what each backend provides for the copy.
#[async_trait]
pub trait TableIo: Send + Sync {
    /// A short description for messages ("SQLite /path", "PostgreSQL host/db").
    fn describe(&self) -> String;
    async fn count(&self, table: &'static Table) -> Result<u64, StoreError>;
    /// Every row, in primary-key order.
    fn rows(&self, table: &'static Table) -> BoxStream<'_, Result<Row, StoreError>>;
    /// Inserts rows (all of one table) in one transaction.
    async fn insert(&self, table: &'static Table, rows: &[Row]) -> Result<(), StoreError>;
    /// Called once every table is copied (PostgreSQL moves its identity sequences past the
    /// copied ids).
    async fn finish(&self) -> Result<(), StoreError>;
}

/// Where a copy stands, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub table: &'static str,
    pub table_rows: u64,
    pub table_done: u64,
    pub all_rows: u64,
    pub all_done: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the target already holds data (table {0} is not empty); copy into a new, empty database"
    )]
    TargetNotEmpty(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows per insert statement and transaction.
const CHUNK: usize = 500;

/// Copies every table from `from` to `to` (which must be empty), reporting progress.
pub async fn copy_instance(
    from: &dyn TableIo,
    to: &dyn TableIo,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, CopyError> {
    let mut totals = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        if to.count(table).await? > 0 {
            return Err(CopyError::TargetNotEmpty(table.name));
        }
        totals.push(from.count(table).await?);
    }
    let all_rows: u64 = totals.iter().sum();
    let mut all_done = 0;
    for (table, &table_rows) in TABLES.iter().zip(&totals) {
        let mut table_done = 0;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut rows = from.rows(table);
        let report = |table_done, all_done| {
            progress(Progress {
                table: table.name,
                table_rows,
                table_done,
                all_rows,
                all_done,
            })
        };
        report(0, all_done);
        while let Some(row) = rows.next().await {
            chunk.push(row?);
            if chunk.len() == CHUNK {
                to.insert(table, &chunk).await?;
                table_done += chunk.len() as u64;
                all_done += chunk.len() as u64;
                chunk.clear();
                report(table_done, all_done);
            }
        }
        if !chunk.is_empty() {
            to.insert(table, &chunk).await?;
            table_done += chunk.len() as u64;
            all_done += chunk.len() as u64;
            report(table_done, all_done);
        }
    }
    to.finish().await?;
    Ok(all_done)
}

/// A table that differs between source and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub table: &'static str,
    pub source_rows: u64,
    pub target_rows: u64,
    pub same_content: bool,
}

/// The number of rows and a digest of a table's content.
pub async fn fingerprint(
    io: &dyn TableIo,
    table: &'static Table,
) -> Result<(u64, [u8; 32]), StoreError> {
    let mut hash = Sha256::new();
    let mut rows = io.rows(table);
    let mut n = 0u64;
    while let Some(row) = rows.next().await {
        for value in row? {
            match value {
                Value::Null => hash.update([0]),
                Value::Int(i) => {
                    hash.update([1]);
                    hash.update(i.to_be_bytes());
                }
                Value::Text(t) => {
                    hash.update([2]);
                    hash.update((t.len() as u64).to_be_bytes());
                    hash.update(t.as_bytes());
                }
                Value::Blob(b) => {
                    hash.update([3]);
                    hash.update((b.len() as u64).to_be_bytes());
                    hash.update(&b);
                }
            }
        }
        n += 1;
    }
    Ok((n, hash.finalize().into()))
}

/// Compares every table on both sides; an empty answer means the copy is exact.
pub async fn verify(from: &dyn TableIo, to: &dyn TableIo) -> Result<Vec<Mismatch>, StoreError> {
    let mut mismatches = Vec::new();
    for table in TABLES {
        let (source_rows, source_digest) = fingerprint(from, table).await?;
        let (target_rows, target_digest) = fingerprint(to, table).await?;
        if source_rows != target_rows || source_digest != target_digest {
            mismatches.push(Mismatch {
                table: table.name,
                source_rows,
                target_rows,
                same_content: source_digest == target_digest,
            });
        }
    }
    Ok(mismatches)
}

/// `INSERT INTO table (cols) VALUES ($1, …), (…)` for `rows` rows. Column and table names
/// come from [`TABLES`], never from input.
pub fn insert_sql(table: &Table, rows: usize) -> String {
    let width = table.columns.len();
    let values = (0..rows)
        .map(|r| {
            let cells = (0..width)
                .map(|c| format!("${}", r * width + c + 1))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({cells})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES {values}",
        table.name,
        table.column_list()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_statements() {
        let table = TABLES
            .iter()
            .find(|t| t.name == "memberships")
            .expect("memberships is copied");
        assert_eq!(
            insert_sql(table, 2),
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3), ($4, $5, $6)"
        );
    }

    #[test]
    fn every_table_has_a_key_among_its_columns() {
        for table in TABLES {
            for key in table.key {
                assert!(
                    table.columns.iter().any(|c| c.name == *key),
                    "{}",
                    table.name
                );
            }
            assert_eq!(table.identity, table.key == ["id"], "{}", table.name);
        }
    }
}
