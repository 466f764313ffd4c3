//! Moderation's reads and settings: the per-letter setting, the queue with its filters
//! (keyset-paginated, newest first), one letter's audit trail, and the erasure of hidden
//! signatures' text once their undo window has passed. The actions themselves are writer
//! commands (`batch.rs`, `apply_moderate`).
//!
//! Searching sealed names: a name cannot be found through an index, since only its sealed
//! bytes are stored. A search for an address goes through the keyed hash (the duplicate
//! check's index), exactly. Any other text is compared with the opened names of the
//! signatures that the other filters let through, in keyset order, a bounded number per page
//! (`scan`): a page says how far it looked and where to go on, so a search on a big letter
//! costs what its pages cost, never a whole-table decryption in one request.

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::{SignatureKind, letter::Moderation};

use super::{Conn, Ctx, DbRow, SqlStore, personal};
use crate::{ModerationStore, StoreError, model::*, parse_stored, queue::*, sealed::Field};

/// Appends an event about `letter` (and its signatures) to the audit trail, inside the
/// caller's transaction: the per-letter trail lists these.
#[allow(clippy::too_many_arguments)]
pub(super) async fn audit_letter(
    conn: &mut Conn,
    actor: Option<Actor>,
    workspace: Option<WorkspaceId>,
    letter: LetterId,
    action: &str,
    subject: &str,
    detail: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (workspace_id, user_id, action, subject, detail, at,
                                   letter_id, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(workspace.or(actor.map(|a| a.workspace)).map(|w| w.0))
    .bind(actor.map(|a| a.user.0))
    .bind(action)
    .bind(subject)
    .bind(detail)
    .bind(at)
    .bind(letter.0)
    .bind(reason)
    .execute(conn)
    .await
    .ctx("recording an audit event")?;
    Ok(())
}

/// How many rows a name search reads from the database at a time.
const SCAN_CHUNK: i64 = 200;

/// The filter as bound values, in the order the statement numbers them from `$2`.
struct Bound {
    category: Option<i64>,
    kind: Option<&'static str>,
    verification: Option<&'static str>,
    /// The states as one string, ",held,published," (empty: any).
    states: Option<String>,
    from: Option<i64>,
    until: Option<i64>,
    email: Option<Vec<u8>>,
}

impl Bound {
    fn of(filter: &QueueFilter) -> Self {
        Self {
            category: filter.category,
            kind: filter.kind.map(SignatureKind::as_str),
            verification: filter.verification.map(|v| v.as_str()),
            states: (!filter.states.is_empty()).then(|| {
                let mut states = String::from(",");
                for state in &filter.states {
                    states.push_str(state.as_str());
                    states.push(',');
                }
                states
            }),
            from: filter.from,
            until: filter.until,
            email: filter.email.as_ref().map(|k| k.0.to_vec()),
        }
    }
}

/// The columns a queue row needs, and the conditions every queue statement shares
/// (`$1` the letter, `$2`..`$8` the filter; a state matches when `,state,` is in `$4`; the
/// verification condition is [`verified!`]'s on `$8`).
macro_rules! queue_select {
    () => {
        concat!(
            "SELECT s.id, s.kind, s.name, s.email, s.title, s.affiliation,
        s.city, s.country, s.comment, s.show_city, s.display_level, s.state,
        c.name AS category, s.created_at, s.log_index, s.moderation_reason, s.undo_until,
        o.verified AS organisation_verified
     FROM signatures s JOIN letter_categories c ON c.id = s.category_id
     LEFT JOIN signature_organisations o ON o.signature_id = s.id
     WHERE s.letter_id = $1
       AND ($2 IS NULL OR s.category_id = $2)
       AND ($3 IS NULL OR s.kind = $3)
       AND ($4 IS NULL OR $4 LIKE '%,' || s.state || ',%')
       AND ($5 IS NULL OR s.created_at >= $5)
       AND ($6 IS NULL OR s.created_at < $6)
       AND ($7 IS NULL OR s.email_hash = $7)
       AND ",
            verified!("$8")
        )
    };
}

fn queue_row(store: &SqlStore, row: &DbRow) -> Result<QueueRow, StoreError> {
    let kind: String = row.try_get("kind").ctx("reading a signature")?;
    let display: String = row.try_get("display_level").ctx("reading a signature")?;
    let state: String = row.try_get("state").ctx("reading a signature")?;
    let verified: Option<String> = row
        .try_get("organisation_verified")
        .ctx("reading a signature")?;
    Ok(QueueRow {
        id: SignatureId(row.try_get("id").ctx("reading a signature")?),
        kind: parse_stored(&kind, "signer kind")?,
        verification: verified
            .map(|v| parse_stored(&v, "verification"))
            .transpose()?,
        log_index: row
            .try_get::<Option<i64>, _>("log_index")
            .ctx("reading a signature")?
            .and_then(|i| u64::try_from(i).ok()),
        name: personal::open(&store.keyring, row, "name", Field::Name)?,
        email: personal::open(&store.keyring, row, "email", Field::Email)?,
        details: personal::details(&store.keyring, row)?,
        display: parse_stored(&display, "display level")?,
        state: parse_stored(&state, "signature state")?,
        category: row.try_get("category").ctx("reading a signature")?,
        created_at: row.try_get("created_at").ctx("reading a signature")?,
        reason: row
            .try_get("moderation_reason")
            .ctx("reading a signature")?,
        undo_until: row.try_get("undo_until").ctx("reading a signature")?,
    })
}

impl SqlStore {
    /// Up to `limit` rows of the queue after `after`, by keyset.
    async fn queue_chunk(
        &self,
        letter: LetterId,
        bound: &Bound,
        after: Option<QueueCursor>,
        limit: i64,
    ) -> Result<Vec<DbRow>, StoreError> {
        const STATEMENT: &str = concat!(
            queue_select!(),
            " AND ($9 IS NULL OR s.created_at < $9 OR (s.created_at = $9 AND s.id < $10))
             ORDER BY s.created_at DESC, s.id DESC LIMIT $11"
        );
        sqlx::query(STATEMENT)
            .bind(letter.0)
            .bind(bound.category)
            .bind(bound.kind)
            .bind(bound.states.as_deref())
            .bind(bound.from)
            .bind(bound.until)
            .bind(bound.email.as_deref())
            .bind(bound.verification)
            .bind(after.map(|c| c.created_at))
            .bind(after.map_or(0, |c| c.id))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .ctx("reading the moderation queue")
    }
}

fn cursor_of(row: &QueueRow) -> QueueCursor {
    QueueCursor {
        created_at: row.created_at,
        id: row.id.0,
    }
}

#[async_trait]
impl ModerationStore for SqlStore {
    async fn set_moderation(
        &self,
        actor: Actor,
        letter: LetterId,
        moderation: Moderation,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Locked until the change commits: batches that read the setting wait for it.
        let old: Option<String> = sqlx::query_scalar(concat!(
            "SELECT moderation FROM letters WHERE id = $1",
            lock!(FOR UPDATE)
        ))
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("changing a letter's moderation")?;
        let old: Moderation = parse_stored(&old.ok_or(StoreError::NotFound)?, "moderation")?;
        if old == moderation {
            return Ok(());
        }
        sqlx::query("UPDATE letters SET moderation = $1, updated_at = $2 WHERE id = $3")
            .bind(moderation.as_str())
            .bind(now)
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("changing a letter's moderation")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.moderation",
            &format!("letter {letter}"),
            moderation.describe(),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("changing a letter's moderation")
    }

    async fn queue(
        &self,
        letter: LetterId,
        filter: &QueueFilter,
        after: Option<QueueCursor>,
        limit: u32,
        scan: u32,
    ) -> Result<QueuePage, StoreError> {
        let bound = Bound::of(filter);
        let limit = limit.max(1) as usize;
        let Some(name) = &filter.name else {
            // No name to match: the database filters, one more row tells whether a next
            // page exists.
            let rows = self
                .queue_chunk(letter, &bound, after, limit as i64 + 1)
                .await?;
            let mut rows = rows
                .iter()
                .map(|row| queue_row(self, row))
                .collect::<Result<Vec<_>, _>>()?;
            let scanned = rows.len() as u64;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next = more.then(|| rows.last().map(cursor_of)).flatten();
            return Ok(QueuePage {
                rows,
                next,
                scanned,
            });
        };
        // A name: open the names of at most `scan` signatures, a chunk at a time.
        let mut page = QueuePage::default();
        let mut cursor = after;
        let scan = u64::from(scan.max(1));
        loop {
            let chunk = self.queue_chunk(letter, &bound, cursor, SCAN_CHUNK).await?;
            let exhausted = (chunk.len() as i64) < SCAN_CHUNK;
            for row in &chunk {
                let row = queue_row(self, row)?;
                page.scanned += 1;
                cursor = Some(cursor_of(&row));
                if row.name.to_lowercase().contains(name.as_str()) {
                    page.rows.push(row);
                }
                if page.rows.len() == limit || page.scanned >= scan {
                    // Stopped before the end: the next page goes on from here.
                    page.next = cursor;
                    return Ok(page);
                }
            }
            if exhausted {
                return Ok(page);
            }
        }
    }

    async fn queue_row(
        &self,
        letter: LetterId,
        signature: SignatureId,
    ) -> Result<Option<QueueRow>, StoreError> {
        const STATEMENT: &str = concat!(queue_select!(), " AND s.id = $9");
        let row = sqlx::query(STATEMENT)
            .bind(letter.0)
            .bind(None::<i64>)
            .bind(None::<&str>)
            .bind(None::<&str>)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(None::<&[u8]>)
            .bind(None::<&str>)
            .bind(signature.0)
            .fetch_optional(&self.pool)
            .await
            .ctx("reading a signature")?;
        row.map(|row| queue_row(self, &row)).transpose()
    }

    async fn queue_members(
        &self,
        letter: LetterId,
        filter: &QueueFilter,
        ids: &[i64],
    ) -> Result<Vec<QueueRow>, StoreError> {
        let bound = Bound::of(filter);
        const STATEMENT: &str = concat!(
            queue_select!(),
            " AND s.id ",
            in_list!("$9"),
            " ORDER BY s.created_at DESC, s.id DESC"
        );
        let rows = sqlx::query(STATEMENT)
            .bind(letter.0)
            .bind(bound.category)
            .bind(bound.kind)
            .bind(bound.states.as_deref())
            .bind(bound.from)
            .bind(bound.until)
            .bind(bound.email.as_deref())
            .bind(bound.verification)
            .bind(super::dialect::id_list(ids))
            .fetch_all(&self.pool)
            .await
            .ctx("reading ticked signatures")?;
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            let row = queue_row(self, row)?;
            if filter
                .name
                .as_ref()
                .is_none_or(|name| row.name.to_lowercase().contains(name.as_str()))
            {
                members.push(row);
            }
        }
        Ok(members)
    }

    async fn record_letter_audit(
        &self,
        actor: Actor,
        letter: LetterId,
        action: &str,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.ctx("recording an audit event")?;
        audit_letter(
            &mut conn,
            Some(actor),
            None,
            letter,
            action,
            subject,
            detail,
            None,
            at,
        )
        .await
    }

    async fn letter_audit(
        &self,
        letter: LetterId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LetterAuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.at, u.name AS user_name, a.action, a.subject, a.detail, a.reason
             FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.letter_id = $1 AND ($2 IS NULL OR a.id < $2)
             ORDER BY a.id DESC LIMIT $3",
        )
        .bind(letter.0)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .ctx("reading a letter's audit trail")?;
        rows.iter()
            .map(|row| {
                Ok(LetterAuditEvent {
                    id: row.try_get("id").ctx("reading the audit trail")?,
                    at: row.try_get("at").ctx("reading the audit trail")?,
                    user_name: row.try_get("user_name").ctx("reading the audit trail")?,
                    action: row.try_get("action").ctx("reading the audit trail")?,
                    subject: row.try_get("subject").ctx("reading the audit trail")?,
                    detail: row.try_get("detail").ctx("reading the audit trail")?,
                    reason: row.try_get("reason").ctx("reading the audit trail")?,
                })
            })
            .collect()
    }

    async fn erase_expired_hides(
        &self,
        now: Timestamp,
    ) -> Result<Vec<(LetterId, u64)>, StoreError> {
        // Most rounds find nothing: look before taking the write lock.
        let due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signatures
             WHERE undo_until IS NOT NULL AND undo_until <= $1 AND state = 'hidden'",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .ctx("finding hides past their undo window")?;
        if due == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(concat!(
            "SELECT s.id, s.letter_id, l.workspace_id FROM signatures s
             JOIN letters l ON l.id = s.letter_id
             WHERE s.undo_until IS NOT NULL AND s.undo_until <= $1 AND s.state = 'hidden'
             ORDER BY s.letter_id, s.id",
            lock!(FOR UPDATE OF s)
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .ctx("finding hides past their undo window")?;
        let mut erased: Vec<(LetterId, u64)> = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id").ctx("reading a signature")?;
            let letter = LetterId(row.try_get("letter_id").ctx("reading a signature")?);
            let workspace = WorkspaceId(row.try_get("workspace_id").ctx("reading a letter")?);
            sqlx::query(
                "UPDATE signatures SET name = '', title = NULL, affiliation = NULL, city = NULL,
                     country = NULL, comment = NULL, undo_until = NULL
                 WHERE id = $1 AND state = 'hidden'",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .ctx("erasing a hidden signature's text")?;
            audit_letter(
                &mut tx,
                None,
                Some(workspace),
                letter,
                "signature.hide_final",
                &format!("signature {id}"),
                "the undo window ended: the signer's text is erased",
                None,
                now,
            )
            .await?;
            match erased.last_mut() {
                Some((last, n)) if *last == letter => *n += 1,
                _ => erased.push((letter, 1)),
            }
        }
        tx.commit().await.ctx("erasing hidden signatures' text")?;
        Ok(erased)
    }
}
