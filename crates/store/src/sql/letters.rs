//! Letters, their targets and categories, and the read side of signatures.

use async_trait::async_trait;
use sqlx::{AssertSqlSafe, Row};
use undersigned_core::{
    LetterState, letter::BatchMinutes, letter::LetterContent, letter::Target,
    signature::DisplayRule,
};

use super::{
    Conn, Ctx, DbRow, SqlStore, classify, is_unique_violation,
    log::{log_version, optional_opening},
    moderation::audit_letter,
    personal, storable,
};
use crate::{LetterStore, StoreError, model::*, parse_stored, sealed::Field};

async fn insert_parts(
    conn: &mut Conn,
    letter: LetterId,
    content: &LetterContent,
) -> Result<(), StoreError> {
    for (position, target) in content.targets.iter().enumerate() {
        sqlx::query(
            "INSERT INTO letter_targets (letter_id, position, name, title, organisation)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(letter.0)
        .bind(position as i64)
        .bind(&target.name)
        .bind(&target.title)
        .bind(&target.organisation)
        .execute(&mut *conn)
        .await
        .ctx("saving a letter's targets")?;
    }
    for (position, category) in content.categories.iter().enumerate() {
        sqlx::query(
            "INSERT INTO letter_categories (letter_id, position, name, display_levels, city_shown)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(letter.0)
        .bind(position as i64)
        .bind(&category.name)
        .bind(category.rule.levels_text())
        .bind(i64::from(category.rule.city()))
        .execute(&mut *conn)
        .await
        .ctx("saving a letter's categories")?;
    }
    Ok(())
}

fn signer_fields_json(content: &LetterContent) -> Result<String, StoreError> {
    serde_json::to_string(&content.signer_fields)
        .map_err(|e| StoreError::Corrupt(format!("signer fields: {e}")))
}

fn map_slug_conflict(e: sqlx::Error, context: &'static str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict("slug")
    } else {
        classify(e, context)
    }
}

fn summary_from_row(row: &DbRow) -> Result<LetterSummary, StoreError> {
    let state: String = row.try_get("state").ctx("reading a letter")?;
    let signatures: i64 = row.try_get("signatures").ctx("reading a letter")?;
    Ok(LetterSummary {
        id: LetterId(row.try_get("id").ctx("reading a letter")?),
        workspace_id: WorkspaceId(row.try_get("workspace_id").ctx("reading a letter")?),
        slug: row.try_get("slug").ctx("reading a letter")?,
        title: row.try_get("title").ctx("reading a letter")?,
        state: parse_stored(&state, "letter state")?,
        updated_at: row.try_get("updated_at").ctx("reading a letter")?,
        signatures: signatures.max(0) as u64,
    })
}

/// The size of a letter's log (0 before its first entry).
async fn log_size(conn: &mut Conn, letter: LetterId) -> Result<u64, StoreError> {
    let size: Option<i64> = sqlx::query_scalar("SELECT size FROM log_heads WHERE letter_id = $1")
        .bind(letter.0)
        .fetch_optional(conn)
        .await
        .ctx("reading a log size")?;
    Ok(size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0))
}

