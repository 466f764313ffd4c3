//! Versions of a published letter's text, and re-confirmation by earlier signers.
//!
//! An edit is one write transaction: the letter's row is locked, version 1 is recorded (with
//! its text entry) if this is the first edit, then the new version and its text entry are
//! written beside the new text. A change of substance's version carries a fan-out (see
//! `fanout.rs`), run after the edit a batch at a time, which gives each published
//! signer on an earlier version a `reconfirm_requests` row and an outbox row (whose
//! `event_key`, `reconfirm:{letter}:{version}:{signature}`, is unique), so nobody is emailed
//! twice. The edit itself does not grow with the signers.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::Row;
use undersigned_core::LetterState;
use undersigned_verify::entry::{LogEntry, LogVersion, TextChange, canonical_text};

use super::{Conn, Ctx, SqlStore, log::append, moderation::audit_letter};
use crate::{
    StoreError, VersionStore,
    log::{PendingEntry, hash_from, to_u64},
    model::*,
    parse_stored,
    versions::{EditedText, LetterVersion, Reconfirmation, TextEdit},
};

/// A letter's text as stored for it now.
struct Current {
    title: String,
    subject: String,
    body_md: String,
    number: u64,
    log_version: LogVersion,
    published_at: Option<Timestamp>,
}

async fn lock_letter(
    conn: &mut Conn,
    actor: Actor,
    letter: LetterId,
) -> Result<Current, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT state, workspace_id, title, subject, body_md, text_version, log_version,
                published_at
         FROM letters WHERE id = $1",
        lock!(FOR UPDATE)
    ))
    .bind(letter.0)
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a letter")?
    .ok_or(StoreError::NotFound)?;
    let workspace: i64 = row.try_get("workspace_id").ctx("reading a letter")?;
    if workspace != actor.workspace.0 {
        return Err(StoreError::NotFound);
    }
    let state: String = row.try_get("state").ctx("reading a letter")?;
    let state: LetterState = parse_stored(&state, "letter state")?;
    if !matches!(state, LetterState::Open | LetterState::Closed) {
        return Err(StoreError::WrongState {
            what: "letter",
            actual: state.as_str().to_owned(),
        });
    }
    let log_version: i64 = row.try_get("log_version").ctx("reading a letter")?;
    let log_version = u8::try_from(log_version)
        .ok()
        .and_then(LogVersion::from_number)
        .ok_or_else(|| StoreError::Corrupt(format!("log version {log_version}")))?;
    Ok(Current {
        title: row.try_get("title").ctx("reading a letter")?,
        subject: row.try_get("subject").ctx("reading a letter")?,
        body_md: row.try_get("body_md").ctx("reading a letter")?,
        number: to_u64(
            row.try_get("text_version").ctx("reading a letter")?,
            "text version",
        )?,
        log_version,
        published_at: row.try_get("published_at").ctx("reading a letter")?,
    })
}

