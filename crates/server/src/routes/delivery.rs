//! `GET /l/{slug}/deliveries/{id}.pdf`: the document a delivery sent, as it was sent. A
//! delivered document never changes, so it may be kept for a long time.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use undersigned_store::DeliveryId;

use crate::{pages::PageError, state::AppState};

pub async fn document(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let id: i64 = file
        .strip_suffix(".pdf")
        .and_then(|n| n.parse().ok())
        .ok_or(PageError::NotFound)?;
    let (letter, pdf) = state
        .store
        .delivery_document(DeliveryId(id))
        .await?
        .ok_or(PageError::NotFound)?;
    if letter != view.letter.id {
        return Err(PageError::NotFound);
    }
    let disposition = HeaderValue::from_str(&format!(
        "inline; filename=\"{}-delivered-{id}.pdf\"",
        view.letter.slug
    ))
    .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        pdf,
    )
        .into_response())
}
