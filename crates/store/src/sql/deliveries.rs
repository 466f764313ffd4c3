//! Delivery: the targets' addresses, closing dates, and deliveries (scheduled, finished in one
//! transaction with their emails, or cancelled).

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::Row;
use undersigned_core::{LetterState, email::EmailAddress};

use super::{Conn, Ctx, DbRow, SqlStore, moderation::audit_letter, outbox::enqueue};
use crate::{DeliveryStore, StoreError, delivery::*, model::*, parse_stored};

/// The letter's slug and state, locked until the transaction ends.
async fn locked_letter(
    conn: &mut Conn,
    letter: LetterId,
) -> Result<(String, LetterState), StoreError> {
    let row = sqlx::query(concat!(
        "SELECT slug, state FROM letters WHERE id = $1",
        lock!(FOR UPDATE)
    ))
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a letter")?
    .ok_or(StoreError::NotFound)?;
    let slug: String = row.try_get("slug").ctx("reading a letter")?;
    let state: String = row.try_get("state").ctx("reading a letter")?;
    Ok((slug, parse_stored(&state, "letter state")?))
}

fn is_published(state: LetterState) -> bool {
    matches!(
        state,
        LetterState::Open | LetterState::Closed | LetterState::Delivered
    )
}

fn wrong_letter_state(state: LetterState) -> StoreError {
    StoreError::WrongState {
        what: "letter",
        actual: state.to_string(),
    }
}

fn delivery_from_row(row: &DbRow) -> Result<Delivery, StoreError> {
    let ctx = "reading a delivery";
    let status: String = row.try_get("status").ctx(ctx)?;
    let size: Option<i64> = row.try_get("log_size").ctx(ctx)?;
    let root: Option<Vec<u8>> = row.try_get("log_root").ctx(ctx)?;
    let head = match (size, root) {
        (Some(size), Some(root)) => Some(LogHead {
            size: u64::try_from(size).unwrap_or_default(),
            root: root
                .try_into()
                .map_err(|_| StoreError::Corrupt("a delivery's log root".into()))?,
        }),
        _ => None,
    };
    let sha: Option<Vec<u8>> = row.try_get("pdf_sha256").ctx(ctx)?;
    Ok(Delivery {
        id: DeliveryId(row.try_get("id").ctx(ctx)?),
        letter: LetterId(row.try_get("letter_id").ctx(ctx)?),
        status: parse_stored(&status, "delivery status")?,
        scheduled_for: row.try_get("scheduled_for").ctx(ctx)?,
        note: row.try_get("note").ctx(ctx)?,
        created_at: row.try_get("created_at").ctx(ctx)?,
        delivered_at: row.try_get("delivered_at").ctx(ctx)?,
        signatures: row
            .try_get::<Option<i64>, _>("signatures")
            .ctx(ctx)?
            .map(|n| u64::try_from(n).unwrap_or_default()),
        head,
        checkpoint: row.try_get("checkpoint").ctx(ctx)?,
        document_sha256: sha.and_then(|s| s.try_into().ok()),
        last_error: row.try_get("last_error").ctx(ctx)?,
        recipients: Vec::new(),
    })
}