/// Reads a letter row's targets and categories and assembles the letter.
async fn letter_from_row(conn: &mut Conn, row: DbRow) -> Result<Letter, StoreError> {
    let id = LetterId(row.try_get("id").ctx("reading a letter")?);
    let targets = sqlx::query(
        "SELECT name, title, organisation FROM letter_targets WHERE letter_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await
    .ctx("reading a letter's targets")?
    .iter()
    .map(|t| {
        Ok(Target {
            name: t.try_get("name").ctx("reading a target")?,
            title: t.try_get("title").ctx("reading a target")?,
            organisation: t.try_get("organisation").ctx("reading a target")?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let categories = sqlx::query(
        "SELECT id, name, display_levels, city_shown FROM letter_categories
         WHERE letter_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await
    .ctx("reading a letter's categories")?
    .iter()
    .map(|c| {
        let levels: String = c.try_get("display_levels").ctx("reading a category")?;
        let city: i64 = c.try_get("city_shown").ctx("reading a category")?;
        Ok(Category {
            id: CategoryId(c.try_get("id").ctx("reading a category")?),
            name: c.try_get("name").ctx("reading a category")?,
            rule: DisplayRule::from_levels_text(&levels, city != 0)
                .map_err(|_| StoreError::Corrupt(format!("display levels {levels:?}")))?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let state: String = row.try_get("state").ctx("reading a letter")?;
    let fields: String = row.try_get("signer_fields").ctx("reading a letter")?;
    let organisation_category: Option<String> = row
        .try_get("organisation_category")
        .ctx("reading a letter")?;
    let organisation_category = organisation_category.and_then(|name| {
        categories
            .iter()
            .find(|c: &&Category| c.name == name)
            .map(|c| c.id)
    });
    Ok(Letter {
        id,
        workspace_id: WorkspaceId(row.try_get("workspace_id").ctx("reading a letter")?),
        slug: row.try_get("slug").ctx("reading a letter")?,
        title: row.try_get("title").ctx("reading a letter")?,
        subject: row.try_get("subject").ctx("reading a letter")?,
        body_markdown: row.try_get("body_md").ctx("reading a letter")?,
        targets,
        categories,
        signer_fields: serde_json::from_str(&fields)
            .map_err(|e| StoreError::Corrupt(format!("signer fields: {e}")))?,
        state: parse_stored(&state, "letter state")?,
        created_at: row.try_get("created_at").ctx("reading a letter")?,
        updated_at: row.try_get("updated_at").ctx("reading a letter")?,
        published_at: row.try_get("published_at").ctx("reading a letter")?,
        closed_at: row.try_get("closed_at").ctx("reading a letter")?,
        closes_at: row.try_get("closes_at").ctx("reading a letter")?,
        log_version: log_version(row.try_get("log_version").ctx("reading a letter")?)?,
        batch: row
            .try_get::<Option<i64>, _>("batch_minutes")
            .ctx("reading a letter")?
            .map(|m| {
                u32::try_from(m)
                    .ok()
                    .and_then(BatchMinutes::new)
                    .ok_or_else(|| StoreError::Corrupt(format!("batch of {m} minutes")))
            })
            .transpose()?,
        moderation: parse_stored(
            &row.try_get::<String, _>("moderation")
                .ctx("reading a letter")?,
            "moderation",
        )?,
        organisation_category,
        lang: row.try_get("lang").ctx("reading a letter")?,
        translations: super::languages::translations(conn, id).await?,
    })
}

/// The organisation of a signature row read with `so.name AS organisation`,
/// `so.domain AS organisation_domain`, `so.verified AS organisation_verified` and
/// `so.logo AS organisation_logo` (None for an individual's).
/// The factor between the grid's groups in its one-number key (see `public_signatures`).
const GRID_GROUP: i64 = 1 << 48;

/// A `before` log index as the statements bind it (None: from the newest).
fn index_key(before: Option<u64>) -> i64 {
    before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX))
}

fn public_organisation(row: &DbRow) -> Result<Option<PublicOrganisation>, StoreError> {
    let name: Option<String> = row.try_get("organisation").ctx("reading an organisation")?;
    let Some(name) = name else {
        return Ok(None);
    };
    let verified: Option<String> = row
        .try_get("organisation_verified")
        .ctx("reading an organisation")?;
    Ok(Some(PublicOrganisation {
        name,
        domain: row
            .try_get("organisation_domain")
            .ctx("reading an organisation")?,
        verified: verified
            .map(|v| parse_stored(&v, "verification"))
            .transpose()?,
        logo: row
            .try_get("organisation_logo")
            .ctx("reading an organisation")?,
        pinned: row
            .try_get::<Option<i64>, _>("organisation_pinned_at")
            .ctx("reading an organisation")?
            .is_some(),
    }))
}

#[async_trait]
impl LetterStore for SqlStore {
    async fn organisation_signatures(
        &self,
        letter: LetterId,
    ) -> Result<Vec<OrganisationSignature>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.state, s.name, s.title, s.email, s.created_at, s.confirmed_at,
                    so.name AS organisation, so.website, so.domain, so.logo, so.verified,
                    so.pinned_at
             FROM signatures s JOIN signature_organisations so ON so.signature_id = s.id
             WHERE s.letter_id = $1 AND s.state IN ('held', 'published')
             ORDER BY s.confirmed_at, s.id
             LIMIT 1000",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("listing a letter's organisations")?;
        rows.iter()
            .map(|row| {
                let email = personal::open(&self.keyring, row, "email", Field::Email)?;
                let email_domain = email
                    .rsplit_once('@')
                    .map(|(_, domain)| domain.to_owned())
                    .unwrap_or_default();
                let state: String = row.try_get("state").ctx("reading a signature")?;
                let verified: Option<String> =
                    row.try_get("verified").ctx("reading a signature")?;
                Ok(OrganisationSignature {
                    signature: SignatureId(row.try_get("id").ctx("reading a signature")?),
                    state: parse_stored(&state, "signature state")?,
                    verified: verified
                        .map(|v| parse_stored(&v, "verification"))
                        .transpose()?,
                    pinned: row
                        .try_get::<Option<i64>, _>("pinned_at")
                        .ctx("reading a signature")?
                        .is_some(),
                    organisation: row.try_get("organisation").ctx("reading a signature")?,
                    website: row.try_get("website").ctx("reading a signature")?,
                    website_domain: row.try_get("domain").ctx("reading a signature")?,
                    email_domain,
                    signer_name: personal::open(&self.keyring, row, "name", Field::Name)?,
                    signer_title: personal::open_optional(
                        &self.keyring,
                        row,
                        "title",
                        Field::Title,
                    )?,
                    signed_at: row.try_get("created_at").ctx("reading a signature")?,
                    confirmed_at: row.try_get("confirmed_at").ctx("reading a signature")?,
                    logo: row.try_get("logo").ctx("reading a signature")?,
                })
            })
            .collect()
    }

    async fn pin_organisation(
        &self,
        actor: Actor,
        letter: LetterId,
        signature: SignatureId,
        pinned: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE signature_organisations SET pinned_at = $1
             WHERE signature_id = $2
               AND signature_id IN (SELECT id FROM signatures
                                    WHERE letter_id = $3 AND state = 'published')",
        )
        .bind(pinned.then_some(now))
        .bind(signature.0)
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("pinning an organisation")?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        super::moderation::audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            if pinned {
                "organisation.pin"
            } else {
                "organisation.unpin"
            },
            &format!("signature {}", signature.0),
            "",
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("pinning an organisation")?;
        Ok(())
    }

    async fn create_letter(
        &self,
        actor: Actor,
        content: &LetterContent,
        now: Timestamp,
    ) -> Result<LetterId, StoreError> {
        let fields = signer_fields_json(content)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letters (workspace_id, slug, title, subject, body_md, signer_fields,
                                  state, created_at, updated_at, batch_minutes, moderation,
                                  organisation_category)
             VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $7, $8, $9, $10)
             RETURNING id",
        )
        .bind(actor.workspace.0)
        .bind(content.slug.as_str())
        .bind(&content.title)
        .bind(&content.subject)
        .bind(&content.body_markdown)
        .bind(&fields)
        .bind(now)
        .bind(content.batch.map(|b| i64::from(b.get())))
        .bind(content.moderation.as_str())
        .bind(&content.organisation_category)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_slug_conflict(e, "creating a letter"))?;
        let id = LetterId(id);
        insert_parts(&mut tx, id, content).await?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            id,
            "letter.create",
            &format!("letter {}", content.slug),
            "",
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("creating a letter")?;
        Ok(id)
    }

    async fn update_letter(
        &self,
        actor: Actor,
        letter: LetterId,
        content: &LetterContent,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let fields = signer_fields_json(content)?;
        let mut tx = self.begin_write().await?;
        // Locked until the edit commits: a concurrent publish waits, and so do batches.
        let state: Option<String> = sqlx::query_scalar(concat!(
            "SELECT state FROM letters WHERE id = $1",
            lock!(FOR UPDATE)
        ))
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("editing a letter")?;
        let state: LetterState = parse_stored(&state.ok_or(StoreError::NotFound)?, "letter state")?;
        if state != LetterState::Draft {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: state.to_string(),
            });
        }
        sqlx::query(
            "UPDATE letters SET slug = $1, title = $2, subject = $3, body_md = $4, signer_fields = $5,
                                updated_at = $6, batch_minutes = $8, moderation = $9,
                                organisation_category = $10
             WHERE id = $7",
        )
        .bind(content.slug.as_str())
        .bind(&content.title)
        .bind(&content.subject)
        .bind(&content.body_markdown)
        .bind(&fields)
        .bind(now)
        .bind(letter.0)
        .bind(content.batch.map(|b| i64::from(b.get())))
        .bind(content.moderation.as_str())
        .bind(&content.organisation_category)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_slug_conflict(e, "editing a letter"))?;
        sqlx::query("DELETE FROM letter_targets WHERE letter_id = $1")
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("editing a letter")?;
        sqlx::query("DELETE FROM letter_categories WHERE letter_id = $1")
            .bind(letter.0)
            .execute(&mut *tx)
            .await
            .ctx("editing a letter")?;
        insert_parts(&mut tx, letter, content).await?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            "letter.edit",
            &format!("letter {}", content.slug),
            "",
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("editing a letter")
    }

    async fn change_letter_state(
        &self,
        actor: Actor,
        letter: LetterId,
        to: LetterState,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Locked until the change commits: two organisers changing the state at once are
        // checked one after the other, and the hot path's batches that share-lock the
        // letter finish first.
        let row = sqlx::query(concat!(
            "SELECT slug, state FROM letters WHERE id = $1",
            lock!(FOR UPDATE)
        ))
        .bind(letter.0)
        .fetch_optional(&mut *tx)
        .await
        .ctx("changing a letter's state")?
        .ok_or(StoreError::NotFound)?;
        let slug: String = row.try_get("slug").ctx("reading a letter")?;
        let state: String = row.try_get("state").ctx("reading a letter")?;
        let from: LetterState = parse_stored(&state, "letter state")?;
        if !from.can_become(to) {
            return Err(StoreError::WrongState {
                what: "letter",
                actual: from.to_string(),
            });
        }
        sqlx::query(
            "UPDATE letters SET state = $1, updated_at = $2,
                 published_at = CASE WHEN $1 = 'open' THEN $2 ELSE published_at END,
                 closed_at = CASE WHEN $1 = 'closed' THEN $2 ELSE closed_at END
             WHERE id = $3",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(letter.0)
        .execute(&mut *tx)
        .await
        .ctx("changing a letter's state")?;
        audit_letter(
            &mut tx,
            Some(actor),
            None,
            letter,
            &format!("letter.{}", to.as_str()),
            &format!("letter {slug}"),
            &format!("{from} → {to}"),
            None,
            now,
        )
        .await?;
        tx.commit().await.ctx("changing a letter's state")
    }

    async fn letter(&self, id: LetterId) -> Result<Option<Letter>, StoreError> {
        // One snapshot for the letter and its parts.
        let mut tx = self.begin_read().await?;
        let row = sqlx::query("SELECT * FROM letters WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .ctx("reading a letter")?;
        match row {
            Some(row) => letter_from_row(&mut tx, row).await.map(Some),
            None => Ok(None),
        }
    }

    async fn letter_by_slug(&self, slug: &str) -> Result<Option<Letter>, StoreError> {
        if !storable(slug) {
            return Ok(None);
        }
        let mut tx = self.begin_read().await?;
        let row = sqlx::query("SELECT * FROM letters WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await
            .ctx("reading a letter")?;
        match row {
            Some(row) => letter_from_row(&mut tx, row).await.map(Some),
            None => Ok(None),
        }
    }

    async fn letters_for_user(&self, user: UserId) -> Result<Vec<LetterSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.id, l.workspace_id, l.slug, l.title, l.state, l.updated_at,
                    CAST(COALESCE((SELECT SUM(count) FROM letter_counts c
                                  WHERE c.letter_id = l.id), 0) AS BIGINT)
                        AS signatures
             FROM letters l JOIN memberships m ON m.workspace_id = l.workspace_id
             WHERE m.user_id = $1 ORDER BY l.updated_at DESC, l.id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .ctx("listing letters")?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn public_letters(&self, limit: u32) -> Result<Vec<LetterSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.id, l.workspace_id, l.slug, l.title, l.state, l.updated_at,
                    CAST(COALESCE((SELECT SUM(count) FROM letter_counts c
                                  WHERE c.letter_id = l.id), 0) AS BIGINT)
                        AS signatures
             FROM letters l WHERE l.state IN ('open', 'closed', 'delivered')
             ORDER BY l.published_at DESC NULLS LAST, l.id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .ctx("listing letters")?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn counts(&self, letter: LetterId) -> Result<Counts, StoreError> {
        // One snapshot: the counts and the log size they belong to.
        let mut tx = self.begin_read().await?;
        let rows = sqlx::query(
            "SELECT c.name, COALESCE(lc.count, 0) AS n, COALESCE(lc.withheld, 0) AS withheld,
                    COALESCE(lc.awaiting, 0) AS awaiting
             FROM letter_categories c
             LEFT JOIN letter_counts lc ON lc.category_id = c.id AND lc.letter_id = c.letter_id
             WHERE c.letter_id = $1 ORDER BY c.position",
        )
        .bind(letter.0)
        .fetch_all(&mut *tx)
        .await
        .ctx("counting signatures")?;
        let mut counts = Counts {
            log_size: log_size(&mut tx, letter).await?,
            ..Counts::default()
        };
        for row in &rows {
            let name: String = row.try_get("name").ctx("counting signatures")?;
            let n: i64 = row.try_get("n").ctx("counting signatures")?;
            let n = n.max(0) as u64;
            counts.total += n;
            // Kept beside the count, moved by the same log entries (see the batch's end).
            let withheld: i64 = row.try_get("withheld").ctx("counting withheld signers")?;
            let awaiting: i64 = row.try_get("awaiting").ctx("counting awaiting signers")?;
            counts.awaiting += awaiting.max(0) as u64;
            if withheld > 0 {
                counts.withheld.push((name.clone(), withheld as u64));
            }
            counts.by_category.push((name, n));
        }
        // From the organisations' rows (few, across every letter) to their signatures: a
        // letter's million people are not read. CROSS JOIN keeps that order on SQLite.
        let (organisations, verified): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(so.verified) FROM signature_organisations so
             CROSS JOIN signatures s
             WHERE s.id = so.signature_id AND s.letter_id = $1 AND s.state = 'published'",
        )
        .bind(letter.0)
        .fetch_one(&mut *tx)
        .await
        .ctx("counting organisations")?;
        counts.organisations = organisations.max(0) as u64;
        counts.verified_organisations = verified.max(0) as u64;
        let text_version: i64 =
            sqlx::query_scalar("SELECT text_version FROM letters WHERE id = $1")
                .bind(letter.0)
                .fetch_optional(&mut *tx)
                .await
                .ctx("reading a letter's version")?
                .unwrap_or(1);
        counts.text_version = text_version.max(1) as u64;
        Ok(counts)
    }

    async fn signatures_by_day(&self, letter: LetterId) -> Result<Vec<DayCount>, StoreError> {
        // One count of a range of the public index (letter, state, published_at) per day
        // from the first to the last: no sort of the letter's signatures by day, which is
        // what a GROUP BY on the day costs (four times as long at a million).
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "WITH RECURSIVE bounds(lo, hi) AS (
                 SELECT (SELECT MIN(published_at) FROM signatures
                         WHERE letter_id = $1 AND state = 'published') / 86400,
                        (SELECT MAX(published_at) FROM signatures
                         WHERE letter_id = $1 AND state = 'published') / 86400
             ), days(day) AS (
                 SELECT lo FROM bounds WHERE lo IS NOT NULL
                 UNION ALL
                 SELECT day + 1 FROM days, bounds WHERE day < hi AND day < lo + 36600
             )
             SELECT day, n FROM (
                 SELECT day, (SELECT COUNT(*) FROM signatures
                              WHERE letter_id = $1 AND state = 'published'
                                AND published_at >= day * 86400
                                AND published_at < (day + 1) * 86400) AS n
                 FROM days
             ) AS counted WHERE n > 0 ORDER BY day",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("counting signatures by day")?;
        Ok(rows
            .into_iter()
            .map(|(day, n)| DayCount {
                day,
                signatures: n.max(0) as u64,
            })
            .collect())
    }

    async fn signature_states(&self, letter: LetterId) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) AS n FROM signatures WHERE letter_id = $1
             GROUP BY state ORDER BY state",
        )
        .bind(letter.0)
        .fetch_all(&self.pool)
        .await
        .ctx("counting signatures by state")?;
        Ok(rows
            .into_iter()
            .map(|(state, n)| (state, n.max(0) as u64))
            .collect())
    }

    async fn public_signatures(
        &self,
        letter: LetterId,
        listing: PublicListing,
        limit: u32,
    ) -> Result<SignatoryPage, StoreError> {
        // One read: the list and the log size it belongs to. Private signers never leave
        // the database on this path. In a format 2 log, each signature comes with the
        // opening of its entry: what the page shows is what the log committed to.
        let mut tx = self.begin_read().await?;
        const COLUMNS: &str = "SELECT s.name, s.title, s.affiliation, s.city, s.country, s.comment,
                    s.show_city, s.display_level, c.name AS category, s.published_at,
                    s.log_index, o.salt AS opening_salt, o.name AS opening_name,
                    o.details AS opening_details, o.comment AS opening_comment,
                    so.name AS organisation, so.domain AS organisation_domain,
                    so.verified AS organisation_verified, so.logo AS organisation_logo,
                    so.pinned_at AS organisation_pinned_at";
        // Lists walk the letter's signatures in the log's order and look up each one's
        // organisation; the organisations' grid starts from the organisations (few, across
        // every letter) instead, so that a letter's million people are not read to find
        // them. CROSS JOIN keeps that order on SQLite.
        const PEOPLE: &str = "FROM signatures s JOIN letter_categories c ON c.id = s.category_id
             LEFT JOIN log_openings o ON o.letter_id = s.letter_id AND o.idx = s.log_index
             LEFT JOIN signature_organisations so ON so.signature_id = s.id
             WHERE s.letter_id = $1 AND s.state = 'published' AND s.display_level <> 'private'";
        const ORGANISATIONS: &str = "FROM signature_organisations so CROSS JOIN signatures s
             JOIN letter_categories c ON c.id = s.category_id
             LEFT JOIN log_openings o ON o.letter_id = s.letter_id AND o.idx = s.log_index
             WHERE s.id = so.signature_id
               AND s.letter_id = $1 AND s.state = 'published' AND s.display_level <> 'private'";
        let (from, order, key) = match listing {
            PublicListing::Newest { offset } => (
                PEOPLE,
                "ORDER BY s.published_at DESC, s.id DESC LIMIT $2 OFFSET $3",
                i64::try_from(offset).unwrap_or(i64::MAX),
            ),
            PublicListing::LogIndexBefore(before) => (
                PEOPLE,
                "AND s.log_index < $3 ORDER BY s.log_index DESC LIMIT $2",
                index_key(before),
            ),
            PublicListing::PeopleBefore(before) => (
                PEOPLE,
                "AND so.signature_id IS NULL AND s.log_index < $3
                 ORDER BY s.log_index DESC LIMIT $2",
                index_key(before),
            ),
            // The group and the index in one key: group × 2^48 + index (log indexes stay
            // far below 2^48), so that one comparison pages through the grid.
            PublicListing::Organisations(after) => (
                ORGANISATIONS,
                "AND s.log_index IS NOT NULL
                 AND (CASE WHEN so.pinned_at IS NOT NULL THEN 0
                           WHEN so.verified IS NOT NULL THEN 1 ELSE 2 END) * 281474976710656
                     + s.log_index > $3
                 ORDER BY (CASE WHEN so.pinned_at IS NOT NULL THEN 0
                                WHEN so.verified IS NOT NULL THEN 1 ELSE 2 END),
                          s.log_index
                 LIMIT $2",
                after.map_or(-1, |k| {
                    i64::from(k.group) * GRID_GROUP + i64::try_from(k.log_index).unwrap_or(0)
                }),
            ),
        };
        // Only the constant fragments above are formatted into the statement.
        let rows = sqlx::query(AssertSqlSafe(format!("{COLUMNS} {from} {order}")))
            .bind(letter.0)
            .bind(i64::from(limit))
            .bind(key)
            .fetch_all(&mut *tx)
            .await
            .ctx("listing signatures")?;
        let log_size = log_size(&mut tx, letter).await?;
        let rows = rows
            .iter()
            .map(|row| {
                let display: String = row.try_get("display_level").ctx("reading a signature")?;
                Ok(PublicSignature {
                    log_index: row
                        .try_get::<Option<i64>, _>("log_index")
                        .ctx("reading a signature")?
                        .and_then(|i| u64::try_from(i).ok()),
                    name: personal::open(&self.keyring, row, "name", Field::Name)?,
                    details: personal::details(&self.keyring, row)?,
                    display: parse_stored(&display, "display level")?,
                    category: row.try_get("category").ctx("reading a signature")?,
                    published_at: row
                        .try_get::<Option<i64>, _>("published_at")
                        .ctx("reading a signature")?
                        .unwrap_or_default(),
                    opening: optional_opening(row, "opening_")?,
                    organisation: public_organisation(row)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(SignatoryPage { log_size, rows })
    }

    async fn organiser_signatures(
        &self,
        letter: LetterId,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SignatureRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.name, s.email, s.title, s.affiliation, s.city, s.country, s.comment,
                    s.show_city, s.display_level, s.state, c.name AS category, s.created_at, s.confirmed_at,
                    s.log_index
             FROM signatures s JOIN letter_categories c ON c.id = s.category_id
             WHERE s.letter_id = $1
             ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(letter.0)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .ctx("listing signatures")?;
        rows.iter()
            .map(|row| {
                let display: String = row.try_get("display_level").ctx("reading a signature")?;
                let state: String = row.try_get("state").ctx("reading a signature")?;
                Ok(SignatureRecord {
                    id: SignatureId(row.try_get("id").ctx("reading a signature")?),
                    log_index: row
                        .try_get::<Option<i64>, _>("log_index")
                        .ctx("reading a signature")?
                        .and_then(|i| u64::try_from(i).ok()),
                    name: personal::open(&self.keyring, row, "name", Field::Name)?,
                    email: personal::open(&self.keyring, row, "email", Field::Email)?,
                    details: personal::details(&self.keyring, row)?,
                    display: parse_stored(&display, "display level")?,
                    state: parse_stored(&state, "signature state")?,
                    category: row.try_get("category").ctx("reading a signature")?,
                    created_at: row.try_get("created_at").ctx("reading a signature")?,
                    confirmed_at: row.try_get("confirmed_at").ctx("reading a signature")?,
                })
            })
            .collect()
    }

    async fn confirmation_link(
        &self,
        token_hash: Hash32,
    ) -> Result<Option<ConfirmationLink>, StoreError> {
        let row = sqlx::query(
            "SELECT l.slug, l.title AS letter_title, l.state AS letter_state,
                    l.closes_at, l.closed_at,
                    s.state AS signature_state, t.expires_at, t.used_at,
                    t.name, t.title, t.affiliation, t.city, t.country, t.comment,
                    t.show_city, t.display_level, c.name AS category, so.name AS organisation
             FROM confirmation_tokens t
             JOIN signatures s ON s.id = t.signature_id
             JOIN letters l ON l.id = s.letter_id
             JOIN letter_categories c ON c.id = t.category_id
             LEFT JOIN signature_organisations so ON so.signature_id = s.id
             WHERE t.token_hash = $1",
        )
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await
        .ctx("reading a confirmation link")?;
        row.map(|row| {
            let letter_state: String = row.try_get("letter_state").ctx("reading a link")?;
            let signature_state: String = row.try_get("signature_state").ctx("reading a link")?;
            let used_at: Option<i64> = row.try_get("used_at").ctx("reading a link")?;
            let display: String = row.try_get("display_level").ctx("reading a link")?;
            Ok(ConfirmationLink {
                submission: PendingSubmission {
                    name: personal::open(&self.keyring, &row, "name", Field::Name)?,
                    details: personal::details(&self.keyring, &row)?,
                    display: parse_stored(&display, "display level")?,
                    category: row.try_get("category").ctx("reading a link")?,
                    organisation: row.try_get("organisation").ctx("reading a link")?,
                },
                letter_slug: row.try_get("slug").ctx("reading a link")?,
                letter_title: row.try_get("letter_title").ctx("reading a link")?,
                letter_state: parse_stored(&letter_state, "letter state")?,
                letter_closes_at: row.try_get("closes_at").ctx("reading a link")?,
                letter_closed_at: row.try_get("closed_at").ctx("reading a link")?,
                signature_state: parse_stored(&signature_state, "signature state")?,
                expires_at: row.try_get("expires_at").ctx("reading a link")?,
                used: used_at.is_some(),
                used_at,
            })
        })
        .transpose()
    }
}
