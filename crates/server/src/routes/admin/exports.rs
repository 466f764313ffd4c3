//! Organisers download a letter's signatory table, as CSV or JSON, filtered by category,
//! kind, state, verification and signing day (the moderation queue's filters, but for its
//! search). It holds the signers' personal data (private signers and
//! email addresses included), so every download is recorded in the audit trail: who, which
//! letter, which format and filters.

use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use undersigned_core::{
    SignatureFilter, SignatureFilterInput, filter::FilterError, role::Permission,
};
use undersigned_store::{Letter, LetterId, StoreError};

use crate::{
    auth::Organiser,
    extract::parse_form,
    i18n::t,
    pages::{PageError, message},
    routes::download,
    services::export::{Export, ExportError, ExportFormat},
    state::AppState,
};

/// Why an export was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportRouteError {
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// The queue's search: names are sealed, and an export does not open every name to
    /// match one.
    #[error("an export does not search")]
    Search,
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for ExportRouteError {
    fn from(e: StoreError) -> Self {
        Self::Page(e.into())
    }
}

impl From<ExportError> for ExportRouteError {
    fn from(ExportError::Store(e): ExportError) -> Self {
        e.into()
    }
}

impl IntoResponse for ExportRouteError {
    fn into_response(self) -> Response {
        match self {
            Self::Filter(e) => message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &t("admin-check-export-filters"),
                &e.to_string(),
                None,
            ),
            Self::Search => message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &t("admin-check-export-filters"),
                &t("admin-export-no-search"),
                None,
            ),
            Self::Page(e) => e.into_response(),
        }
    }
}

/// `GET /admin/letters/{id}/export.csv[?category=…&kind=…&state=…&verification=…&from=…&to=…]`
pub async fn csv(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ExportRouteError> {
    export(&state, &organiser, &id, query, ExportFormat::Csv).await
}

/// `GET /admin/letters/{id}/export.json[?…]`: the same rows and filters as the CSV.
pub async fn json(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ExportRouteError> {
    export(&state, &organiser, &id, query, ExportFormat::Json).await
}

/// Loads a letter by its id in the path, if the organiser may see its signatures.
async fn viewable_letter(
    state: &AppState,
    organiser: &Organiser,
    id: &str,
) -> Result<Letter, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
    let letter = state
        .store
        .letter(LetterId(id))
        .await?
        .ok_or(PageError::NotFound)?;
    organiser.require(letter.workspace_id, Permission::View)?;
    Ok(letter)
}

async fn export(
    state: &AppState,
    organiser: &Organiser,
    id: &str,
    query: Option<String>,
    format: ExportFormat,
) -> Result<Response, ExportRouteError> {
    let letter = viewable_letter(state, organiser, id).await?;
    let input: SignatureFilterInput = parse_form(query.unwrap_or_default().as_bytes())?;
    let categories: Vec<(i64, &str)> = letter
        .categories
        .iter()
        .map(|c| (c.id.0, c.name.as_str()))
        .collect();
    let filter = SignatureFilter::parse(&input, &categories)?;
    if filter.search.is_some() {
        return Err(ExportRouteError::Search);
    }
    let described = filter.describe();
    let detail = if described.is_empty() {
        format!("{} export, every signature", format.extension())
    } else {
        format!("{} export, {described}", format.extension())
    };
    state
        .store
        .record_export(
            letter.workspace_id,
            Some(organiser.user.id),
            &format!("letter {}", letter.slug),
            &detail,
            state.clock.now(),
        )
        .await?;
    let export = Export::organisers(state.store.clone(), &letter, filter, format);
    Ok(download(export, format, &format!("{}-signatures", letter.slug)).await?)
}