#[async_trait]
impl DeliveryStore for SqlStore {
    async fn delivery_addresses(
        &self,
        letter: LetterId,
    ) -> Result<Vec<Option<String>>, StoreError> {
        let rows = sqlx::query(
            "SELECT email FROM letter_targets WHERE letter_id = $1 ORDER BY position, id",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("reading delivery addresses")?;
        rows.iter()
            .map(|row| row.try_get("email").ctx("reading delivery addresses"))
            .collect()
    }

    async fn set_delivery_addresses(
        &self,
        actor: Actor,
        letter: LetterId,
        addresses: &[Option<EmailAddress>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (slug, state) = locked_letter(&mut tx, letter).await?;
        if !is_published(state) {
            return Err(wrong_letter_state(state));
        }
        let targets: Vec<i64> =
            sqlx::query("SELECT id FROM letter_targets WHERE letter_id = $1 ORDER BY position, id")
                .bind(letter.0)
                .fetch_all(&mut *tx)
                .await
                .ctx("reading a letter's targets")?
                .iter()
                .map(|row| row.try_get("id").ctx("reading a letter's targets"))
                .collect::<Result<_, _>>()?;
        for (target, address) in targets.iter().zip(addresses) {
            sqlx::query("UPDATE letter_targets SET email = $1 WHERE id = $2")
                .bind(address.as_ref().map(EmailAddress::as_string))
                .bind(target)
                .execute(&mut *tx)
                .await
                .ctx("setting a delivery address")?;
        }
        let set = addresses.iter().flatten().count();
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "delivery.addresses",
            &format!("letter {slug}"),
            &format!("{set} of {} targets have an address", targets.len()),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("setting delivery addresses")
    }

    async fn set_closing(
        &self,
        actor: Actor,
        letter: LetterId,
        closes_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (slug, state) = locked_letter(&mut tx, letter).await?;
        if !matches!(state, LetterState::Draft | LetterState::Open) {
            return Err(wrong_letter_state(state));
        }
        sqlx::query("UPDATE letters SET closes_at = $1, updated_at = $2 WHERE id = $3")
            .bind(closes_at)
            .bind(now)
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("setting a closing date")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.closing",
            &format!("letter {slug}"),
            &match closes_at {
                Some(at) => format!("closes at {at}"),
                None => "no closing date".to_owned(),
            },
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("setting a closing date")
    }

    async fn close_due(&self, now: Timestamp) -> Result<Vec<LetterId>, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "UPDATE letters SET state = 'closed', closed_at = closes_at, updated_at = $1
             WHERE state = 'open' AND closes_at IS NOT NULL AND closes_at <= $1
             RETURNING id, slug",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .ctx("closing letters on schedule")?;
        let mut closed = Vec::with_capacity(rows.len());
        for row in &rows {
            let letter = LetterId(row.try_get("id").ctx("closing letters on schedule")?);
            let slug: String = row.try_get("slug").ctx("closing letters on schedule")?;
            audit_letter(
                &mut tx,
                None,
                None,
                letter,
                "letter.closed",
                &format!("letter {slug}"),
                "open → closed on its closing date",
                None,
                now,
            )
            .await?;
            closed.push(letter);
        }
        tx.commit().await.ctx("closing letters on schedule")?;
        Ok(closed)
    }

    async fn schedule_delivery(&self, new: NewDelivery) -> Result<DeliveryId, StoreError> {
        let mut tx = self.begin_write().await?;
        let (slug, state) = locked_letter(&mut tx, new.letter).await?;
        if !is_published(state) {
            return Err(wrong_letter_state(state));
        }
        let pending =
            sqlx::query("SELECT 1 FROM deliveries WHERE letter_id = $1 AND status = 'scheduled'")
                .bind(new.letter.0)
                .fetch_optional(&mut *tx)
                .await
                .ctx("scheduling a delivery")?;
        if pending.is_some() {
            return Err(StoreError::Conflict("a scheduled delivery"));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO deliveries (letter_id, status, scheduled_for, note, created_by,
                                     created_at)
             VALUES ($1, 'scheduled', $2, $3, $4, $5) RETURNING id",
        )
        .bind(new.letter.0)
        .bind(new.scheduled_for)
        .bind(new.note.as_deref())
        .bind(new.actor.user.0)
        .bind(new.now)
        .fetch_one(&mut *tx)
        .await
        .ctx("scheduling a delivery")?
        .try_get("id")
        .ctx("scheduling a delivery")?;
        audit_letter(
            &mut tx,
            Some(new.actor),
            None,
            new.letter,
            "delivery.schedule",
            &format!("letter {slug}"),
            &format!("delivery {id} at {}", new.scheduled_for),
            None,
            new.now,
        )
        .await?;
        tx.commit().await.ctx("scheduling a delivery")?;
        Ok(DeliveryId(id))
    }

    async fn cancel_delivery(
        &self,
        actor: Actor,
        letter: LetterId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (slug, _) = locked_letter(&mut tx, letter).await?;
        let status: String =
            sqlx::query("SELECT status FROM deliveries WHERE id = $1 AND letter_id = $2")
                .bind(delivery.0)
                .bind(letter.0)
                .fetch_optional(&mut *tx)
                .await
                .ctx("cancelling a delivery")?
                .ok_or(StoreError::NotFound)?
                .try_get("status")
                .ctx("cancelling a delivery")?;
        if parse_stored::<DeliveryStatus>(&status, "delivery status")? != DeliveryStatus::Scheduled
        {
            return Err(StoreError::WrongState {
                what: "delivery",
                actual: status,
            });
        }
        sqlx::query("UPDATE deliveries SET status = 'cancelled' WHERE id = $1")
            .bind(delivery.0)
            .execute(&mut *tx)
            .await
            .ctx("cancelling a delivery")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "delivery.cancel",
            &format!("letter {slug}"),
            &format!("delivery {}", delivery.0),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("cancelling a delivery")
    }

    async fn deliveries(&self, letter: LetterId) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.begin_read().await?;
        let rows = sqlx::query(
            "SELECT id, letter_id, status, scheduled_for, note, created_at, delivered_at,
                    signatures, log_size, log_root, checkpoint, pdf_sha256, last_error
             FROM deliveries WHERE letter_id = $1 ORDER BY id DESC",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading deliveries")?;
        let mut deliveries: Vec<Delivery> = rows
            .iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()?;
        let recipients = sqlx::query(
            "SELECT r.delivery_id, r.name, r.title, r.organisation, r.email, r.message_id
             FROM delivery_recipients r JOIN deliveries d ON d.id = r.delivery_id
             WHERE d.letter_id = $1 ORDER BY r.delivery_id, r.position",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading deliveries")?;
        for row in &recipients {
            let ctx = "reading a delivery's recipients";
            let id = DeliveryId(row.try_get("delivery_id").ctx(ctx)?);
            if let Some(delivery) = deliveries.iter_mut().find(|d| d.id == id) {
                delivery.recipients.push(DeliveryRecipient {
                    name: row.try_get("name").ctx(ctx)?,
                    title: row.try_get("title").ctx(ctx)?,
                    organisation: row.try_get("organisation").ctx(ctx)?,
                    email: row.try_get("email").ctx(ctx)?,
                    message_id: row.try_get("message_id").ctx(ctx)?,
                });
            }
        }
        tx.commit().await.ctx("reading deliveries")?;
        Ok(deliveries)
    }