/// Records version `number` of the text and returns its text entry.
#[allow(clippy::too_many_arguments)]
async fn record_version(
    conn: &mut Conn,
    letter: LetterId,
    log_version: LogVersion,
    number: u64,
    (title, subject, body_md): (&str, &str, &str),
    substantive: bool,
    note: Option<&str>,
    by: Option<UserId>,
    fanout: Option<&str>,
    now: Timestamp,
) -> Result<PendingEntry, StoreError> {
    let bytes = canonical_text(title, subject, body_md);
    let sha256: Hash32 = Sha256::digest(&bytes).into();
    let n = i64::try_from(number).map_err(|_| StoreError::Corrupt("a version number".into()))?;
    sqlx::query(
        "INSERT INTO letter_versions (letter_id, number, title, subject, body_md, sha256,
                                      substantive, note, created_by, created_at,
                                      email_params, fanout_done_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(letter.0)
    .bind(n)
    .bind(title)
    .bind(subject)
    .bind(body_md)
    .bind(&sha256[..])
    .bind(i64::from(substantive))
    .bind(note)
    .bind(by.map(|u| u.0))
    .bind(now)
    // A version without a fan-out (its email's JSON) has none to run: done at once.
    .bind(fanout)
    .bind(fanout.is_none().then_some(now))
    .execute(&mut *conn)
    .await
    .ctx("recording a version of a letter")?;
    let change = if substantive {
        TextChange::Substantive
    } else {
        TextChange::Correction
    };
    Ok(PendingEntry {
        letter,
        // A text entry counts nobody: no category, no delta.
        category: CategoryId(0),
        delta: 0,
        withheld: false,
        awaiting: false,
        signature: None,
        data: LogEntry::text(log_version, now, number, &bytes, change).encode(),
        opening: None,
    })
}

#[async_trait]
impl VersionStore for SqlStore {
    async fn edit_text(
        &self,
        actor: Actor,
        letter: LetterId,
        edit: &TextEdit,
        email_params: &str,
        now: Timestamp,
    ) -> Result<EditedText, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = lock_letter(&mut tx, actor, letter).await?;
        let mut entries = Vec::new();
        if current.number == 1 {
            // The first edit: version 1 is the text as it was published.
            entries.push(
                record_version(
                    &mut tx,
                    letter,
                    current.log_version,
                    1,
                    (&current.title, &current.subject, &current.body_md),
                    false,
                    None,
                    None,
                    None,
                    current.published_at.unwrap_or(now),
                )
                .await?,
            );
        }
        let number = current.number + 1;
        let n =
            i64::try_from(number).map_err(|_| StoreError::Corrupt("a version number".into()))?;
        if edit.substantive {
            // An earlier change's unfinished fan-out ends: the signers it has not reached yet
            // are asked about this version instead, by this one's.
            sqlx::query(
                "UPDATE letter_versions SET fanout_done_at = $1, fanout_claimed_by = NULL,
                     fanout_claimed_until = NULL
                 WHERE letter_id = $2 AND fanout_done_at IS NULL",
            )
            .bind(now)
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("ending an earlier re-confirmation")?;
        }
        entries.push(
            record_version(
                &mut tx,
                letter,
                current.log_version,
                number,
                (&edit.title, &edit.subject, &edit.body_md),
                edit.substantive,
                edit.note.as_deref(),
                Some(actor.user),
                edit.substantive.then_some(email_params),
                now,
            )
            .await?,
        );
        sqlx::query(
            "UPDATE letters SET title = $1, subject = $2, body_md = $3, text_version = $4,
                 reconfirm_from = CASE WHEN $5 = 1 THEN $4 ELSE reconfirm_from END,
                 updated_at = $6
             WHERE id = $7",
        )
        .bind(&edit.title)
        .bind(&edit.subject)
        .bind(&edit.body_md)
        .bind(n)
        .bind(i64::from(edit.substantive))
        .bind(now)
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("editing a letter's text")?;
        append(&mut tx, letter, &entries).await?;
        let mut asked = 0;
        if edit.substantive {
            // Every counted signer signed an older version: all await re-confirmation. (After
            // the append, as a batch takes the log's head before the counts.)
            let awaiting: i64 = sqlx::query_scalar::<_, i64>(
                "UPDATE letter_counts SET awaiting = count WHERE letter_id = $1
                 RETURNING awaiting",
            )
            .bind(letter.0)
            .fetch_all(&mut *tx)
            .await
            .ctx("editing a letter's text")?
            .into_iter()
            .sum();
            asked = u64::try_from(awaiting).unwrap_or(0);
        }
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.text",
            &format!("version {number}"),
            if edit.substantive {
                "a change of substance"
            } else {
                "a correction"
            },
            edit.note.as_deref(),
            now,
        )
        .await?;
        tx.commit().await.ctx("editing a letter's text")?;
        Ok(EditedText { number, asked })
    }

    async fn letter_versions(&self, letter: LetterId) -> Result<Vec<LetterVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, title, subject, body_md, sha256, substantive, note, created_at
             FROM letter_versions WHERE letter_id = $1 ORDER BY number",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("reading a letter's versions")?;
        rows.iter()
            .map(|row| {
                let substantive: i64 = row.try_get("substantive").ctx("reading a version")?;
                Ok(LetterVersion {
                    number: to_u64(row.try_get("number").ctx("reading a version")?, "version")?,
                    title: row.try_get("title").ctx("reading a version")?,
                    subject: row.try_get("subject").ctx("reading a version")?,
                    body_md: row.try_get("body_md").ctx("reading a version")?,
                    sha256: hash_from(row.try_get("sha256").ctx("reading a version")?)?,
                    substantive: substantive == 1,
                    note: row.try_get("note").ctx("reading a version")?,
                    created_at: row.try_get("created_at").ctx("reading a version")?,
                })
            })
            .collect()
    }

    async fn reconfirmation(
        &self,
        token_hash: Hash32,
    ) -> Result<Option<Reconfirmation>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id, s.letter_id, s.state, COALESCE(s.version, 1) AS version,
                    l.slug, l.text_version
             FROM reconfirm_requests r
             JOIN signatures s ON s.id = r.signature_id
             JOIN letters l ON l.id = r.letter_id
             WHERE r.token_hash = $1",
        )
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await
        .ctx("reading a re-confirmation link")?;
        row.map(|row| {
            let state: String = row.try_get("state").ctx("reading a signature")?;
            Ok(Reconfirmation {
                letter: LetterId(row.try_get("letter_id").ctx("reading a signature")?),
                signature: SignatureId(row.try_get("id").ctx("reading a signature")?),
                letter_slug: row.try_get("slug").ctx("reading a letter")?,
                signed_on: to_u64(
                    row.try_get("version").ctx("reading a signature")?,
                    "version",
                )?,
                current: to_u64(
                    row.try_get("text_version").ctx("reading a letter")?,
                    "version",
                )?,
                published: state == "published",
            })
        })
        .transpose()
    }
}

