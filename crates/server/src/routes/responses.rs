//! `GET /l/{slug}/responses/{response}/document`: the document attached to a target's
//! response to a published letter, as a download (never shown inline: a PDF or image sent
//! by someone else is not a page of this site).

use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use undersigned_store::ResponseId;

use crate::{pages::PageError, state::AppState};

pub async fn document(
    State(state): State<AppState>,
    Path((slug, response)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let response = response
        .parse::<i64>()
        .map(ResponseId)
        .map_err(|_| PageError::NotFound)?;
    let document = state
        .store
        .response_document(view.letter.id, response)
        .await?
        .ok_or(PageError::NotFound)?;
    let disposition = format!(
        "attachment; filename=\"{}-response-{}.{}\"",
        view.letter.slug,
        response.0,
        document.kind.extension()
    );
    let disposition =
        HeaderValue::from_str(&disposition).map_err(|e| PageError::Internal(e.to_string()))?;
    let etag: String = document.sha256.iter().map(|b| format!("{b:02x}")).collect();
    let etag = HeaderValue::from_str(&format!("\"{etag}\""))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(document.kind.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            // Organisers may replace or delete it: caches ask again after a few minutes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (header::ETAG, etag),
        ],
        document.bytes,
    )
        .into_response())
}
