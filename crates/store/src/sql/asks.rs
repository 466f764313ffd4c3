//! What a letter asks of its targets, the status of each ask per target (kept as a history:
//! a change is a new row, never an overwrite), and the targets' responses with their
//! documents. Every change is audited in the same transaction.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::Row;
use undersigned_core::{
    LetterState,
    asks::{AskContent, AskStatus, DocumentKind, EventDate, MAX_ASKS},
};

use super::{Conn, Ctx, SqlStore, moderation::audit_letter};
use crate::{AskStore, StoreError, model::*, parse_stored};

/// Which letters a change is allowed on.
#[derive(Clone, Copy)]
enum Allowed {
    /// Any state but archived (asks evolve after publishing).
    NotArchived,
    /// Published letters: open, closed or delivered (a target answers a letter it got).
    Published,
}

/// Locks the letter's row until the change commits (so that asks are numbered one at a
/// time and the letter cannot be archived meanwhile) and checks that its state allows the
/// change. `NotFound` when there is no such letter.
async fn lock_letter(
    conn: &mut Conn,
    letter: LetterId,
    allowed: Allowed,
) -> Result<(), StoreError> {
    let state: Option<String> = sqlx::query_scalar(concat!(
        "SELECT state FROM letters WHERE id = $1",
        lock!(FOR UPDATE)
    ))
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a letter's state")?;
    let state: LetterState = parse_stored(&state.ok_or(StoreError::NotFound)?, "letter state")?;
    let ok = match allowed {
        Allowed::NotArchived => state != LetterState::Archived,
        Allowed::Published => state.is_public() && state != LetterState::Archived,
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::WrongState {
            what: "letter",
            actual: state.to_string(),
        })
    }
}

/// The ask's number in the list (1 for the first) and its text. `NotFound` when the letter
/// has no such ask.
async fn ask_of(
    conn: &mut Conn,
    letter: LetterId,
    ask: AskId,
) -> Result<(i64, u32, String), StoreError> {
    let row = sqlx::query(
        "SELECT a.position, a.text,
                (SELECT COUNT(*) FROM letter_asks b
                 WHERE b.letter_id = a.letter_id AND b.position <= a.position) AS number
         FROM letter_asks a WHERE a.id = $1 AND a.letter_id = $2",
    )
    .bind(ask.0)
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading an ask")?
    .ok_or(StoreError::NotFound)?;
    let number: i64 = row.try_get("number").ctx("reading an ask")?;
    Ok((
        row.try_get("position").ctx("reading an ask")?,
        u32::try_from(number).unwrap_or(u32::MAX),
        row.try_get("text").ctx("reading an ask")?,
    ))
}

/// The target's name. `NotFound` when it is not one of the letter's targets.
async fn target_of(
    conn: &mut Conn,
    letter: LetterId,
    target: TargetId,
) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT name FROM letter_targets WHERE id = $1 AND letter_id = $2")
        .bind(target.0)
        .bind(letter.0)
        .fetch_optional(&mut *conn)
        .await
        .ctx("reading a target")?
        .ok_or(StoreError::NotFound)
}

async fn put_document(
    conn: &mut Conn,
    response: ResponseId,
    document: DocumentRef<'_>,
) -> Result<(), StoreError> {
    let sha256: [u8; 32] = Sha256::digest(document.bytes).into();
    sqlx::query("DELETE FROM response_documents WHERE response_id = $1")
        .bind(response.0)
        .execute(&mut *conn)
        .await
        .ctx("replacing a response's document")?;
    sqlx::query(
        "INSERT INTO response_documents (response_id, kind, bytes, sha256) VALUES ($1, $2, $3, $4)",
    )
    .bind(response.0)
    .bind(document.kind.as_str())
    .bind(document.bytes)
    .bind(sha256.as_slice())
    .execute(&mut *conn)
    .await
    .ctx("storing a response's document")?;
    Ok(())
}

fn document_detail(document: Option<DocumentRef<'_>>) -> String {
    document.map_or_else(String::new, |d| {
        format!(
            "; {} document of {} bytes",
            d.kind.extension().to_uppercase(),
            d.bytes.len()
        )
    })
}

fn stored_date(value: &str) -> Result<EventDate, StoreError> {
    parse_stored(value, "date")
}