/// Records that the signer of the link with `command`'s token hash re-confirmed the letter's
/// current text (see [`WriteCommand::Reconfirm`]), in the writer's transaction `conn` is in.
pub(super) async fn apply_reconfirm(
    conn: &mut Conn,
    command: &ReconfirmCommand,
) -> Result<Option<LetterId>, StoreError> {
    let (token_hash, now) = (command.token_hash, command.now);
    // The signature is locked, so that a removal (which moves the awaiting count too)
    // cannot commit in between; the letter is share-locked as a batch locks it, so that no
    // change of substance (which sets that count) can either.
    let signature: Option<(i64, i64, i64, bool)> = sqlx::query_as(concat!(
        "SELECT r.signature_id, r.letter_id, s.category_id, ",
        awaiting!(),
        "
         FROM reconfirm_requests r
         JOIN signatures s ON s.id = r.signature_id
         JOIN letters l ON l.id = s.letter_id
         WHERE r.token_hash = $1 AND s.state = 'published'",
        lock!(FOR UPDATE OF s FOR SHARE OF l)
    ))
    .bind(&token_hash[..])
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a re-confirmation link")?;
    let Some((signature, letter, category, awaiting)) = signature else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE signatures SET version = (SELECT text_version FROM letters WHERE id = $1)
         WHERE id = $2",
    )
    .bind(letter)
    .bind(signature)
    .execute(&mut *conn)
    .await
    .ctx("re-confirming a signature")?;
    if awaiting {
        sqlx::query(
            "UPDATE letter_counts SET awaiting = awaiting - 1
             WHERE letter_id = $1 AND category_id = $2",
        )
        .bind(letter)
        .bind(category)
        .execute(&mut *conn)
        .await
        .ctx("re-confirming a signature")?;
    }
    sqlx::query(
        "UPDATE reconfirm_requests SET confirmed_at = COALESCE(confirmed_at, $1)
         WHERE token_hash = $2",
    )
    .bind(now)
    .bind(&token_hash[..])
    .execute(&mut *conn)
    .await
    .ctx("re-confirming a signature")?;
    Ok(Some(LetterId(letter)))
}
