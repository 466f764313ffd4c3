//! Form extractors that answer bad bodies with a page, not a bare status: too large (413),
//! not a form (415), unreadable (400).

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;

use crate::{pages::PageError, state::AppState};

/// A URL-encoded form body, parsed into `T`.
pub struct FormBody<T>(pub T);

/// Reads the body of a form post, within the route's body limit.
pub async fn form_bytes(req: Request, state: &AppState) -> Result<Bytes, PageError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(PageError::UnsupportedMediaType);
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            PageError::TooLarge
        } else {
            PageError::BadRequest("The form could not be read. Try again.".into())
        }
    })
}

pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PageError> {
    serde_urlencoded::from_bytes(bytes).map_err(|_| {
        PageError::BadRequest("The form could not be read. Reload the page and try again.".into())
    })
}

impl<T: DeserializeOwned> FromRequest<AppState> for FormBody<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = form_bytes(req, state).await?;
        parse_form(&bytes).map(FormBody)
    }
}

/// A form with no fields of its own (a button that posts only its CSRF token).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Empty {}
