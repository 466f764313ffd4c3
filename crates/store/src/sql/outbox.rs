//! The email outbox: leased by workers, cleared of personal data once sent.

use async_trait::async_trait;
use sqlx::Row;

use super::{Conn, Ctx, SqlStore, dialect, personal};
use crate::{
    OutboxStore, StoreError,
    model::*,
    parse_stored,
    sealed::{Field, Keyring},
};

#[async_trait]
impl OutboxStore for SqlStore {
    async fn claim_outbox(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboxEmail>, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("claiming emails")?;
        claim(&mut conn, &self.keyring, worker, now, lease_until, limit).await
    }

    async fn renew_outbox_leases(
        &self,
        worker: &str,
        ids: &[i64],
        until: Timestamp,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(concat!(
            "UPDATE outbox SET claimed_until = $1
             WHERE claimed_by = $2 AND status = 'pending' AND id ",
            in_list!("$3")
        ))
        .bind(until)
        .bind(worker)
        .bind(dialect::id_list(ids))
        .execute(&self.pool)
        .await
        .ctx("renewing leases on emails")?;
        Ok(())
    }

    async fn outbox_sent(
        &self,
        ids: &[i64],
        worker: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("marking emails sent")?;
        mark_sent(&mut conn, ids, worker, now).await
    }

    async fn outbox_withheld(&self, ids: &[i64], worker: &str) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.ctx("recording withheld emails")?;
        mark_withheld(&mut conn, ids, worker).await
    }

    async fn outbox_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let query = match retry_at {
            Some(at) => sqlx::query(
                "UPDATE outbox SET next_attempt_at = $1, claimed_by = NULL, claimed_until = NULL,
                     last_error = $2
                 WHERE id = $3 AND claimed_by = $4",
            )
            .bind(at),
            None => sqlx::query(
                "UPDATE outbox SET status = 'failed', claimed_by = NULL, claimed_until = NULL,
                     last_error = $1, recipient = NULL, params = NULL
                 WHERE id = $2 AND claimed_by = $3",
            ),
        };
        query
            .bind(error)
            .bind(id)
            .bind(worker)
            .execute(&self.pool)
            .await
            .ctx("recording a failed email")?;
        Ok(())
    }

    async fn outbox_pending(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await
            .ctx("counting queued emails")?;
        Ok(n.max(0) as u64)
    }

    async fn prune_mail_limits(&self, now: Timestamp) -> Result<u64, StoreError> {
        super::mail_limits::prune(self, now).await
    }
}

/// Queues an email to `recipient`, sealed, and returns its outbox id.
pub(super) async fn enqueue(
    conn: &mut Conn,
    keys: &Keyring,
    event_key: String,
    kind: EmailKind,
    recipient: &str,
    params: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                             next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)
         RETURNING id",
    )
    .bind(event_key)
    .bind(kind.as_str())
    .bind(keys.seal(Field::Recipient, recipient))
    .bind(keys.seal(Field::EmailParams, params))
    .bind(now)
    .fetch_one(conn)
    .await
    .ctx("queueing an email")?
    .try_get("id")
    .ctx("queueing an email")
}

/// Marks the emails `ids` that `worker` holds sent, forgetting their recipients and
/// parameters, in one statement; returns how many it marked.
pub(super) async fn mark_sent(
    conn: &mut Conn,
    ids: &[i64],
    worker: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(concat!(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_by = NULL,
             claimed_until = NULL, recipient = NULL, params = NULL, last_error = NULL
         WHERE claimed_by = $2 AND id ",
        in_list!("$3")
    ))
    .bind(now)
    .bind(worker)
    .bind(dialect::id_list(ids))
    .execute(conn)
    .await
    .ctx("marking emails sent")?;
    Ok(done.rows_affected())
}

/// Gives up the withheld emails `ids` that `worker` holds (their reason is stored already),
/// in one statement.
pub(super) async fn mark_withheld(
    conn: &mut Conn,
    ids: &[i64],
    worker: &str,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(concat!(
        "UPDATE outbox SET status = 'failed', claimed_by = NULL, claimed_until = NULL,
             recipient = NULL, params = NULL
         WHERE claimed_by = $1 AND id ",
        in_list!("$2")
    ))
    .bind(worker)
    .bind(dialect::id_list(ids))
    .execute(conn)
    .await
    .ctx("recording withheld emails")?;
    Ok(())
}

/// Leases up to `limit` due emails to `worker` until `lease_until` and opens them.
pub(super) async fn claim(
    conn: &mut Conn,
    keys: &Keyring,
    worker: &str,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<OutboxEmail>, StoreError> {
    // One statement. On PostgreSQL the workers of every process claim at once: SKIP
    // LOCKED passes over rows another worker is claiming right now instead of waiting for
    // them, and a row whose claim committed after this statement began is re-checked and
    // left out (its lease is in the future), so two workers never lease the same row.
    // The sub-select is MATERIALIZED so that it runs, and locks, exactly once.
    let rows = sqlx::query(concat!(
        "WITH due AS MATERIALIZED (
             SELECT id AS due_id FROM outbox
             WHERE status = 'pending' AND next_attempt_at <= $3
               AND (claimed_until IS NULL OR claimed_until <= $3)
             ORDER BY id LIMIT $4",
        lock!(FOR UPDATE SKIP LOCKED),
        ")
         UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
         FROM due WHERE outbox.id = due.due_id
         RETURNING id, kind, recipient, params, attempts, last_error",
    ))
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await
    .ctx("claiming emails")?;
    let mut emails: Vec<OutboxEmail> = rows
        .iter()
        .map(|row| {
            let attempts: i64 = row.try_get("attempts").ctx("reading an email")?;
            let kind: String = row.try_get("kind").ctx("reading an email")?;
            Ok(OutboxEmail {
                id: row.try_get("id").ctx("reading an email")?,
                kind: parse_stored(&kind, "email kind")?,
                recipient: personal::open_optional(keys, row, "recipient", Field::Recipient)?
                    .unwrap_or_default(),
                params: personal::open_optional(keys, row, "params", Field::EmailParams)?
                    .unwrap_or_default(),
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                withheld: if row
                    .try_get::<Option<Vec<u8>>, _>("recipient")
                    .ctx("reading an email")?
                    .is_none()
                {
                    Some(
                        row.try_get::<Option<String>, _>("last_error")
                            .ctx("reading an email")?
                            .unwrap_or_else(|| "withheld".to_owned()),
                    )
                } else {
                    None
                },
            })
        })
        .collect::<Result<_, StoreError>>()?;
    emails.sort_by_key(|e| e.id);
    Ok(emails)
}
