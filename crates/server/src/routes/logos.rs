//! `GET /logos/{hash}.png`: stored logos. A logo's address is its content hash, so it never
//! changes: browsers and proxies may keep it for a year without asking again.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use undersigned_core::logo::LogoRef;

use crate::{pages::PageError, state::AppState};

pub async fn show(
    State(state): State<AppState>,
    Path(file): Path<String>,
    held: crate::rendered::IfNoneMatch,
) -> Result<Response, PageError> {
    let reference: LogoRef = file
        .strip_suffix(".png")
        .and_then(|hex| hex.parse().ok())
        .ok_or(PageError::NotFound)?;
    let etag = format!("\"{reference}\"");
    let cache = [
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        // A logo is shown on other pages of this site only.
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
    ];
    let matches = held.names(&etag);
    let etag = HeaderValue::from_str(&etag).map_err(|e| PageError::Internal(e.to_string()))?;
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache, [(header::ETAG, etag)]).into_response());
    }
    let png = state
        .store
        .logo(reference)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((
        cache,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::ETAG, etag),
        ],
        png,
    )
        .into_response())
}
