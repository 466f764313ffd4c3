//! The public export of a letter's signatories, as CSV or JSON: exactly what the letter's
//! page shows (published signers who are not private; initials-level signers as their
//! initials, with their city only if it is shown), each with the index of its entry in the
//! log. Private signers are never in it. The organisers' export is under `/admin`.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::Response,
};

use crate::{
    pages::PageError,
    routes::download,
    services::export::{Export, ExportError, ExportFormat},
    state::AppState,
};

/// `GET /l/{slug}/export.csv`
pub async fn csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    export(&state, &slug, ExportFormat::Csv).await
}

/// `GET /l/{slug}/export.json`
pub async fn json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    export(&state, &slug, ExportFormat::Json).await
}

async fn export(state: &AppState, slug: &str, format: ExportFormat) -> Result<Response, PageError> {
    let view = state.reads.public_letter(slug).await?;
    let export = Export::public(
        state.store.clone(),
        &view.letter,
        view.erasure.is_some(),
        format,
    );
    let mut response = download(export, format, &format!("{}-signatories", view.letter.slug))
        .await
        .map_err(|ExportError::Store(e)| PageError::from(e))?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
