//! Responses rendered once and served many times: their bytes are shared, and they carry an
//! entity tag, so that a client that has them already gets `304 Not Modified`.

use std::convert::Infallible;

use axum::{
    body::Bytes,
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::pages::Data;

/// A rendered body, its content type and its entity tag (a hash of the bytes).
#[derive(Debug, Clone)]
pub struct Rendered {
    body: Bytes,
    content_type: &'static str,
    etag: String,
    etag_header: HeaderValue,
}

impl Rendered {
    pub fn new(body: impl Into<Bytes>, content_type: &'static str) -> Self {
        let body = body.into();
        let digest = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        // Hex digits in quotes are always a valid header value.
        let etag_header =
            HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        Self {
            body,
            content_type,
            etag,
            etag_header,
        }
    }

    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// The response to a request with `held`: 304 when it names this tag, the bytes
    /// otherwise; both with the tag and `cache_control`.
    pub fn respond(&self, held: &IfNoneMatch, cache_control: &'static str) -> Response {
        let tagged = [
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
            (header::ETAG, self.etag_header.clone()),
        ];
        if held.names(&self.etag) {
            let mut response = (StatusCode::NOT_MODIFIED, tagged).into_response();
            // Without a content type, the 304 says so to be answered as its 200 is (see
            // `Data`).
            if !self.content_type.starts_with("text/html") {
                response.extensions_mut().insert(Data);
            }
            return response;
        }
        (
            tagged,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            )],
            self.body.clone(),
        )
            .into_response()
    }
}

/// The entity tags a request says it holds (its `If-None-Match` headers), taken from the
/// request without copying its other headers.
#[derive(Debug, Default)]
pub struct IfNoneMatch(Vec<HeaderValue>);

impl IfNoneMatch {
    /// Whether the request names `etag` (or `*`). Weak tags compare as their strong form,
    /// as RFC 9110 asks for this header.
    pub fn names(&self, etag: &str) -> bool {
        self.0
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim())
            .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
    }
}

impl IfNoneMatch {
    pub fn of(headers: &HeaderMap) -> Self {
        Self(
            headers
                .get_all(header::IF_NONE_MATCH)
                .iter()
                .cloned()
                .collect(),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> IfNoneMatch {
        IfNoneMatch(vec![HeaderValue::from_str(value).unwrap()])
    }

    #[test]
    fn the_tag_follows_the_bytes_and_matches_as_http_says() {
        let a = Rendered::new("one", "text/plain");
        assert_eq!(a.etag(), Rendered::new("one", "text/plain").etag());
        assert_ne!(a.etag(), Rendered::new("two", "text/plain").etag());
        assert!(with(a.etag()).names(a.etag()));
        assert!(with(&format!("\"x\", W/{}", a.etag())).names(a.etag()));
        assert!(with("*").names(a.etag()));
        assert!(!with("\"x\"").names(a.etag()));
        assert!(!IfNoneMatch::default().names(a.etag()));
        assert_eq!(a.respond(&with(a.etag()), "no-cache").status(), 304);
        assert_eq!(a.respond(&IfNoneMatch::default(), "no-cache").status(), 200);
    }
}
