//! Rendering pages, and the error pages every handler can fall back on.

use askama::Template;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use undersigned_store::StoreError;

/// What every page's frame needs: the title, the site's name, and who is logged in.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub instance: String,
    pub nav: Option<Nav>,
}

/// The logged-in organiser, for the header (and its logout form).
#[derive(Debug, Clone)]
pub struct Nav {
    pub name: String,
    pub csrf: String,
}

impl Layout {
    pub fn new(instance: &str, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            instance: instance.to_owned(),
            nav: None,
        }
    }

    pub fn with_nav(mut self, nav: Nav) -> Self {
        self.nav = Some(nav);
        self
    }
}

/// Renders a template with a status. A template that fails to render is a bug: 500.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub link: Option<(String, String)>,
}

/// A page that says one thing, with an optional link onwards.
pub fn message(
    status: StatusCode,
    instance: &str,
    heading: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> Response {
    render(
        status,
        &MessagePage {
            layout: Layout::new(instance, heading),
            heading: heading.to_owned(),
            message: message.to_owned(),
            link: link.map(|(href, text)| (href.to_owned(), text.to_owned())),
        },
    )
}

/// Failures any page can have. Each handler with failures of its own has its own error type
/// that falls back on this one.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    TooLarge,
    #[error("not a form")]
    UnsupportedMediaType,
    #[error("too many requests")]
    TooManyRequests(std::time::Duration),
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable { .. } => PageError::Unavailable,
            StoreError::NotFound => PageError::NotFound,
            other => PageError::Internal(error_chain(&other)),
        }
    }
}

impl From<crate::writer::WriteError> for PageError {
    fn from(e: crate::writer::WriteError) -> Self {
        match e {
            crate::writer::WriteError::Unavailable => PageError::Unavailable,
            crate::writer::WriteError::Failed(e) => e.into(),
        }
    }
}

/// The error and its sources on one line, for the log.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The site's name for error pages, set once at start.
static INSTANCE_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn set_instance_name(name: &str) {
    let _ = INSTANCE_NAME.set(name.to_owned());
}

/// The site's name, for error pages that have no state at hand.
pub fn instance_name() -> &'static str {
    INSTANCE_NAME
        .get()
        .map(String::as_str)
        .unwrap_or("Undersigned")
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let instance = instance_name();
        match self {
            PageError::NotFound => message(
                StatusCode::NOT_FOUND,
                instance,
                "Page not found",
                "There is no page at this address. Check the link, or start from the home page.",
                Some(("/", "Home")),
            ),
            PageError::Forbidden(why) => {
                message(StatusCode::FORBIDDEN, instance, "Not allowed", why, None)
            }
            PageError::BadRequest(why) => message(
                StatusCode::BAD_REQUEST,
                instance,
                "Something is wrong with this request",
                &why,
                None,
            ),
            PageError::TooLarge => message(
                StatusCode::PAYLOAD_TOO_LARGE,
                instance,
                "Too much text",
                "What you sent is larger than this form accepts. Shorten it and try again.",
                None,
            ),
            PageError::UnsupportedMediaType => message(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                instance,
                "Something is wrong with this request",
                "This address takes a form (application/x-www-form-urlencoded).",
                None,
            ),
            PageError::TooManyRequests(wait) => {
                let mut response = message(
                    StatusCode::TOO_MANY_REQUESTS,
                    instance,
                    "Too many attempts",
                    &format!(
                        "There have been too many attempts from here. Try again in {} minutes.",
                        wait.as_secs().div_ceil(60).max(1)
                    ),
                    None,
                );
                retry_after(&mut response, wait.as_secs().max(1));
                response
            }
            PageError::Unavailable => unavailable(instance),
            PageError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    instance,
                    "Something went wrong",
                    "This is our fault, not yours. Try again in a moment.",
                    None,
                )
            }
        }
    }
}

/// 503 with Retry-After: the database is busy, locked or full.
pub fn unavailable(instance: &str) -> Response {
    let mut response = message(
        StatusCode::SERVICE_UNAVAILABLE,
        instance,
        "Busy right now",
        "We could not save or read this just now. Nothing was half-saved: please try again in a few seconds.",
        None,
    );
    retry_after(&mut response, 5);
    response
}

pub fn retry_after(response: &mut Response, seconds: u64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}
