//! Organisers' exports: a letter's signatures, filtered, a page at a time by (signing time,
//! id) after a cursor, so that each page is one index range whatever the letter's size.

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::SignatureFilter;

use super::{Ctx, DbRow, SqlStore, organisers::audit, personal};
use crate::{
    ExportCursor, ExportOrganisation, ExportRow, ExportStore, StoreError, model::*, parse_stored,
    sealed::Field,
};

/// The filter's conditions, for `$2` to `$7` (each NULL when that filter is not set), on
/// `signatures s` with its `signature_organisations o` left-joined. (A search is not
/// applied here: names are sealed, and the callers refuse one.)
macro_rules! filtered {
    () => {
        concat!(
            " LEFT JOIN signature_organisations o ON o.signature_id = s.id
             WHERE s.letter_id = $1
            AND ($2 IS NULL OR s.category_id = $2)
            AND ($3 IS NULL OR s.kind = $3)
            AND ($4 IS NULL OR s.state = $4)
            AND ($5 IS NULL OR s.created_at >= $5)
            AND ($6 IS NULL OR s.created_at < $6)
            AND ",
            verified!("$7")
        )
    };
}

/// Binds the letter and the filter as `$1` to `$7` of a statement written with
/// [`filtered!`].
macro_rules! bind_filter {
    ($query:expr, $letter:expr, $filter:expr) => {
        $query
            .bind($letter.0)
            .bind($filter.category_id())
            .bind($filter.kind.map(|k| k.as_str()))
            .bind($filter.state.map(|s| s.as_str()))
            .bind($filter.signed_from())
            .bind($filter.signed_before())
            .bind($filter.verification.map(|v| v.as_str()))
    };
}

fn row_from(keys: &crate::sealed::Keyring, row: &DbRow) -> Result<ExportRow, StoreError> {
    let get_text = |column: &str| -> Result<String, StoreError> {
        row.try_get::<String, _>(column).ctx("reading a signature")
    };
    let get_optional = |column: &str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(column)
            .ctx("reading a signature")
    };
    let organisation = match get_optional("organisation")? {
        None => None,
        Some(name) => Some(ExportOrganisation {
            name,
            website: get_text("organisation_website")?,
            domain: get_text("organisation_domain")?,
            verification: get_optional("organisation_verified")?
                .map(|v| parse_stored(&v, "verification"))
                .transpose()?,
            logo: get_optional("organisation_logo")?,
        }),
    };
    Ok(ExportRow {
        organisation,
        id: SignatureId(row.try_get("id").ctx("reading a signature")?),
        kind: parse_stored(&get_text("kind")?, "signature kind")?,
        state: parse_stored(&get_text("state")?, "signature state")?,
        category: get_text("category")?,
        display: parse_stored(&get_text("display_level")?, "display level")?,
        name: personal::open(keys, row, "name", Field::Name)?,
        email: personal::open(keys, row, "email", Field::Email)?,
        details: personal::details(keys, row)?,
        signed_at: row.try_get("created_at").ctx("reading a signature")?,
        confirmed_at: row.try_get("confirmed_at").ctx("reading a signature")?,
        published_at: row.try_get("published_at").ctx("reading a signature")?,
        log_index: row
            .try_get::<Option<i64>, _>("log_index")
            .ctx("reading a signature")?
            .and_then(|i| u64::try_from(i).ok()),
        updates: row
            .try_get::<i64, _>("updates")
            .ctx("reading a signature")?
            == 1,
    })
}

#[async_trait]
impl ExportStore for SqlStore {
    async fn export_count(
        &self,
        letter: LetterId,
        filter: &SignatureFilter,
    ) -> Result<u64, StoreError> {
        let query = sqlx::query(concat!(
            "SELECT COUNT(*) AS n FROM signatures s",
            filtered!()
        ));
        let n: i64 = bind_filter!(query, letter, filter)
            .fetch_one(&self.pool)
            .await
            .ctx("counting signatures to export")?
            .try_get("n")
            .ctx("counting signatures to export")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn export_page(
        &self,
        letter: LetterId,
        filter: &SignatureFilter,
        after: ExportCursor,
        limit: u32,
    ) -> Result<Vec<ExportRow>, StoreError> {
        let query = sqlx::query(concat!(
            "SELECT s.id, s.kind, s.state, c.name AS category, s.display_level, s.name, s.email,
                    s.title, s.affiliation, s.city, s.country, s.comment, s.show_city,
                    s.created_at, s.confirmed_at, s.published_at, s.log_index, s.updates,
                    o.name AS organisation, o.website AS organisation_website,
                    o.domain AS organisation_domain, o.verified AS organisation_verified,
                    o.logo AS organisation_logo
             FROM signatures s JOIN letter_categories c ON c.id = s.category_id",
            filtered!(),
            " AND (s.created_at, s.id) > ($8, $9)
             ORDER BY s.created_at, s.id LIMIT $10"
        ));
        let rows = bind_filter!(query, letter, filter)
            .bind(after.signed_at)
            .bind(after.id.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .ctx("reading signatures to export")?;
        rows.iter()
            .map(|row| row_from(&self.keyring, row))
            .collect()
    }

    async fn record_export(
        &self,
        workspace: WorkspaceId,
        by: Option<UserId>,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.ctx("recording an export")?;
        let actor = by.map(|user| Actor { user, workspace });
        audit(
            &mut conn,
            actor,
            Some(workspace),
            "letter.export",
            subject,
            detail,
            at,
        )
        .await
    }
}