#[async_trait]
impl AskStore for SqlStore {
    async fn letter_asks(&self, letter: LetterId) -> Result<LetterAsks, StoreError> {
        let mut tx = self.begin_read().await?;
        let targets = sqlx::query(
            "SELECT id, name, title, organisation FROM letter_targets
             WHERE letter_id = $1 ORDER BY position",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading a letter's targets")?
        .iter()
        .map(|row| {
            Ok(AskTarget {
                id: TargetId(row.try_get("id").ctx("reading a target")?),
                name: row.try_get("name").ctx("reading a target")?,
                title: row.try_get("title").ctx("reading a target")?,
                organisation: row.try_get("organisation").ctx("reading a target")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let changes = sqlx::query(
            "SELECT c.ask_id, c.target_id, c.status, c.on_date, c.note, c.recorded_at
             FROM ask_status_changes c JOIN letter_asks a ON a.id = c.ask_id
             WHERE a.letter_id = $1 ORDER BY c.on_date DESC, c.id DESC",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading the asks' statuses")?
        .iter()
        .map(|row| {
            let status: String = row.try_get("status").ctx("reading an ask's status")?;
            let on: String = row.try_get("on_date").ctx("reading an ask's status")?;
            Ok(AskStatusChange {
                ask: AskId(row.try_get("ask_id").ctx("reading an ask's status")?),
                target: TargetId(row.try_get("target_id").ctx("reading an ask's status")?),
                status: parse_stored(&status, "ask status")?,
                on: stored_date(&on)?,
                note: row.try_get("note").ctx("reading an ask's status")?,
                recorded_at: row.try_get("recorded_at").ctx("reading an ask's status")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        // The status of an ask with a target is its latest change: the one recorded last
        // (not the one dated last: an organiser may correct a status with an earlier date).
        let latest = sqlx::query(
            "SELECT c.ask_id, c.target_id, c.status
             FROM ask_status_changes c JOIN letter_asks a ON a.id = c.ask_id
             WHERE a.letter_id = $1
               AND c.id = (SELECT MAX(d.id) FROM ask_status_changes d
                           WHERE d.ask_id = c.ask_id AND d.target_id = c.target_id)",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading the asks' statuses")?
        .iter()
        .map(|row| {
            let status: String = row.try_get("status").ctx("reading an ask's status")?;
            Ok((
                AskId(row.try_get("ask_id").ctx("reading an ask's status")?),
                TargetId(row.try_get("target_id").ctx("reading an ask's status")?),
                parse_stored::<AskStatus>(&status, "ask status")?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let asks = sqlx::query(
            "SELECT id, text, condition FROM letter_asks WHERE letter_id = $1
             ORDER BY position, id",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading a letter's asks")?
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let id = AskId(row.try_get("id").ctx("reading an ask")?);
            Ok(Ask {
                id,
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                content: AskContent::stored(
                    row.try_get("text").ctx("reading an ask")?,
                    row.try_get("condition").ctx("reading an ask")?,
                ),
                statuses: latest
                    .iter()
                    .filter(|(a, _, _)| *a == id)
                    .map(|(_, t, s)| (*t, *s))
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let responses = sqlx::query(
            "SELECT r.id, r.target_id, r.received_on, r.body_markdown, r.created_at,
                    d.kind, CAST(LENGTH(d.bytes) AS BIGINT) AS size
             FROM target_responses r LEFT JOIN response_documents d ON d.response_id = r.id
             WHERE r.letter_id = $1 ORDER BY r.received_on DESC, r.id DESC",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading a letter's responses")?
        .iter()
        .map(|row| {
            let received: String = row.try_get("received_on").ctx("reading a response")?;
            let kind: Option<String> = row.try_get("kind").ctx("reading a response")?;
            let size: Option<i64> = row.try_get("size").ctx("reading a response")?;
            let document = match kind {
                Some(kind) => Some((
                    parse_stored::<DocumentKind>(&kind, "document kind")?,
                    u64::try_from(size.unwrap_or_default()).unwrap_or_default(),
                )),
                None => None,
            };
            Ok(TargetResponse {
                id: ResponseId(row.try_get("id").ctx("reading a response")?),
                target: TargetId(row.try_get("target_id").ctx("reading a response")?),
                received_on: stored_date(&received)?,
                body_markdown: row.try_get("body_markdown").ctx("reading a response")?,
                document,
                created_at: row.try_get("created_at").ctx("reading a response")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        tx.commit().await.ctx("reading a letter's asks")?;
        Ok(LetterAsks {
            targets,
            asks,
            changes,
            responses,
        })
    }

    async fn add_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &AskContent,
        now: Timestamp,
    ) -> Result<AskId, StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::NotArchived).await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(position), 0) AS last
             FROM letter_asks WHERE letter_id = $1",
        )
        .bind(letter.0)
        .fetch_one(&mut *tx)
        .await
        .ctx("counting a letter's asks")?;
        let n: i64 = row.try_get("n").ctx("counting a letter's asks")?;
        let last: i64 = row.try_get("last").ctx("counting a letter's asks")?;
        if usize::try_from(n).unwrap_or(usize::MAX) >= MAX_ASKS {
            return Err(StoreError::Conflict("asks"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letter_asks (letter_id, position, text, condition, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(letter.0)
        .bind(last + 1)
        .bind(content.text())
        .bind(content.condition())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .ctx("adding an ask")?;
        let detail = format!(
            "{:?}{}",
            content.text(),
            content
                .condition()
                .map(|c| format!(", {c:?}"))
                .unwrap_or_default()
        );
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "ask.add",
            &format!("ask {}", n + 1),
            &detail,
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("adding an ask")?;
        Ok(AskId(id))
    }

    async fn edit_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        ask: AskId,
        content: &AskContent,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::NotArchived).await?;
        let (_, number, before) = ask_of(&mut tx, letter, ask).await?;
        sqlx::query(
            "UPDATE letter_asks SET text = $1, condition = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(content.text())
        .bind(content.condition())
        .bind(now)
        .bind(ask.0)
        .execute(&mut *tx)
        .await
        .ctx("editing an ask")?;
        let detail = format!(
            "{before:?} → {:?}{}",
            content.text(),
            content
                .condition()
                .map(|c| format!(", {c:?}"))
                .unwrap_or_default()
        );
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "ask.edit",
            &format!("ask {number}"),
            &detail,
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("editing an ask")
    }

    async fn move_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        ask: AskId,
        direction: AskMove,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::NotArchived).await?;
        let (position, number, _) = ask_of(&mut tx, letter, ask).await?;
        let neighbour = match direction {
            AskMove::Up => sqlx::query(
                "SELECT id, position FROM letter_asks WHERE letter_id = $1 AND position < $2
                 ORDER BY position DESC LIMIT 1",
            ),
            AskMove::Down => sqlx::query(
                "SELECT id, position FROM letter_asks WHERE letter_id = $1 AND position > $2
                 ORDER BY position LIMIT 1",
            ),
        }
        .bind(letter.0)
        .bind(position)
        .fetch_optional(&mut *tx)
        .await
        .ctx("moving an ask")?;
        let Some(neighbour) = neighbour else {
            // Already first (or last): nothing moves.
            return Ok(());
        };
        let other: i64 = neighbour.try_get("id").ctx("moving an ask")?;
        let other_position: i64 = neighbour.try_get("position").ctx("moving an ask")?;
        for (id, to) in [(ask.0, other_position), (other, position)] {
            sqlx::query("UPDATE letter_asks SET position = $1 WHERE id = $2")
                .bind(to)
                .bind(id)
                .execute(&mut *tx)
                .await
                .ctx("moving an ask")?;
        }
        let to = match direction {
            AskMove::Up => number.saturating_sub(1),
            AskMove::Down => number + 1,
        };
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "ask.move",
            &format!("ask {number}"),
            &format!("now ask {to}"),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("moving an ask")
    }

    async fn remove_ask(
        &self,
        actor: Actor,
        letter: LetterId,
        ask: AskId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::NotArchived).await?;
        let (_, number, text) = ask_of(&mut tx, letter, ask).await?;
        sqlx::query("DELETE FROM ask_status_changes WHERE ask_id = $1")
            .bind(ask.0)
            .execute(&mut *tx)
            .await
            .ctx("removing an ask")?;
        sqlx::query("DELETE FROM letter_asks WHERE id = $1")
            .bind(ask.0)
            .execute(&mut *tx)
            .await
            .ctx("removing an ask")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "ask.remove",
            &format!("ask {number}"),
            &format!("{text:?}"),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("removing an ask")
    }

    async fn change_ask_status(
        &self,
        actor: Actor,
        letter: LetterId,
        change: &NewAskStatus,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::Published).await?;
        let (_, number, _) = ask_of(&mut tx, letter, change.ask).await?;
        let target = target_of(&mut tx, letter, change.target).await?;
        sqlx::query(
            "INSERT INTO ask_status_changes
                 (ask_id, target_id, status, on_date, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(change.ask.0)
        .bind(change.target.0)
        .bind(change.status.as_str())
        .bind(change.on.to_string())
        .bind(change.note.as_deref())
        .bind(actor.user.0)
        .bind(now)
        .execute(&mut *tx)
        .await
        .ctx("changing an ask's status")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "ask.status",
            &format!("ask {number}"),
            &format!("{target}: {} on {}", change.status, change.on),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("changing an ask's status")
    }

    async fn add_response(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &ResponseContent,
        document: Option<DocumentRef<'_>>,
        now: Timestamp,
    ) -> Result<ResponseId, StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::Published).await?;
        let target = target_of(&mut tx, letter, content.target).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO target_responses
                 (letter_id, target_id, received_on, body_markdown, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(letter.0)
        .bind(content.target.0)
        .bind(content.received_on.to_string())
        .bind(content.text.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .ctx("recording a response")?;
        let response = ResponseId(id);
        if let Some(document) = document {
            put_document(&mut tx, response, document).await?;
        }
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "response.add",
            &format!("response {id}"),
            &format!(
                "from {target}, received {}{}",
                content.received_on,
                document_detail(document)
            ),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("recording a response")?;
        Ok(response)
    }

    async fn edit_response(
        &self,
        actor: Actor,
        letter: LetterId,
        response: ResponseId,
        content: &ResponseContent,
        document: DocumentChange<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::Published).await?;
        let target = target_of(&mut tx, letter, content.target).await?;
        let changed = sqlx::query(
            "UPDATE target_responses SET target_id = $1, received_on = $2, body_markdown = $3,
                 updated_at = $4
             WHERE id = $5 AND letter_id = $6",
        )
        .bind(content.target.0)
        .bind(content.received_on.to_string())
        .bind(content.text.as_str())
        .bind(now)
        .bind(response.0)
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("editing a response")?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let document_detail = match document {
            DocumentChange::Keep => String::new(),
            DocumentChange::Remove => {
                sqlx::query("DELETE FROM response_documents WHERE response_id = $1")
                    .bind(response.0)
                    .execute(&mut *tx)
                    .await
                    .ctx("removing a response's document")?;
                "; document removed".to_owned()
            }
            DocumentChange::Set(document) => {
                put_document(&mut tx, response, document).await?;
                format!(
                    "; new{}",
                    document_detail(Some(document)).trim_start_matches(';')
                )
            }
        };
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "response.edit",
            &format!("response {}", response.0),
            &format!(
                "from {target}, received {}{document_detail}",
                content.received_on
            ),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("editing a response")
    }

    async fn delete_response(
        &self,
        actor: Actor,
        letter: LetterId,
        response: ResponseId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_letter(&mut tx, letter, Allowed::Published).await?;
        let row = sqlx::query(
            "SELECT t.name, r.received_on FROM target_responses r
             JOIN letter_targets t ON t.id = r.target_id
             WHERE r.id = $1 AND r.letter_id = $2",
        )
        .bind(response.0)
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("deleting a response")?
        .ok_or(StoreError::NotFound)?;
        let target: String = row.try_get("name").ctx("deleting a response")?;
        let received: String = row.try_get("received_on").ctx("deleting a response")?;
        sqlx::query("DELETE FROM response_documents WHERE response_id = $1")
            .bind(response.0)
            .execute(&mut *tx)
            .await
            .ctx("deleting a response")?;
        sqlx::query("DELETE FROM target_responses WHERE id = $1")
            .bind(response.0)
            .execute(&mut *tx)
            .await
            .ctx("deleting a response")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "response.delete",
            &format!("response {}", response.0),
            &format!("from {target}, received {received}"),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("deleting a response")
    }

    async fn response_document(
        &self,
        letter: LetterId,
        response: ResponseId,
    ) -> Result<Option<StoredDocument>, StoreError> {
        let row = sqlx::query(
            "SELECT d.kind, d.bytes, d.sha256 FROM response_documents d
             JOIN target_responses r ON r.id = d.response_id
             WHERE d.response_id = $1 AND r.letter_id = $2",
        )
        .bind(response.0)
        .bind(letter.0)
        .fetch_optional(&self.pool)
        .await
        .ctx("reading a response's document")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let kind: String = row.try_get("kind").ctx("reading a response's document")?;
        let sha256: Vec<u8> = row.try_get("sha256").ctx("reading a response's document")?;
        Ok(Some(StoredDocument {
            kind: parse_stored(&kind, "document kind")?,
            bytes: row.try_get("bytes").ctx("reading a response's document")?,
            sha256: sha256
                .try_into()
                .map_err(|_| StoreError::Corrupt("a document's hash".into()))?,
        }))
    }
}
