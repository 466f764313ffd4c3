//! Cross-site request forgery protection, in two layers:
//!
//! 1. Every unsafe request (POST and the like) whose `Origin` names another site, or whose
//!    `Sec-Fetch-Site` says `cross-site`, is refused with 403 (the [`check_origin`] middleware).
//! 2. Every organiser form carries a token: the session's token once logged in
//!    ([`OrganiserForm`]), and before that a token that must match a cookie ([`AnonForm`]).

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, Method, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, de::DeserializeOwned};

use super::session::{AuthRejection, Organiser, cookie, read_cookie};
use crate::{
    extract::{MultipartBody, form_bytes, parse_form},
    pages::PageError,
    secrets::{Token, same},
    state::AppState,
};

const FORGED: &str =
    "This form was sent from another site, or has expired. Go back, reload the page and try again.";

/// The refusal of a cross-site unsafe request, or `None` when it may go on.
pub fn check_origin(state: &AppState, req: &Request) -> Option<Response> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Two routes are exempt. RFC 8058's one-click unsubscribe is posted by mail providers,
    // from anywhere (it only turns updates off, for the holder of a random token). And the
    // public signing form, which embeds show on other sites: it uses no session, and a
    // signature counts only once its email address confirms it.
    let exempt = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|p| {
            p.as_str() == crate::routes::updates::UNSUBSCRIBE_ROUTE
                || p.as_str() == crate::routes::sign::SIGN_ROUTE
        });
    (!safe && !exempt && !same_site(req.headers(), &state.public.origin))
        .then(|| PageError::Forbidden(FORGED).into_response())
}

fn same_site(headers: &HeaderMap, public_origin: &str) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header("origin") {
        let origin = origin.to_ascii_lowercase();
        let host = header("host").map(str::to_ascii_lowercase);
        return origin == public_origin
            || host.is_some_and(|h| {
                origin == format!("http://{h}") || origin == format!("https://{h}")
            });
    }
    // No Origin (older browsers, some same-origin GET-to-POST navigations, non-browser
    // clients): fall back on Fetch Metadata when present.
    !matches!(header("sec-fetch-site"), Some("cross-site"))
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// An organiser's form post: the session, and the form, whose `csrf` field matched.
pub struct OrganiserForm<T> {
    pub organiser: Organiser,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for OrganiserForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let organiser = Organiser::from_request_parts(&mut parts, state)
            .await
            .map_err(AuthRejection::into_response)?;
        let bytes = form_bytes(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field: CsrfField = parse_form(&bytes).map_err(IntoResponse::into_response)?;
        if field.csrf.is_empty() || !same(&field.csrf, &organiser.csrf) {
            return Err(PageError::Forbidden(FORGED).into_response());
        }
        let form = parse_form(&bytes).map_err(IntoResponse::into_response)?;
        Ok(Self { organiser, form })
    }
}

/// An organiser's `multipart/form-data` post (a form with a file): the session, and the body,
/// whose `csrf` field matched. The route's body limit bounds it.
pub struct OrganiserUpload {
    pub organiser: Organiser,
    pub body: MultipartBody,
}

/// What an organiser is told when a form with a file is over its route's limit.
pub const UPLOAD_TOO_LARGE: &str =
    "A logo may be at most 2 MB. Choose a smaller PNG, JPEG or WebP file and send the form again.";

impl FromRequest<AppState> for OrganiserUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        Self::read(req, state, UPLOAD_TOO_LARGE).await
    }
}

impl OrganiserUpload {
    /// Reads an organiser's multipart form and checks its token; `too_large` is what to tell
    /// the organiser when the form is over its route's limit (the limit of the file it takes).
    pub async fn read(
        req: Request,
        state: &AppState,
        too_large: &'static str,
    ) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let organiser = Organiser::from_request_parts(&mut parts, state)
            .await
            .map_err(AuthRejection::into_response)?;
        let body = MultipartBody::read(Request::from_parts(parts, body), state, too_large)
            .await
            .map_err(IntoResponse::into_response)?;
        let csrf = body.text("csrf").unwrap_or_default();
        if csrf.is_empty() || !same(csrf, &organiser.csrf) {
            return Err(PageError::Forbidden(FORGED).into_response());
        }
        Ok(Self { organiser, body })
    }
}

fn anon_cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-us_csrf" } else { "us_csrf" }
}

/// The token for a form shown before login, and the cookie to set when the browser has none.
pub fn anon_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let secure = state.secure_cookies();
    match read_cookie(headers, anon_cookie_name(secure)).and_then(Token::parse) {
        Some(token) => (token.as_str().to_owned(), None),
        None => {
            let token = Token::generate();
            let set = cookie(anon_cookie_name(secure), token.as_str(), 2 * 3600, secure);
            (token.as_str().to_owned(), Some(set))
        }
    }
}

/// Adds the Set-Cookie for the pre-login token, if one is needed.
pub fn with_cookie(mut response: Response, set_cookie: Option<HeaderValue>) -> Response {
    if let Some(value) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A form posted before login (login, setup): its `csrf` field must match the cookie.
pub struct AnonForm<T> {
    pub form: T,
    pub csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for AnonForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie =
            read_cookie(req.headers(), anon_cookie_name(state.secure_cookies())).map(str::to_owned);
        let bytes = form_bytes(req, state).await?;
        let field: CsrfField = parse_form(&bytes)?;
        match cookie {
            Some(c) if !field.csrf.is_empty() && same(&c, &field.csrf) => Ok(Self {
                form: parse_form(&bytes)?,
                csrf: field.csrf,
            }),
            _ => Err(PageError::Forbidden(FORGED)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        let public = "https://letters.example.org";
        assert!(same_site(
            &headers(&[("origin", "https://letters.example.org")]),
            public
        ));
        assert!(same_site(
            &headers(&[
                ("origin", "http://localhost:8080"),
                ("host", "localhost:8080")
            ]),
            public
        ));
        assert!(!same_site(
            &headers(&[("origin", "https://evil.example")]),
            public
        ));
        assert!(!same_site(&headers(&[("origin", "null")]), public));
        assert!(!same_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            public
        ));
        assert!(same_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            public
        ));
        assert!(same_site(&headers(&[]), public));
    }
}