    async fn due_deliveries(&self, now: Timestamp) -> Result<Vec<DueDelivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, letter_id FROM deliveries
             WHERE status = 'scheduled' AND scheduled_for <= $1 ORDER BY scheduled_for, id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .ctx("looking for due deliveries")?;
        rows.iter()
            .map(|row| {
                Ok(DueDelivery {
                    id: DeliveryId(row.try_get("id").ctx("reading a due delivery")?),
                    letter: LetterId(row.try_get("letter_id").ctx("reading a due delivery")?),
                })
            })
            .collect()
    }

    async fn complete_delivery(&self, done: CompletedDelivery) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let (slug, state) = locked_letter(&mut tx, done.letter).await?;
        let sha: [u8; 32] = Sha256::digest(&done.pdf).into();
        let claimed = sqlx::query(
            "UPDATE deliveries
             SET status = 'delivered', delivered_at = $1, signatures = $2, log_size = $3,
                 log_root = $4, checkpoint = $5, pdf = $6, pdf_sha256 = $7, last_error = NULL,
                 attempts = attempts + 1
             WHERE id = $8 AND letter_id = $9 AND status = 'scheduled'",
        )
        .bind(done.now)
        .bind(i64::try_from(done.signatures).unwrap_or(i64::MAX))
        .bind(i64::try_from(done.head.size).unwrap_or(i64::MAX))
        .bind(&done.head.root[..])
        .bind(&done.checkpoint)
        .bind(&done.pdf)
        .bind(&sha[..])
        .bind(done.delivery.0)
        .bind(done.letter.0)
        .execute(&mut *tx)
        .await
        .ctx("recording a delivery")?;
        if claimed.rows_affected() != 1 {
            return Ok(false);
        }
        for email in &done.emails {
            let address = email.email.as_string();
            let outbox = enqueue(
                &mut tx,
                &self.keyring,
                format!("delivery:{}:{}", done.delivery.0, email.position),
                EmailKind::Delivery,
                &address,
                &email.params,
                done.now,
            )
            .await?;
            sqlx::query(
                "INSERT INTO delivery_recipients (delivery_id, position, name, title,
                                                  organisation, email, outbox_id, message_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(done.delivery.0)
            .bind(i64::from(email.position))
            .bind(&email.name)
            .bind(email.title.as_deref())
            .bind(email.organisation.as_deref())
            .bind(&address)
            .bind(outbox)
            .bind(format!("<outbox-{outbox}@{}>", email.message_id_host))
            .execute(&mut *tx)
            .await
            .ctx("recording a delivery's recipients")?;
        }
        // Delivering closes signing (confirmations of earlier signatures are still taken for
        // a while: see `LetterState::accepts_confirmation`).
        if state != LetterState::Delivered {
            sqlx::query(
                "UPDATE letters SET state = 'delivered', updated_at = $1,
                     closed_at = COALESCE(closed_at, $1)
                 WHERE id = $2",
            )
            .bind(done.now)
            .bind(done.letter.0)
            .execute(&mut *tx)
            .await
            .ctx("recording a delivery")?;
        }
        audit_letter(
            &mut tx,
            None,
            None,
            done.letter,
            "letter.delivered",
            &format!("letter {slug}"),
            &format!(
                "delivery {} to {} targets: {} signatures, log size {}",
                done.delivery.0,
                done.emails.len(),
                done.signatures,
                done.head.size
            ),
            None,
            done.now,
        )
        .await?;
        tx.commit().await.ctx("recording a delivery")?;
        Ok(true)
    }

    async fn delivery_failed(
        &self,
        delivery: DeliveryId,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = $1, scheduled_for = $2
             WHERE id = $3 AND status = 'scheduled'",
        )
        .bind(error)
        .bind(retry_at)
        .bind(delivery.0)
        .execute(&self.pool)
        .await
        .ctx("recording a failed delivery")?;
        Ok(())
    }

    async fn delivery_document(
        &self,
        delivery: DeliveryId,
    ) -> Result<Option<(LetterId, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT letter_id, pdf FROM deliveries
             WHERE id = $1 AND status = 'delivered' AND pdf IS NOT NULL",
        )
        .bind(delivery.0)
        .fetch_optional(&self.pool)
        .await
        .ctx("reading a delivery document")?;
        row.map(|row| {
            Ok((
                LetterId(
                    row.try_get("letter_id")
                        .ctx("reading a delivery document")?,
                ),
                row.try_get("pdf").ctx("reading a delivery document")?,
            ))
        })
        .transpose()
    }
}
